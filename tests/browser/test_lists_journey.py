"""The lists and the finance bureau's overview in a real browser, at phone and desktop width:
the preparer searches and filters 工作台; the finance officer opens 统计汇总 from the menu,
drills down from the grade chart to the filtered list, exports the 汇总表 and draws a 抽查
sample (confirming the dialog), which is shown afterwards. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from tests.browser.conftest import PHONE, VIEWPORT_IDS, VIEWPORTS, click_to_load
from tests.browser.test_phone import login
from workflow_app.demo import load_demo
from workflow_app.extensions import db
from workflow_app.overview.models import SpotCheck

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(ctx):
    load_demo()
    db.session.commit()


def _nav(page, viewport, key: str) -> None:
    """Follow a navigation link (through the folded menu on a phone)."""
    if viewport == PHONE:
        page.click("[data-nav-toggle]")
    click_to_load(page, f"#topnav a[data-nav={key}]")


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=VIEWPORT_IDS)
def test_preparer_searches_and_filters_the_workbench(demo, live_server, browser_page, shots,
                                                     viewport):
    page = browser_page
    login(page, live_server, "preparer")
    rows = page.locator("#evaluation-list tbody tr")
    everything = rows.count()
    assert everything >= 4
    shots(page, "workbench")
    page.fill("#list-filters input[name=q]", "视频")
    page.select_option("#list-filters select[name=state]", "leader_signoff")
    click_to_load(page, "#list-filters button[type=submit]")
    assert rows.count() == 1
    assert "视频" in rows.first.inner_text() and "组长" in rows.first.inner_text()
    shots(page, "filtered")
    click_to_load(page, "#list-filters a:has-text('清除')")
    assert rows.count() == everything
    click_to_load(page, "#evaluation-list th a:has-text('自评得分')")
    assert page.get_attribute("#evaluation-list th[aria-sort]", "aria-sort") == "descending"
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=VIEWPORT_IDS)
def test_finance_overview_drill_down_export_and_spot_check(demo, live_server, browser_page,
                                                           shots, viewport):
    page = browser_page
    login(page, live_server, "finance")
    _nav(page, viewport, "overview")
    assert page.locator("#unit-table tbody tr").count() == 2
    assert page.locator("svg.chart").count() == 3
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    shots(page, "overview")

    bar = page.locator("#grade-chart svg a").first
    graded = int(bar.locator("rect").get_attribute("data-count"))
    bar.click()
    page.wait_for_load_state()
    assert page.locator("#evaluation-list tbody tr").count() == graded
    shots(page, "drill-down")
    page.go_back()

    with page.expect_download() as download:
        page.click("#export-summary")
    with open(download.value.path(), "rb") as handle:
        workbook = load_workbook(io.BytesIO(handle.read()))
    assert {"报送进度", "评价明细", "等级分布"} <= set(workbook.sheetnames)

    questions = []
    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.accept()))
    page.fill("#spot-seed", "demo-seed")
    page.fill("#spot-size", "1")
    click_to_load(page, "#spot-check-form button[type=submit]")
    assert questions and "永久记录" in questions[0]
    assert page.locator("#spot-check-items tbody tr").count() == 1
    assert "demo-seed" in page.inner_text("#spot-check")
    shots(page, "spot-check")
    db.session.rollback()
    assert db.session.scalar(select(SpotCheck.seed)) == "demo-seed"
