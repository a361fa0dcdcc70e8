"""The workflow pages over HTTP: buttons by may_<trigger>, refusals with status and a Chinese
message, nothing changed."""

from __future__ import annotations

import pytest
from flask import g
from sqlalchemy import func, select

from tests.workflow.helpers import S
from workflow_app.audit.models import AuditEvent
from workflow_app.extensions import db
from workflow_app.workflow.models import Revision


@pytest.fixture
def as_user(login):
    """as_user(user) -> a client of that user (the test's shared `g` forgets the last one)."""

    def _as(user):
        g.pop("_login_user", None)
        return login(user)

    return _as


def _post(client, evaluation, trigger, **data):
    return client.post(f"/evaluations/{evaluation.id}/transitions/{trigger}", data=data)


def _audit_count() -> int:
    """Events of the workflow (a refusal's own "refused" event is the audit's, issue 9)."""
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action != "refused"))


def test_buttons_are_the_triggers_the_machine_allows(world, as_user):
    db.session.commit()
    page = as_user(world.preparer).get(f"/evaluations/{world.evaluation.id}").text
    assert 'data-triggers="submit"' in page
    page = as_user(world.member1).get(f"/evaluations/{world.evaluation.id}").text
    assert 'data-triggers=""' in page and 'data-trigger="submit"' not in page
    assert "<svg" in page and 'data-state="draft"' in page


def test_submit_sign_approve_over_http(world, as_user):
    db.session.commit()
    e = world.evaluation
    response = _post(as_user(world.preparer), e, "submit")
    assert response.status_code == 302
    page = as_user(world.member1).get(f"/evaluations/{e.id}").text
    assert f'data-username="{world.member1.username}" data-signed="no"' in page
    assert _post(as_user(world.member1), e, "sign", comment="同意").status_code == 302
    assert _post(as_user(world.member2), e, "sign").status_code == 302
    assert _post(as_user(world.leader), e, "approve").status_code == 302
    db.session.expire_all()
    assert db.session.get(type(e), e.id).state == S.FINANCE_ACCEPTANCE


def test_wrong_user_gets_403_and_nothing_changes(world, as_user):
    db.session.commit()
    before = _audit_count()
    response = _post(as_user(world.member1), world.evaluation, "submit")
    assert response.status_code == 403
    assert "只有本单位的填报人可以执行「提交会签」" in response.text
    # No workflow event; the refusal itself is audited (issue 9: refusals are recorded).
    assert _audit_count() == before
    last = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert last.action == "refused" and last.detail["status"] == 403


def test_wrong_state_gets_409(world, as_user):
    db.session.commit()
    response = _post(as_user(world.leader), world.evaluation, "approve")
    assert response.status_code == 409
    assert "当前处于「草稿」阶段，不能执行「审定通过」" in response.text


def test_return_without_reason_is_refused_in_chinese(world, as_user):
    world.go(S.TEAM_REVIEW)
    db.session.commit()
    before = _audit_count()
    response = _post(as_user(world.member1), world.evaluation, "return", reason="  ")
    assert response.status_code == 422 and "退回必须填写理由" in response.text
    assert _audit_count() == before
    db.session.expire_all()
    assert db.session.get(type(world.evaluation), world.evaluation.id).state == S.TEAM_REVIEW


def test_unknown_trigger_and_other_units(world, as_user):
    db.session.commit()
    assert _post(as_user(world.preparer), world.evaluation, "explode").status_code == 409
    assert _post(as_user(world.outsider), world.evaluation, "submit").status_code == 404
    assert db.session.scalar(select(func.count()).select_from(Revision)) == 0


def test_batch_accept_from_the_inbox(world, as_user, make, no_publication):
    from tests.workflow.helpers import build_world

    world.go(S.FINANCE_ACCEPTANCE)
    other = build_world(make)
    db.session.commit()
    response = as_user(world.finance).post(
        "/workflow/batch/accept",
        data={"evaluation_id": [str(world.evaluation.id), str(other.evaluation.id)],
              "confirmed": "1", "no_review": "1"},
        follow_redirects=True)
    assert "已验收 1 项" in response.text and "无权查看" in response.text


def test_delegate_add_signer_and_comment_pages(world, as_user):
    world.go(S.TEAM_REVIEW)
    db.session.commit()
    e = world.evaluation
    client = as_user(world.member1)
    assert client.post(f"/evaluations/{e.id}/delegate",
                       data={"delegate_id": world.colleague.id}).status_code == 302
    page = as_user(world.colleague).get(f"/evaluations/{e.id}").text
    assert 'data-triggers="sign"' in page and "已转交" in page
    client = as_user(world.leader)
    assert client.post(f"/evaluations/{e.id}/signers",
                       data={"user_id": world.colleague.id}).status_code == 302
    response = client.post(f"/evaluations/{e.id}/signers", data={"user_id": world.colleague.id})
    assert response.status_code == 422 and "已是评价工作组成员" in response.text
    response = client.post(f"/evaluations/{e.id}/comments",
                           data={"indicator_code": "1.1", "body": "请补充佐证"},
                           follow_redirects=True)
    assert "请补充佐证" in response.text and 'id="thread-1.1"' in response.text


def test_diagram_endpoints(client):
    svg = client.get("/workflow/diagram.svg?state=accepted")
    assert svg.mimetype == "image/svg+xml" and b'class="node current" data-state="accepted"' \
        in svg.data
    assert b"stateDiagram-v2" in client.get("/workflow/diagram.mmd").data


def test_cli_fires_through_the_same_operation(app, world):
    db.session.commit()
    runner = app.test_cli_runner()
    e = world.evaluation
    result = runner.invoke(args=["workflow", "fire", str(e.id), "approve", "--as",
                                 world.leader.username])
    assert result.exit_code != 0 and "不能执行「审定通过」" in result.output
    result = runner.invoke(args=["workflow", "fire", str(e.id), "submit", "--as",
                                 world.preparer.username])
    assert result.exit_code == 0 and "team_review" in result.output
    assert "stateDiagram-v2" in runner.invoke(args=["workflow", "diagram"]).output
