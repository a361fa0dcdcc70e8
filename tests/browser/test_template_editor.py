"""The system administrator edits an indicator template as a tree in a real browser, at desktop
and phone widths: the weight sums are checked while typing, a leaf is added with a rule in
words, and the template is saved. Screenshots go to test-artifacts/."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from workflow_app.demo import DEMO_PASSWORD, load_demo
from workflow_app.evaluations.models import IndicatorTemplate
from workflow_app.extensions import db

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(ctx):
    load_demo()
    db.session.commit()


@pytest.mark.parametrize("width", [1440, 390])
def test_admin_edits_a_template_tree(demo, live_server, browser_page, shots, width):
    page, base = browser_page, live_server
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{base}/login")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("text=退出", state="attached")
    template_id = db.session.scalar(select(IndicatorTemplate.id).where(
        IndicatorTemplate.key == "project_table_2020"))
    page.goto(f"{base}/admin/templates/{template_id}")
    total = page.locator("#tree-total")
    assert "：一致" in total.text_content()
    wide = page.evaluate("""w => Array.from(document.querySelectorAll('body *'))
        .filter(e => e.getBoundingClientRect().right > w + 1)
        .map(e => e.tagName + '.' + e.className).slice(0, 12)""", width)
    assert page.evaluate("document.documentElement.scrollWidth") <= width, wide

    # A leaf's weight one point too high: its group and the total say so at once.
    first_leaf = page.locator(".tree-row.is-leaf").first
    weight = first_leaf.locator("input[name$='-weight']")
    original = weight.input_value()
    weight.fill(str(int(original) + 1))
    assert "不一致" in total.text_content()
    assert page.locator(".tree-sum.bad").count() >= 1
    shots(page, f"mismatch-{width}")

    # Give that point to a new leaf below the same group, with a rule chosen in words.
    weight.fill(str(int(original) - 1))
    parent = page.locator(".tree-row.level-2").first
    parent.locator("[data-action=child]").click()
    new_leaf = page.locator(".tree-row.level-3").first
    new_leaf.locator("input[name$='-name']").fill("新增测试指标")
    new_leaf.locator("input[name$='-weight']").fill("2")
    new_leaf.locator("input[name$='-target']").fill("≥90%")
    new_leaf.locator("select.tree-rule").select_option("band_higher")
    assert new_leaf.locator(".tree-param").first.text_content().strip().startswith("满分线")
    new_leaf.locator("input[name$='-p_full_at']").fill("90")
    parent_weight = parent.locator("input[name$='-weight']").input_value()
    parent.locator("input[name$='-weight']").fill(str(int(parent_weight) + 1))
    first_l1 = page.locator(".tree-row.level-1").first.locator("input[name$='-weight']")
    first_l1.fill(str(int(first_l1.input_value()) + 1))
    page.fill("input[name=total_weight]", "101")
    assert "：一致" in total.text_content(), total.text_content()
    shots(page, f"added-{width}")
    page.click("button:has-text('保存模板')")
    page.wait_for_url(f"{base}/admin/templates")

    db.session.expire_all()
    saved = db.session.get(IndicatorTemplate, template_id)
    group = saved.tree[0]["children"][0]["children"]
    added = next(n for n in group if n["name"] == "新增测试指标")
    assert added["rule"] == {"type": "band_higher", "params": {"full_at": "90"}}
    assert saved.total_weight == 101
