"""Appending at commit time: the chain's lock is held for the commit only (issue 10 item 3).

Each thread has its own app context, hence its own session and connection (SQLite file or
PostgreSQL), so these are real concurrent transactions.
"""

from __future__ import annotations

import threading

from sqlalchemy import select, text

from workflow_app.audit import trail
from workflow_app.audit.models import AuditEvent
from workflow_app.extensions import db

JOIN_TIMEOUT = 60  # generous: a loaded machine; only a thread that is stuck reaches it


def _events() -> list[AuditEvent]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)))


def test_concurrent_writers_build_one_valid_chain(app, ctx):
    threads, per_thread = 4, 5
    barrier = threading.Barrier(threads)
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        with app.app_context():
            try:
                barrier.wait()
                for i in range(per_thread):
                    trail.record("login", None, role="system", detail={"writer": n, "i": i})
                    db.session.commit()
            except BaseException as exc:  # noqa: BLE001 (reported by the assertion below)
                errors.append(exc)
            finally:
                db.session.remove()

    workers = [threading.Thread(target=writer, args=(n,)) for n in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(JOIN_TIMEOUT)
    assert not errors and not any(w.is_alive() for w in workers)
    events = _events()
    assert len(events) == threads * per_thread
    assert len({e.prev_hash for e in events}) == len(events)  # no fork
    assert events[0].prev_hash == trail.GENESIS
    assert all(b.prev_hash == a.hash for a, b in zip(events, events[1:], strict=False))
    result = trail.verify()
    assert result.ok and result.count == threads * per_thread


def test_a_slow_transaction_does_not_block_another_writer(app, ctx):
    """A records, then 'renders' (waits); B records and commits meanwhile; A commits last."""
    recorded, released = threading.Event(), threading.Event()
    outcome: dict[str, object] = {}

    def slow() -> None:
        with app.app_context():
            try:
                event = trail.record("publish", None, role="system", detail={"who": "slow"})
                db.session.execute(text("SELECT 1"))  # the request goes on with its connection
                recorded.set()
                outcome["slow_waited"] = released.wait(JOIN_TIMEOUT)
                db.session.commit()
                outcome["slow_id"] = event.id
            except BaseException as exc:  # noqa: BLE001
                outcome["slow_error"] = exc
                recorded.set()
            finally:
                db.session.remove()

    def quick() -> None:
        with app.app_context():
            try:
                event = trail.record("sign", None, role="system", detail={"who": "quick"})
                db.session.commit()
                outcome["quick_id"] = event.id
            except BaseException as exc:  # noqa: BLE001
                outcome["quick_error"] = exc
            finally:
                db.session.remove()

    a = threading.Thread(target=slow)
    a.start()
    assert recorded.wait(JOIN_TIMEOUT)
    b = threading.Thread(target=quick)
    b.start()
    b.join(JOIN_TIMEOUT)
    quick_done_while_slow_waited = not b.is_alive() and "quick_id" in outcome
    released.set()
    a.join(JOIN_TIMEOUT)
    b.join(JOIN_TIMEOUT)
    assert "quick_error" not in outcome and "slow_error" not in outcome, outcome
    assert quick_done_while_slow_waited
    assert outcome["slow_waited"] is True
    assert outcome["quick_id"] < outcome["slow_id"]  # chained in commit order
    events = _events()
    assert [e.detail["who"] for e in events] == ["quick", "slow"]
    assert trail.verify().ok


def test_nothing_is_written_before_the_commit_and_a_rollback_discards(app, ctx):
    event = trail.record("login", None, role="system")
    assert event.id is None and trail.pending_count() == 1
    db.session.rollback()
    assert trail.pending_count() == 0
    db.session.commit()
    assert _events() == []
    kept = trail.record("login", None, role="system", detail={"n": 1})
    db.session.commit()
    assert kept.id is not None and kept.prev_hash == trail.GENESIS
    assert [e.detail for e in _events()] == [{"n": 1}]


def test_a_rolled_back_savepoint_drops_only_its_own_events(app, ctx):
    trail.record("login", None, role="system", detail={"n": "outer"})
    savepoint = db.session.begin_nested()
    trail.record("login", None, role="system", detail={"n": "undone"})
    savepoint.rollback()
    savepoint = db.session.begin_nested()
    trail.record("login", None, role="system", detail={"n": "released"})
    savepoint.commit()
    db.session.commit()
    assert [e.detail["n"] for e in _events()] == ["outer", "released"]
    assert trail.verify().ok


def test_the_recording_transaction_reads_its_own_events(app, ctx):
    trail.record("login", None, role="system", detail={"n": 1})
    trail.record("logout", None, role="system", detail={"n": 2})
    seen = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert seen == ["login", "logout"]
    trail.record("login", None, role="system", detail={"n": 3})
    db.session.commit()
    events = _events()
    assert [e.detail["n"] for e in events] == [1, 2, 3] and trail.verify().ok


def test_an_event_that_cannot_be_stored_is_refused_when_recorded(app, ctx):
    import pytest

    with pytest.raises(TypeError):
        trail.record("login", None, role="system", detail={"when": object()})
    assert trail.pending_count() == 0
