"""Appending to and verifying the hash-chained audit trail.

Each event's hash is over the canonical JSON of its fields and the previous event's hash, so
the chain's order is the id order and every row names its predecessor. The function is the
row's own ``hash_algorithm`` (sha256 | sm3): new events take ``HASH_ALGORITHM`` as configured
when they are appended, and verification uses each row's algorithm, so switching the setting
never breaks older rows.

Appending happens at commit time. ``record()`` only builds the event and queues it on the
session (``session.info``); a ``before_commit`` hook then flushes the transaction's other
changes, takes the chain's lock (an advisory lock on PostgreSQL, SQLite's write lock), reads the
newest hash, chains and inserts the queued events. The lock is therefore held for the commit
itself only, never across the slow work a request does after recording (rendering, queries):
two requests never chain onto the same predecessor, and neither waits for the other's work.

A rollback (of the transaction, or of the savepoint the event was recorded in) discards the
queued events. A query of ``audit_events`` inside the recording transaction appends the
queued events first (taking the lock from then on), so a transaction reads its own events, as
it did when recording appended at once — except inside a savepoint, whose rollback would lose
events recorded before it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from sqlalchemy import event as sa_event
from sqlalchemy import select, text
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction
from sqlalchemy.sql.util import find_tables

from workflow_app.audit.models import AuditEvent
from workflow_app.auth.models import User
from workflow_app.dbtypes import utcnow
from workflow_app.extensions import db
from workflow_app.integrity import hashing

GENESIS = "0" * 64
_LOCK_KEY = 7_362_514  # arbitrary, constant: "the audit chain"
_PENDING = "audit_pending"  # session.info: [(transaction recorded in, event)], not yet chained
_WRITTEN = "audit_written"  # session.info: [(id, hash)] chained in this transaction


def _canonical(fields: dict[str, Any], prev_hash: str) -> bytes:
    return json.dumps(
        {**fields, "prev_hash": prev_hash},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode("utf-8")


def _event_hash(fields: dict[str, Any], prev_hash: str, algorithm: str = "sha256") -> str:
    if algorithm == "sha256":  # the common case, without the lookup
        return hashlib.sha256(_canonical(fields, prev_hash)).hexdigest()
    return hashing.hexdigest(_canonical(fields, prev_hash), algorithm)


def _fields(event: Any) -> dict[str, Any]:
    """The hashed fields of an event (an ``AuditEvent`` or a row with the same columns)."""
    return {
        "evaluation_id": event.evaluation_id,
        "actor_id": event.actor_id,
        "actor_role": event.actor_role,
        "action": event.action,
        "from_state": event.from_state,
        "to_state": event.to_state,
        "reason": event.reason,
        "detail": event.detail or {},
        "created_at": event.created_at.astimezone(UTC).isoformat(timespec="microseconds"),
    }


def record(
    action: str,
    actor: User | None,
    *,
    evaluation_id: int | None = None,
    role: str | None = None,
    from_state: str = "",
    to_state: str = "",
    reason: str = "",
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Queue one event for the chain; it is chained and inserted when the caller commits.

    The returned event has its fields (``created_at`` is the time of recording); its ``id``,
    ``prev_hash`` and ``hash`` are set at commit. A rollback discards it.
    """
    session = db.session()
    event = AuditEvent(
        evaluation_id=evaluation_id,
        actor_id=actor.id if actor is not None else None,
        actor_role=role if role is not None else (actor.primary_role if actor else "system"),
        action=action,
        from_state=str(from_state or ""),
        to_state=str(to_state or ""),
        reason=reason or "",
        detail=detail or {},
        created_at=utcnow(),
        hash_algorithm=hashing.current(),
    )
    _canonical(_fields(event), GENESIS)  # not JSON-able: fail here, not at the commit
    # The event belongs to the transaction (or savepoint) it is recorded in; a session that
    # has not begun one yet begins it now, as its first query would.
    transaction = session.get_nested_transaction() or session.get_transaction() or session.begin()
    session.info.setdefault(_PENDING, []).append((transaction, event))
    return event


def pending_count(session: Session | None = None) -> int:
    """How many recorded events of the session wait for its commit."""
    return len((session or db.session()).info.get(_PENDING) or [])


def _take_chain_lock(session: Session, events: list[AuditEvent]) -> None:
    dialect = session.get_bind(mapper=AuditEvent.__mapper__).dialect.name
    if dialect == "postgresql":
        # The rows the new events refer to are share-locked first, so a transaction holding
        # one of them FOR UPDATE and waiting for the chain's lock cannot deadlock with us.
        evaluations = sorted({e.evaluation_id for e in events if e.evaluation_id is not None})
        actors = sorted({e.actor_id for e in events if e.actor_id is not None})
        if evaluations:
            session.execute(text("SELECT 1 FROM evaluations WHERE id = ANY(:ids) "
                                 "ORDER BY id FOR KEY SHARE"), {"ids": evaluations})
        if actors:
            session.execute(text("SELECT 1 FROM users WHERE id = ANY(:ids) "
                                 "ORDER BY id FOR KEY SHARE"), {"ids": actors})
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_KEY})
    elif dialect == "sqlite":
        # A write statement takes SQLite's one write lock (RESERVED) before the head is read;
        # it matches no row, so the append-only triggers never fire.
        session.execute(text("DELETE FROM audit_events WHERE 0 = 1"))


