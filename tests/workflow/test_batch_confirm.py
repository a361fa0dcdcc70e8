"""Bulk accept and bulk publish say what they will do before they do it: a confirmation page
lists each item (for acceptance with its 得分差异); accepting without 复核 needs the explicit
"无复核意见", which the server checks too. Nothing changes before the confirmation."""

from __future__ import annotations

from sqlalchemy import func, select

from tests.workflow.helpers import S
from workflow_app.audit.models import AuditEvent
from workflow_app.evaluations.models import Evaluation, RuleType
from workflow_app.extensions import db


def _flag_a_leaf(world):
    """数量指标 (60) scored 60 although its yes/no rule computes 0: one 得分差异."""
    leaf = next(i for i in world.evaluation.indicators if i.name == "数量指标")
    leaf.rule_type, leaf.actual = RuleType.YES_NO, "否"
    leaf.score_reason = leaf.deviation_reason = "未按时完成"
    db.session.flush()


def _state(world):
    db.session.expire_all()
    return db.session.get(Evaluation, world.evaluation.id).state


def _accepts():
    return db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "accept"))


def test_bulk_accept_first_shows_each_items_differences(world, login):
    _flag_a_leaf(world)
    world.go(S.FINANCE_ACCEPTANCE)
    db.session.commit()
    response = login(world.finance).post("/workflow/batch/accept",
                                         data={"evaluation_id": [str(world.evaluation.id)]})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and 'id="batch-confirm"' in page
    assert "不能撤销" in page and "不记录复核得分" in page
    row = page.split(f'data-evaluation="{world.evaluation.id}"', 1)[1].split("</tr>", 1)[0]
    assert "⚑ 1 项" in row and "数量指标" in row and "填报 60，计算 0" in row
    assert 'name="no_review"' in page and "无复核意见" in page
    assert _state(world) == S.FINANCE_ACCEPTANCE and _accepts() == 0


def test_bulk_accept_lists_each_items_findings(world, login):
    from workflow_app.evaluations.findings import findings_for

    _flag_a_leaf(world)
    world.go(S.FINANCE_ACCEPTANCE)
    db.session.commit()
    found = findings_for(world.evaluation)
    assert found, "the flagged leaf is a finding of the review"
    page = login(world.finance).post("/workflow/batch/accept", data={
        "evaluation_id": [str(world.evaluation.id)]}).get_data(as_text=True)
    row = page.split(f'data-evaluation="{world.evaluation.id}"', 1)[1].split("</tr>", 1)[0]
    assert f'data-findings="{len(found)}"' in row and "一致性审查" in row
    for finding in found:
        assert f'data-code="{finding.code}"' in row


def test_confirmed_without_no_review_is_refused_by_the_server(world, login):
    world.go(S.FINANCE_ACCEPTANCE)
    db.session.commit()
    response = login(world.finance).post("/workflow/batch/accept", data={
        "evaluation_id": [str(world.evaluation.id)], "confirmed": "1"})
    assert response.status_code == 422
    assert "无复核意见" in response.get_data(as_text=True)
    assert _state(world) == S.FINANCE_ACCEPTANCE and _accepts() == 0


def test_confirmed_with_no_review_accepts(world, login):
    world.go(S.FINANCE_ACCEPTANCE)
    db.session.commit()
    response = login(world.finance).post("/workflow/batch/accept", data={
        "evaluation_id": [str(world.evaluation.id)], "confirmed": "1", "no_review": "1"},
        follow_redirects=True)
    assert "已验收 1 项" in response.get_data(as_text=True)
    assert _state(world) == S.ACCEPTED


def test_bulk_publish_says_it_cannot_be_undone_before_publishing(world, login, no_publication):
    world.go(S.ACCEPTED)
    db.session.commit()
    client = login(world.finance)
    page = client.post("/workflow/batch/publish",
                       data={"evaluation_id": [str(world.evaluation.id)]}).get_data(as_text=True)
    assert "公开不能撤回" in page and 'name="confirmed" value="1"' in page
    assert _state(world) == S.ACCEPTED
    client.post("/workflow/batch/publish", data={
        "evaluation_id": [str(world.evaluation.id)], "confirmed": "1"})
    assert _state(world) == S.PUBLISHED


def test_an_item_that_cannot_go_ahead_is_listed_with_why(world, login, make):
    from tests.workflow.helpers import build_world

    world.go(S.FINANCE_ACCEPTANCE)
    other = build_world(make)
    db.session.commit()
    page = login(world.finance).post("/workflow/batch/accept", data={
        "evaluation_id": [str(world.evaluation.id), str(other.evaluation.id)]}).get_data(
        as_text=True)
    assert "1 / 2 项可以验收" in page and "无权查看" in page
