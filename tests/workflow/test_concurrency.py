"""Two people at the same moment, each in their own thread, app context and session.

Same trigger twice → exactly one succeeds, the other gets a clear message and nothing of it is
saved. Two members signing at once → both signatures count and the move to leader_signoff
happens once. Runs on the SQLite file database and on PostgreSQL (TEST_DB=postgresql).
"""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from tests.workflow.helpers import S, build_world
from workflow_app.audit import trail
from workflow_app.audit.models import AuditEvent
from workflow_app.auth.models import User
from workflow_app.evaluations.models import Evaluation
from workflow_app.extensions import db
from workflow_app.notifications.models import Notification
from workflow_app.workflow import revisions as rv
from workflow_app.workflow.errors import WorkflowError
from workflow_app.workflow.operations import fire


def _race(app, evaluation_id: int, attempts: list[tuple[int, str]]) -> list[str]:
    """Fire (user id, trigger) pairs at once; each returns "ok" or the error message."""
    barrier = threading.Barrier(len(attempts))
    results: list[str] = [""] * len(attempts)

    def run(index: int, user_id: int, trigger: str) -> None:
        with app.app_context():
            evaluation = db.session.get(Evaluation, evaluation_id)
            user = db.session.get(User, user_id)
            _ = evaluation.state, [m.user for m in evaluation.team]  # loaded before the race
            barrier.wait()
            try:
                fire(evaluation, trigger, user)
                db.session.commit()
                results[index] = "ok"
            except WorkflowError as exc:
                db.session.rollback()
                results[index] = str(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i, u, t)) for i, (u, t) in enumerate(attempts)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def _count(query) -> int:
    return db.session.scalar(select(func.count()).select_from(query.subquery()))


def test_same_trigger_twice_one_wins(app, make, db_session):
    world = build_world(make)
    second = make.user(world.finance.unit, is_finance_officer=True, name="财政壬")
    world.go(S.FINANCE_ACCEPTANCE)
    db.session.commit()
    eid = world.evaluation.id
    results = _race(app, eid, [(world.finance.id, "accept"), (second.id, "accept")])
    assert sorted(r == "ok" for r in results) == [False, True], results
    loser = next(r for r in results if r != "ok")
    assert "刚刚已被其他人处理" in loser and "已验收" in loser
    db.session.expire_all()
    assert db.session.get(Evaluation, eid).state == S.ACCEPTED
    assert _count(select(AuditEvent).where(AuditEvent.action == "accept")) == 1
    assert trail.verify().ok


def test_double_submit_by_the_same_preparer(app, make, db_session):
    world = build_world(make)
    db.session.commit()
    eid = world.evaluation.id
    results = _race(app, eid, [(world.preparer.id, "submit")] * 2)
    assert sorted(r == "ok" for r in results) == [False, True], results
    db.session.expire_all()
    assert len(rv.revisions_of(db.session.get(Evaluation, eid))) == 1


def test_two_members_sign_at_once_both_count(app, make, db_session):
    world = build_world(make)
    world.go(S.TEAM_REVIEW)
    db.session.commit()
    eid = world.evaluation.id
    results = _race(app, eid, [(world.member1.id, "sign"), (world.member2.id, "sign")])
    assert results == ["ok", "ok"]
    db.session.expire_all()
    evaluation = db.session.get(Evaluation, eid)
    assert evaluation.state == S.LEADER_SIGNOFF
    assert len(rv.signatures_of(rv.current_revision(evaluation))) == 2
    assert _count(select(AuditEvent).where(AuditEvent.to_state == "leader_signoff")) == 1
    assert _count(select(Notification).where(Notification.kind == "approve")) == 1
    assert trail.verify().ok
