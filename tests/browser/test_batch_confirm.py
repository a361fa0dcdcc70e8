"""The finance officer's bulk acceptance in a real browser: the inbox's 批量验收 leads to a
confirmation page that says what will happen and lists seed 001's 得分差异; confirming needs
the 无复核意见 box; then the evaluation is accepted. Screenshots go to test-artifacts/."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.browser.conftest import VIEWPORT_IDS, VIEWPORTS
from workflow_app.demo import DEMO_PASSWORD, load_demo
from workflow_app.evaluations.models import Evaluation, EvaluationKind
from workflow_app.extensions import db
from workflow_app.workflow.states import EvaluationState

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=VIEWPORT_IDS)
def test_bulk_accept_is_confirmed_with_the_differences(ctx, live_server, browser_page, shots):
    load_demo()
    db.session.commit()
    seed = db.session.scalar(select(Evaluation).where(
        Evaluation.kind == EvaluationKind.UNIT_WHOLE))
    assert seed.state == EvaluationState.FINANCE_ACCEPTANCE
    page = browser_page
    page.goto(f"{live_server}/login")
    page.fill("input[name=username]", "finance")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("text=退出", state="attached")
    page.goto(f"{live_server}/inbox")
    page.check(f'input[name=evaluation_id][value="{seed.id}"]')
    page.click("button:has-text('批量验收')")
    page.wait_for_selector("#batch-confirm")
    assert "此操作不能撤销" in page.inner_text("#batch-consequence")
    row = page.inner_text(f'#batch-items tr[data-evaluation="{seed.id}"]')
    assert "资金结余结转率" in row and "填报 1.5，计算 0.8" in row
    shots(page, "batch-accept-confirm")
    page.click("[data-confirm-batch=accept]")  # the box is not ticked: the browser holds it
    assert page.locator("#batch-confirm").count() == 1
    page.check("input[name=no_review]")
    page.click("[data-confirm-batch=accept]")
    page.wait_for_selector(".flash-success")
    assert "已验收 1 项" in page.inner_text(".flash-success")
    shots(page, "batch-accepted")
    db.session.rollback()
    db.session.expire_all()
    assert db.session.get(Evaluation, seed.id).state == EvaluationState.ACCEPTED
