"""Checkpoints outside the database catch what the chain alone cannot (issue 9 item 6b).

Each attack is raw SQL behind the application's back (the ``tamper`` fixture switches the
append-only trigger off, as the tables' owner would). The chain check alone passes a deleted
tail, a truncated table and a recomputed chain — ``trail.verify().ok`` is asserted to show it —
while the checkpoints name each.
"""

from __future__ import annotations

import json
import logging

import pytest
from sqlalchemy import select

from tests.audit.test_audit import _cli
from workflow_app.audit import checkpoints, trail
from workflow_app.audit.models import AuditEvent
from workflow_app.extensions import db


@pytest.fixture
def every_five(app, monkeypatch):
    monkeypatch.setitem(app.config, "AUDIT_CHECKPOINT_EVERY", 5)


@pytest.fixture
def chain(ctx, every_five):
    """12 events committed one by one: automatic checkpoints at 5 and 10, one on demand at 12."""
    for i in range(12):
        trail.record("login", None, role="system", detail={"n": i})
        db.session.commit()
    assert checkpoints.write()["event_id"] == _events()[-1].id
    return _events()


def _events() -> list[AuditEvent]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)))


def _lines() -> list[dict]:
    return [json.loads(line) for line in checkpoints.path().read_text().splitlines()]


def _kinds(result) -> list[str]:
    return [f.kind for f in result.faults]


def test_checkpoints_are_written_every_n_events_with_a_mac(chain):
    lines = _lines()
    assert [(e["event_id"], e["count"]) for e in lines] == [
        (chain[4].id, 5), (chain[9].id, 10), (chain[11].id, 12)]
    assert all(e["hash"] == next(x.hash for x in chain if x.id == e["event_id"]) for e in lines)
    assert all(e["key_id"] and len(e["mac"]) == 64 for e in lines)
    assert checkpoints.write() is None  # the head is already checkpointed
    result = checkpoints.verify()
    assert result.ok and result.checked == 3 and result.uncovered == 0


def test_the_cli_writes_a_checkpoint_and_verify_reports_it(app, ctx):
    runner = app.test_cli_runner()
    trail.record("login", None, role="system")
    db.session.commit()
    result = runner.invoke(args=["audit", "checkpoint"])
    assert result.exit_code == 0 and "已写入检查点" in result.output
    code, output = _cli(app)
    assert code == 0 and "检查点一致：1 个检查点" in output


def test_a_rolled_back_event_is_never_checkpointed(ctx, every_five):
    for i in range(4):
        trail.record("login", None, role="system", detail={"n": i})
    db.session.commit()
    trail.record("login", None, role="system", detail={"n": "undone"})
    assert len(db.session.scalars(select(AuditEvent.id)).all()) == 5  # appended, uncommitted
    db.session.rollback()
    assert not checkpoints.path().exists()  # the fifth event crossed 5, but never committed
    for i in range(4, 10):
        trail.record("login", None, role="system", detail={"n": i})
        db.session.commit()
    rows = {e.id: e.hash for e in _events()}
    lines = _lines()
    assert lines and all(rows.get(e["event_id"]) == e["hash"] for e in lines)
    assert "undone" not in [e.detail["n"] for e in _events()]
    assert checkpoints.verify().ok


def test_a_failing_checkpoint_never_fails_the_request(app, ctx, every_five, monkeypatch,
                                                      tmp_path, caplog):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setitem(app.config, "AUDIT_CHECKPOINT_PATH", str(blocker / "cannot.jsonl"))
    with caplog.at_level(logging.ERROR):
        for i in range(5):
            trail.record("login", None, role="system", detail={"n": i})
        db.session.commit()
    assert len(_events()) == 5
    assert "writing the audit checkpoint" in caplog.text


def test_rows_deleted_from_the_tail_are_named(app, chain, tamper):
    tamper("DELETE FROM audit_events WHERE id > :id", id=chain[7].id)
    assert trail.verify().ok  # the chain alone cannot tell
    result = checkpoints.verify()
    assert _kinds(result) == ["tail_deleted"]
    assert f"id={chain[11].id}" in result.problem and f"id={chain[7].id}" in result.problem
    code, output = _cli(app)
    assert code != 0 and "尾部记录被删除" in output


