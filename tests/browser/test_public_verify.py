"""A member of the public, in a real browser and without logging in: finds a published report,
downloads it, and checks the file on the verify page; a tampered copy is rejected."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.browser.conftest import VIEWPORT_IDS, VIEWPORTS, click_to_load
from workflow_app.demo import load_demo
from workflow_app.extensions import db
from workflow_app.public.models import PublishedReport

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(ctx):
    load_demo()
    db.session.commit()


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=VIEWPORT_IDS)
def test_public_downloads_and_verifies_a_report(demo, live_server, browser_page, shots,
                                                tmp_path):
    page, base = browser_page, live_server
    stored = db.session.scalar(select(PublishedReport))
    page.goto(f"{base}/public/")
    page.fill("input[name=q]", "绩效考核")
    with page.expect_navigation(wait_until="load"):
        page.keyboard.press("Enter")
    click_to_load(page, "text=完善绩效考核办法工作经费")
    shots(page, "detail")
    with page.expect_download() as download:
        page.click("#public-download")
    with open(download.value.path(), "rb") as handle:
        genuine = handle.read()
    assert genuine == stored.pdf

    click_to_load(page, "text=核验报告")
    assert stored.verification_code in page.content()
    original, tampered = tmp_path / "report.pdf", tmp_path / "copy.pdf"
    original.write_bytes(genuine)
    middle = len(genuine) // 2  # one bit changed in the middle of the file
    tampered.write_bytes(genuine[:middle] + bytes([genuine[middle] ^ 1]) + genuine[middle + 1:])
    page.set_input_files("form.verify-upload input[type=file]", str(original))
    click_to_load(page, "form.verify-upload button[type=submit]")
    assert "真实有效" in page.content()
    shots(page, "genuine")
    page.set_input_files("form.verify-upload input[type=file]", str(tampered))
    click_to_load(page, "form.verify-upload button[type=submit]")
    assert "不一致" in page.content() and "真实有效" not in page.content()
    shots(page, "tampered")
