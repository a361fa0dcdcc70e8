"""The audit trail is append-only and hash-chained; `flask audit verify` finds tampering.

To tamper on purpose the test first switches the database's append-only trigger off (the
``tamper`` fixture, tests/audit/conftest.py) and puts it back afterwards — exactly what an
attacker with database access would have to do.
"""

from __future__ import annotations

import contextlib

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from tests.workflow.helpers import S, build_world
from workflow_app.audit import trail
from workflow_app.audit.models import AuditEvent
from workflow_app.extensions import db
from workflow_app.workflow.errors import LockedContent


@pytest.fixture
def history(make, db_session, no_publication):
    """A committed trail: logins and a whole workflow."""
    world = build_world(make)
    trail.record("login", world.preparer)
    world.go(S.PUBLISHED)
    db.session.commit()
    return list(db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)))


@pytest.fixture
def no_publication(monkeypatch):
    from workflow_app.workflow import steps

    monkeypatch.setattr(steps, "publish_report", lambda firing: None)


def _cli(app):
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    output = result.output
    with contextlib.suppress(ValueError, AttributeError):
        output += result.stderr
    return result.exit_code, output


def test_an_intact_chain_verifies(app, history):
    assert trail.verify().ok and trail.verify().count == len(history)
    code, output = _cli(app)
    assert code == 0 and "校验通过" in output


def test_an_altered_row_is_named(app, history, tamper):
    victim = history[3]
    tamper("UPDATE audit_events SET reason = '改过的理由' WHERE id = :id", id=victim.id)
    db.session.expire_all()
    result = trail.verify()
    assert not result.ok and result.bad_event_id == victim.id and "篡改" in result.problem
    code, output = _cli(app)
    assert code != 0 and f"id={victim.id}" in output


def test_a_removed_row_is_caught_at_the_next_one(app, history, tamper):
    victim = history[2]
    tamper("DELETE FROM audit_events WHERE id = :id", id=victim.id)
    db.session.expire_all()
    result = trail.verify()
    assert not result.ok and result.bad_event_id == history[3].id
    code, output = _cli(app)
    assert code != 0 and f"id={history[3].id}" in output


def test_the_database_and_the_models_refuse_to_rewrite_history(history):
    with pytest.raises(DBAPIError):
        db.session.execute(text("UPDATE audit_events SET reason = 'x'"))
    db.session.rollback()
    event = db.session.get(AuditEvent, history[0].id)
    event.reason = "x"
    with pytest.raises(LockedContent):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.get(AuditEvent, history[0].id))
    with pytest.raises(LockedContent):
        db.session.flush()
    db.session.rollback()


def test_the_evaluation_page_shows_its_timeline(history, login, make):
    from workflow_app.evaluations.models import Evaluation

    evaluation = db.session.scalar(select(Evaluation))
    preparer = evaluation.preparer
    html = login(preparer).get(f"/evaluations/{evaluation.id}").text
    assert 'id="audit-timeline"' in html
    for label in ("提交会签", "会签", "审定通过", "验收", "公开"):
        assert label in html
    assert "草稿 → 工作组会签" in html


def test_verify_streams_in_keyset_batches(app, ctx, count_queries, tamper):
    for i in range(10):
        trail.record("login", None, role="system", detail={"n": i})
    db.session.commit()
    db.session.remove()
    with count_queries() as q:
        result = trail.verify(batch=4)
    assert result.ok and result.count == 10
    selects = [s for s in q.statements if "FROM audit_events" in s]
    assert len(selects) == 4 and all("LIMIT" in s for s in selects)  # 4 + 4 + 2, then empty
    ids = [e.id for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    tamper("UPDATE audit_events SET reason = 'x' WHERE id = :id", id=ids[9])
    bad = trail.verify(batch=4)
    assert not bad.ok and bad.bad_event_id == ids[9] and bad.count == 10
    assert bad.last_id == ids[8]
