"""HASH_ALGORITHM per event (issue 9 item 7): each row is hashed with the algorithm configured
when it was appended, and verified with its own, so a switch mid-chain breaks nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from tests.audit.test_audit import _cli
from workflow_app.audit import trail
from workflow_app.audit.models import AuditEvent
from workflow_app.extensions import db
from workflow_app.integrity import hashing
from workflow_app.integrity.sm3 import SM3


def _record(app, monkeypatch, algorithm: str, n: int, tag: str) -> None:
    monkeypatch.setitem(app.config, "HASH_ALGORITHM", algorithm)
    for i in range(n):
        trail.record("login", None, role="system", detail={"tag": tag, "i": i})
    db.session.commit()


def _events() -> list[AuditEvent]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)))


@pytest.mark.parametrize("algorithm", ["sha256", "sm3"])
def test_a_chain_in_one_algorithm(app, ctx, monkeypatch, algorithm):
    _record(app, monkeypatch, algorithm, 3, algorithm)
    events = _events()
    assert [e.hash_algorithm for e in events] == [algorithm] * 3
    for event in events:  # recomputed independently: the pure-Python SM3 or hashlib
        payload = trail._canonical(trail._fields(event), event.prev_hash)
        expected = (SM3(payload).hexdigest() if algorithm == "sm3"
                    else hashing.constructor("sha256")(payload).hexdigest())
        assert event.hash == expected
    result = trail.verify()
    assert result.ok and result.count == 3 and result.algorithms == (algorithm,)
    code, output = _cli(app)
    assert code == 0 and hashing.label(algorithm) in output


def test_switching_mid_chain_keeps_older_rows_verifiable(app, ctx, monkeypatch, tamper):
    _record(app, monkeypatch, "sha256", 2, "before")
    _record(app, monkeypatch, "sm3", 2, "after")
    _record(app, monkeypatch, "sha256", 1, "back")
    events = _events()
    assert [e.hash_algorithm for e in events] == ["sha256", "sha256", "sm3", "sm3", "sha256"]
    result = trail.verify()
    assert result.ok and result.count == 5 and result.algorithms == ("sha256", "sm3")
    code, output = _cli(app)
    assert code == 0 and "SHA-256" in output and "SM3" in output
    # Relabelling an SM3 row as SHA-256 (or the reverse) breaks it: the hash no longer matches.
    tamper("UPDATE audit_events SET hash_algorithm = 'sha256' WHERE id = :id", id=events[2].id)
    bad = trail.verify()
    assert not bad.ok and bad.bad_event_id == events[2].id and "篡改" in bad.problem


def test_the_database_refuses_an_unknown_algorithm_and_a_fork(app, ctx):
    trail.record("login", None, role="system")
    db.session.commit()
    first = _events()[0]
    row = ("INSERT INTO audit_events (actor_role, action, from_state, to_state, reason, detail,"
           " created_at, prev_hash, hash, hash_algorithm) VALUES ('system', 'x', '', '', '',"
           " '{}', :at, :prev, :hash, :algorithm)")
    with pytest.raises(IntegrityError):
        db.session.execute(text(row), {"at": first.created_at, "prev": first.hash,
                                       "hash": "b" * 64, "algorithm": "md5"})
    db.session.rollback()
    with pytest.raises(IntegrityError):  # a second successor of the genesis: a fork
        db.session.execute(text(row), {"at": first.created_at, "prev": trail.GENESIS,
                                       "hash": "c" * 64, "algorithm": "sha256"})
    db.session.rollback()