def _append_pending(session: Session) -> None:
    """Chain and insert the session's queued events (under the chain's lock)."""
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    events = [event for _, event in pending]
    session.flush()  # the transaction's other rows first: their locks before the chain's
    with session.no_autoflush:
        _take_chain_lock(session, events)
        prev_hash = session.execute(
            select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)
        ).scalar_one_or_none() or GENESIS
        for event in events:
            event.prev_hash = prev_hash
            event.hash = _event_hash(_fields(event), prev_hash, event.hash_algorithm)
            prev_hash = event.hash
            session.add(event)
    session.flush()
    session.info.setdefault(_WRITTEN, []).extend((e.id, e.hash) for e in events)


def _within(transaction: SessionTransaction | None, ancestor: SessionTransaction) -> bool:
    while transaction is not None:
        if transaction is ancestor:
            return True
        transaction = transaction.parent
    return False


@sa_event.listens_for(Session, "before_commit")
def _append_before_commit(session: Session) -> None:
    if session.info.get(_PENDING) and not session.in_nested_transaction():
        _append_pending(session)  # a savepoint's release keeps them queued for the commit


@sa_event.listens_for(Session, "do_orm_execute")
def _append_before_reading(state: ORMExecuteState) -> None:
    session = state.session
    if (not session.info.get(_PENDING) or not state.is_select or session._flushing
            or session.in_nested_transaction()  # a savepoint's rollback would lose them
            or AuditEvent.__table__ not in find_tables(
                state.statement, include_selects=True, include_aliases=True,
                include_joins=True)):
        return
    _append_pending(session)  # read-your-writes: the transaction sees its own events


@sa_event.listens_for(Session, "after_soft_rollback")
def _discard_on_rollback(session: Session, previous_transaction: SessionTransaction) -> None:
    pending = session.info.get(_PENDING)
    if previous_transaction.parent is None or previous_transaction.nested is False:
        session.info.pop(_PENDING, None)
        session.info.pop(_WRITTEN, None)
        return
    if pending:
        session.info[_PENDING] = [(t, e) for t, e in pending
                                  if t is None or not _within(t, previous_transaction)]


@sa_event.listens_for(Session, "after_commit")
def _checkpoint_after_commit(session: Session) -> None:
    written = session.info.get(_WRITTEN)
    if written:
        from workflow_app.audit import checkpoints

        checkpoints.after_commit(list(written))  # never raises: a failure is logged


@sa_event.listens_for(Session, "after_transaction_end")
def _forget_at_end(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # the outermost transaction is over (commit, rollback, close)
        session.info.pop(_PENDING, None)
        session.info.pop(_WRITTEN, None)


def written_in_last_commit(session: Session) -> list[tuple[int, str]]:
    """(id, hash) of the events the session's current commit appended (for after_commit)."""
    return list(session.info.get(_WRITTEN) or [])


@dataclass(frozen=True)
class VerifyResult:
    """Outcome of checking the chain: ok, how many events, the first bad one, and the newest
    event verified (its id and hash: the head the checkpoints are compared with)."""

    ok: bool
    count: int
    bad_event_id: int | None = None
    problem: str = ""
    last_id: int | None = None
    last_hash: str | None = None
    algorithms: tuple[str, ...] = ()  # the hash algorithms met, in order of first use


BATCH = 5_000
_COLUMNS = [AuditEvent.__table__.c[name] for name in (
    "id", "evaluation_id", "actor_id", "actor_role", "action", "from_state", "to_state",
    "reason", "detail", "created_at", "prev_hash", "hash", "hash_algorithm")]


def rows(batch: int = BATCH, after_id: int = 0) -> Iterator[Any]:
    """Every event as a plain row, in id order, in keyset batches of ``batch`` rows.

    Constant memory: each batch is one ``WHERE id > :last ORDER BY id LIMIT n`` query read in
    full and dropped before the next; no ORM objects enter the session.
    """
    last = after_id
    connection = db.session.connection()
    while True:
        chunk = connection.execute(
            select(*_COLUMNS).where(AuditEvent.id > last).order_by(AuditEvent.id).limit(batch)
        ).all()
        if not chunk:
            return
        yield from chunk
        last = chunk[-1].id
        del chunk


def verify(on_row: Callable[[int, int, str], None] | None = None,
           batch: int = BATCH) -> VerifyResult:
    """Walk the chain in id order as a stream; report the first event whose hash or link does
    not hold.

    ``on_row(count, id, hash)`` is called for every event that verified (the checkpoints use
    it to compare the chain with their heads in the same pass).
    """
    prev_hash = GENESIS
    count = 0
    last_id: int | None = None
    algorithms: dict[str, None] = {}

    def fault(row: Any, problem: str) -> VerifyResult:
        return VerifyResult(False, count, row.id, problem, last_id,
                            prev_hash if last_id is not None else None, tuple(algorithms))

    for row in rows(batch):
        count += 1
        if row.prev_hash != prev_hash:
            return fault(row, "前一条记录的哈希不符（记录被删除或插入）")
        if row.hash_algorithm not in hashing.ALGORITHMS:
            return fault(row, f"未知的哈希算法 {row.hash_algorithm!r}（记录被篡改）")
        if _event_hash(_fields(row), row.prev_hash, row.hash_algorithm) != row.hash:
            return fault(row, "记录内容与其哈希不符（记录被篡改）")
        algorithms.setdefault(row.hash_algorithm)
        prev_hash, last_id = row.hash, row.id
        if on_row is not None:
            on_row(count, row.id, row.hash)
    return VerifyResult(True, count, last_id=last_id,
                        last_hash=prev_hash if last_id is not None else None,
                        algorithms=tuple(algorithms))
