"""The whole journey in a real browser, each role logging in through the login form:
preparer submits, both members sign, the leader approves, finance accepts and publishes; a
return at each stage brings it back to draft with the reason shown, and the next submission
needs fresh signatures. A screenshot of each step goes to test-artifacts/ (gitignored).
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests.browser.conftest import DESKTOP, VIEWPORT_IDS, VIEWPORTS, click_to_load
from workflow_app.demo import DEMO_PASSWORD, load_demo
from workflow_app.evaluations.models import Evaluation
from workflow_app.extensions import db

pytestmark = pytest.mark.browser


class Journey:
    """Drives one evaluation page as different users."""

    def __init__(self, page, base: str, evaluation_id: int, shot):
        self.page, self.base, self.id, self.shot = page, base, evaluation_id, shot

    def login(self, username: str) -> None:
        page = self.page
        page.context.clear_cookies()
        page.goto(f"{self.base}/login")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", DEMO_PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_selector("text=退出", state="attached")  # in the folded menu on a phone
        page.goto(f"{self.base}/evaluations/{self.id}")

    def state(self) -> str:
        """The state the page shows, or (when the user may no longer see it) the database's."""
        if self.page.locator("#workflow-panel").count():
            return self.page.get_attribute("#workflow-panel", "data-state")
        db.session.rollback()
        db.session.expire_all()
        return db.session.get(Evaluation, self.id).state.value

    def fire(self, trigger: str, *, text: str = "", shot: str = "") -> None:
        """Open the trigger's confirmation dialog, check it says what will happen, fill it
        and confirm."""
        page = self.page
        page.click(f'#workflow-actions [data-open="{trigger}"]')
        dialog = f'dialog[data-pop="{trigger}"]'
        page.wait_for_selector(f"{dialog}[open]")
        assert page.inner_text(f"{dialog} .wf-consequence").strip()
        field = "reason" if trigger == "return" else "comment"
        if text:
            page.fill(f"{dialog} textarea[name={field}]", text)
        if shot:
            self.shot(page, f"{shot}-form")
        click_to_load(page, f'#workflow-actions {dialog} button[data-trigger="{trigger}"]')
        if shot:
            self.shot(page, shot)

    def as_user(self, username: str, trigger: str, *, text: str = "", shot: str = "") -> str:
        self.login(username)
        assert trigger in (self.page.get_attribute("#workflow-actions", "data-triggers") or "")
        self.fire(trigger, text=text, shot=shot or f"{username}-{trigger}")
        assert self.page.locator(".flash-success").count() == 1, self.page.content()[:2000]
        return self.state()

    def signed(self) -> dict[str, str]:
        rows = self.page.locator("#signatures tbody tr")
        return {rows.nth(i).get_attribute("data-username"): rows.nth(i).get_attribute(
            "data-signed") for i in range(rows.count())}


def _evaluation_id(name: str) -> int:
    return db.session.scalar(select(Evaluation.id).where(Evaluation.project_name == name))


@pytest.fixture
def demo(ctx):
    load_demo()
    db.session.commit()


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=VIEWPORT_IDS)
def test_happy_path_through_publication(demo, live_server, browser_page, shots):
    j = Journey(browser_page, live_server, _evaluation_id("政府网站技术服务"), shots)
    j.login("member1")
    assert j.page.get_attribute("#workflow-actions", "data-triggers") == ""
    assert j.as_user("preparer", "submit") == "team_review"
    assert j.signed() == {"leader": "no", "member1": "no", "member2": "no"}
    assert j.as_user("member1", "sign", text="数据核对无误") == "team_review"
    assert j.signed()["member1"] == "yes"
    assert j.as_user("member2", "sign") == "leader_signoff"
    assert j.as_user("leader", "approve", text="同意报送") == "finance_acceptance"
    assert "得分已锁定" in j.page.content()
    assert j.as_user("finance", "accept", text="同意验收") == "accepted"
    assert j.as_user("finance", "publish") == "published"
    html = j.page.content()
    assert 'class="node current" data-state="published"' in html
    for label in ("提交会签", "审定通过", "验收", "公开"):
        assert label in j.page.inner_text("#audit-timeline")
    j.shot(j.page, "published-timeline")


# Long (five rounds): run once, at desktop width; the happy path covers both widths.
@pytest.mark.parametrize("viewport", [DESKTOP], ids=["1440px"])
def test_a_return_at_each_stage_needs_fresh_signatures(demo, live_server, browser_page, shots):
    j = Journey(browser_page, live_server, _evaluation_id("政府网站技术服务"), shots)

    def submit_and_sign(round_: int) -> None:
        assert j.as_user("preparer", "submit", shot=f"r{round_}-submit") == "team_review"
        assert set(j.signed().values()) == {"no"}  # fresh signatures needed
        j.as_user("member1", "sign", shot=f"r{round_}-member1-sign")
        assert j.as_user("member2", "sign", shot=f"r{round_}-member2-sign") == "leader_signoff"

    def returned(by: str, reason: str, round_: int) -> None:
        assert j.as_user(by, "return", text=reason, shot=f"r{round_}-{by}-return") == "draft"
        j.login("preparer")
        assert reason in j.page.inner_text("#return-reason")
        assert "earlier-revisions" in j.page.content()
        j.shot(j.page, f"r{round_}-preparer-sees-reason")

    # team review: an empty reason is refused with a Chinese message, nothing changes
    assert j.as_user("preparer", "submit") == "team_review"
    j.login("member1")
    j.fire("return")
    assert "退回必须填写理由" in j.page.inner_text(".flash-error")
    assert j.state() == "team_review"
    j.shot(j.page, "r1-reason-required")
    returned("member1", "请补充满意度调查佐证", 1)
    submit_and_sign(2)
    returned("leader", "产出指标得分偏高，请复核", 2)
    submit_and_sign(3)
    j.as_user("leader", "approve", shot="r3-approve")
    returned("finance", "资金执行数与决算不一致", 3)
    submit_and_sign(4)
    j.as_user("leader", "approve")
    j.as_user("finance", "accept")
    returned("finance", "公开前发现错别字", 4)
    submit_and_sign(5)
    j.as_user("leader", "approve")
    j.as_user("finance", "accept")
    assert j.as_user("finance", "publish", shot="r5-published") == "published"
    j.login("preparer")
    assert re.search(r"历史版本（4）", j.page.content())
