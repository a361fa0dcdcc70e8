"""A preparer, in a real browser: creates an evaluation from a template, fills in scores, sees
the computed scores, the flag and the grade update as they type, saves, and exports the Excel
自评表. Screenshots go to test-artifacts/."""

from __future__ import annotations

import io
import re
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.conftest import VIEWPORT_IDS, VIEWPORTS, click_to_load
from workflow_app.demo import DEMO_PASSWORD, load_demo
from workflow_app.evaluations.models import Evaluation
from workflow_app.extensions import db

pytestmark = pytest.mark.browser

NAME = "浏览器测试项目经费"


@pytest.fixture
def demo(ctx):
    load_demo()
    db.session.commit()


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=VIEWPORT_IDS)
def test_preparer_builds_an_evaluation_and_exports_excel(demo, live_server, browser_page,
                                                         shots):
    page, base = browser_page, live_server
    page.goto(f"{base}/login")
    page.fill("input[name=username]", "preparer")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.click("text=新建自评")
    page.check("label.template-choice:has-text('项目支出绩效自评表') input[type=radio]")
    page.fill("input[name=fiscal_year]", "2024")
    page.fill("input[name=project_name]", NAME)
    shots(page, "create")
    click_to_load(page, "button:has-text('创建并开始填写')")

    evaluation_id = db.session.scalar(select(Evaluation.id).where(Evaluation.project_name == NAME))
    assert evaluation_id is not None
    page.goto(f"{base}/evaluations/{evaluation_id}/edit/scores")
    assert page.text_content('[data-grade="entered"]').strip() == "差"

    # Every leaf at full marks: the entered total and grade follow as the preparer types.
    rows = page.locator("#scoring-table tr.leaf")
    for i in range(rows.count()):
        row = rows.nth(i)
        weight = row.locator("td.num").first.text_content().strip()
        row.locator("input[name$='-score']").fill(weight)
    expect(page.locator('[data-total="entered"]').first).to_have_text("100")
    assert page.text_content('[data-grade="entered"]').strip() == "优"

    # 预算执行率 (rate rule): 90% executed computes 9 of 10, so the entered 10 is flagged.
    budget = page.locator('#scoring-table tr.leaf[data-code="1.1.1"]')
    budget.locator("input[name$='-actual']").fill("90%")
    expect(budget.locator("[data-computed]").first).to_have_text("9")
    assert "flagged" in (budget.get_attribute("class") or "")
    assert "与填报不一致" in budget.locator("[data-explain]").text_content()
    shots(page, "flagged")
    budget.locator("input[name$='-score']").fill("9")
    expect(budget).not_to_have_class(re.compile(r"\bflagged\b"))
    shots(page, "agreed")

    click_to_load(page, "button:has-text('保存评分')")
    assert page.locator(".flash-success").count() == 1
    db.session.expire_all()
    evaluation = db.session.get(Evaluation, evaluation_id)
    leaf = next(i for i in evaluation.indicators if i.name == "预算执行率" and not i.children)
    assert (leaf.actual, leaf.score) == ("90%", Decimal("9"))
    assert sum(i.score for i in evaluation.indicators if not i.children) == Decimal("99")

    page.goto(f"{base}/evaluations/{evaluation_id}")
    with page.expect_download() as download:
        page.click("text=导出 Excel 自评表")
    with open(download.value.path(), "rb") as handle:  # the saved file has no .xlsx suffix
        workbook = load_workbook(io.BytesIO(handle.read()))
    cells = [str(c.value) for ws in workbook.worksheets if ws.sheet_state == "visible"
             for row in ws.iter_rows() for c in row if c.value is not None]
    assert any(NAME in c for c in cells)
    assert "99" in cells or "99.00" in cells
    shots(page, "detail")
