"""我的待办 per role, notifications only to the awaited people, mail after commit, due dates."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from flask import g
from sqlalchemy import select

from tests.workflow.helpers import S
from workflow_app.extensions import db
from workflow_app.notifications.inbox import inbox_items
from workflow_app.notifications.models import Notification
from workflow_app.workflow.errors import PermissionDenied, WorkflowError
from workflow_app.workflow.operations import delegate_signature, fire, set_due_date


def _kinds(user) -> list[str]:
    return [i.kind for i in inbox_items(user)]


def _notified() -> list[tuple[int, str]]:
    return [(n.user_id, n.kind) for n in db.session.scalars(
        select(Notification).order_by(Notification.id))]


def test_inbox_follows_the_evaluation_through_every_role(world, no_publication):
    assert _kinds(world.preparer) == ["draft"]
    assert _kinds(world.member1) == [] and _kinds(world.finance) == []
    world.go(S.TEAM_REVIEW)
    assert _kinds(world.preparer) == [] and _kinds(world.leader) == []
    assert _kinds(world.member1) == ["sign"] and _kinds(world.member2) == ["sign"]
    fire(world.evaluation, "sign", world.member1)
    assert _kinds(world.member1) == [] and _kinds(world.member2) == ["sign"]
    fire(world.evaluation, "sign", world.member2)
    assert _kinds(world.leader) == ["approve"]
    fire(world.evaluation, "approve", world.leader)
    assert _kinds(world.leader) == [] and _kinds(world.finance) == ["accept"]
    assert _kinds(world.other_finance) == []
    fire(world.evaluation, "accept", world.finance)
    assert _kinds(world.finance) == ["publish"]
    fire(world.evaluation, "publish", world.finance)
    assert _kinds(world.finance) == []


def test_a_delegate_sees_the_signature_handed_to_them(world):
    world.go(S.TEAM_REVIEW)
    delegate_signature(world.evaluation, world.member1, world.colleague.id)
    items = inbox_items(world.colleague)
    assert [(i.kind, i.note) for i in items] == [("sign_for", f"代 {world.member1.name} 签字")]


def test_only_the_awaited_people_are_notified(world, no_publication):
    world.go(S.TEAM_REVIEW)
    assert sorted(_notified()) == sorted([(world.member1.id, "sign"), (world.member2.id, "sign")])
    db.session.execute(Notification.__table__.delete())
    fire(world.evaluation, "sign", world.member1)
    assert _notified() == []  # still waiting on member2, already told
    fire(world.evaluation, "sign", world.member2)
    assert _notified() == [(world.leader.id, "approve")]
    fire(world.evaluation, "approve", world.leader)
    assert _notified()[-1] == (world.finance.id, "accept")
    assert world.other_finance.id not in {u for u, _ in _notified()}
    fire(world.evaluation, "return", world.finance, reason="补充材料")
    last = db.session.scalars(select(Notification).order_by(Notification.id.desc())).first()
    assert (last.user_id, last.kind) == (world.preparer.id, "returned")
    assert "补充材料" in last.message


def test_acting_marks_ones_own_notifications_read(world):
    world.go(S.TEAM_REVIEW)
    fire(world.evaluation, "sign", world.member1)
    note = db.session.scalar(select(Notification).where(
        Notification.user_id == world.member1.id))
    db.session.refresh(note)
    assert note.read_at is not None


def test_mail_goes_out_only_after_the_commit(world, smtp_sink):
    db.session.commit()
    fire(world.evaluation, "submit", world.preparer)
    db.session.flush()
    assert smtp_sink.messages == []  # queued, not sent
    db.session.rollback()
    assert smtp_sink.messages == []  # a rolled back step tells nobody
    db.session.commit()
    assert smtp_sink.messages == []  # nothing left in the queue
    evaluation = db.session.get(type(world.evaluation), world.evaluation.id)
    fire(evaluation, "submit", world.preparer)
    db.session.commit()
    recipients = sorted(r for m in smtp_sink.messages for r in m.rcpt_tos)
    assert recipients == sorted([world.member1.email, world.member2.email])
    body = smtp_sink.messages[0].content.decode("utf-8", "replace")
    assert "Subject:" in body


def test_due_dates_mark_overdue_items(world):
    world.go(S.FINANCE_ACCEPTANCE)
    with pytest.raises(PermissionDenied):
        set_due_date(world.preparer, 2024, date.today())
    with pytest.raises(WorkflowError):
        set_due_date(world.finance, 1999, date.today())
    set_due_date(world.finance, 2024, date.today() + timedelta(days=3))
    item = inbox_items(world.finance)[0]
    assert item.due_on == date.today() + timedelta(days=3) and not item.overdue
    set_due_date(world.finance, 2024, date.today() - timedelta(days=1))
    assert inbox_items(world.finance)[0].overdue


def test_inbox_page_badge_and_overdue_mark(world, login):
    world.go(S.FINANCE_ACCEPTANCE)
    set_due_date(world.finance, 2024, date.today() - timedelta(days=1))
    db.session.commit()
    client = login(world.finance)
    html = client.get("/inbox").text
    assert 'data-kind="accept"' in html and "已逾期" in html
    assert 'data-count="inbox">1<' in html
    response = client.post("/due-dates", data={"fiscal_year": "2024", "due_on": "2024-13-40"},
                           follow_redirects=True)
    assert "截止日期格式不正确" in response.text
    g.pop("_login_user", None)  # the test's app context is shared by its requests
    assert login(world.preparer).post("/due-dates", data={"fiscal_year": "2024"}) \
        .status_code == 403