def test_a_truncated_table_is_named(app, chain, tamper):
    if db.engine.dialect.name == "postgresql":
        db.session.rollback()  # TRUNCATE waits for every open reader of the table
        tamper("TRUNCATE audit_events")
    else:
        tamper("DELETE FROM audit_events")
    assert trail.verify().ok and trail.verify().count == 0
    result = checkpoints.verify()
    assert _kinds(result) == ["truncated"] and "审计表被清空" in result.problem
    code, output = _cli(app)
    assert code != 0 and "审计表被清空" in output


def _recompute_from(tamper, events: list[AuditEvent], start: int) -> None:
    """Recompute every hash from ``events[start]`` on in Python and UPDATE them all."""
    prev = events[start - 1].hash if start else trail.GENESIS
    statements = []
    for event in events[start:]:
        digest = trail._event_hash(trail._fields(event), prev, event.hash_algorithm)
        statements.append(("UPDATE audit_events SET prev_hash = :p, hash = :h WHERE id = :id",
                           {"p": prev, "h": digest, "id": event.id}))
        prev = digest
    tamper(statements)


def test_an_edited_and_recomputed_chain_is_named(app, chain, tamper):
    victim = chain[2]
    tamper("UPDATE audit_events SET reason = '改过的理由' WHERE id = :id", id=victim.id)
    _recompute_from(tamper, _events(), 2)
    assert trail.verify().ok  # a recomputed chain passes the chain check
    result = checkpoints.verify()
    assert _kinds(result) == ["recomputed"] * 3
    assert result.faults[0].event_id == chain[4].id and "重算" in result.problem
    code, output = _cli(app)
    assert code != 0 and f"id={chain[4].id}" in output


def test_a_deleted_middle_row_and_a_recomputed_chain_are_named(chain, tamper):
    tamper("DELETE FROM audit_events WHERE id = :id", id=chain[4].id)  # a checkpointed row
    _recompute_from(tamper, _events(), 4)
    assert trail.verify().ok
    kinds = _kinds(checkpoints.verify())
    assert kinds[0] == "missing_row" and "recomputed" in kinds


def test_an_edited_row_is_named_by_the_chain(app, chain, tamper):
    tamper("UPDATE audit_events SET reason = 'x' WHERE id = :id", id=chain[6].id)
    result = trail.verify()
    assert not result.ok and result.bad_event_id == chain[6].id
    code, output = _cli(app)
    assert code != 0 and f"id={chain[6].id}" in output


def test_a_forged_checkpoint_line_is_named_and_not_trusted(app, chain, tamper):
    tamper("DELETE FROM audit_events WHERE id > :id", id=chain[9].id)
    newest = _lines()[-1]
    forged = {**newest, "event_id": chain[9].id, "count": 10, "hash": chain[9].hash}
    with checkpoints.path().open("a") as out:  # the attacker "moves" the head back
        out.write(json.dumps(forged) + "\n")
    result = checkpoints.verify()
    assert _kinds(result) == ["forged", "tail_deleted"]
    assert "第 4 行" in result.problem and "MAC" in result.problem
    with checkpoints.path().open("a") as out:
        out.write("not json\n")
    assert "unreadable" in _kinds(checkpoints.verify())
    code, output = _cli(app)
    assert code != 0 and "伪造" in output


def test_the_next_checkpoint_after_a_tail_deletion_keeps_the_fault_visible(chain, tamper):
    tamper("DELETE FROM audit_events WHERE id > :id", id=chain[7].id)
    db.session.expunge_all()  # SQLite gives the next event a deleted row's id
    trail.record("login", None, role="system")
    db.session.commit()
    checkpoints.write()
    kinds = _kinds(checkpoints.verify())
    assert "missing_row" in kinds or "tail_deleted" in kinds
