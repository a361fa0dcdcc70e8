"""Appending to and verifying the hash-chained audit trail.

Each event's hash is SHA-256 over the canonical JSON of its fields and the previous event's
hash. Appends are serialised (an advisory lock on PostgreSQL; SQLite has one writer anyway), so
two requests never chain onto the same predecessor.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from sqlalchemy import select, text

from workflow_app.audit.models import AuditEvent
from workflow_app.auth.models import User
from workflow_app.dbtypes import utcnow
from workflow_app.extensions import db

GENESIS = "0" * 64
_LOCK_KEY = 7_362_514  # arbitrary, constant: "the audit chain"


def _event_hash(fields: dict[str, Any], prev_hash: str) -> str:
    payload = json.dumps(
        {**fields, "prev_hash": prev_hash},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _fields(event: AuditEvent) -> dict[str, Any]:
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
    """Append one event to the chain (flushes; the caller commits)."""
    session = db.session
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_KEY})
    last = session.execute(
        select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)
    ).scalar_one_or_none()
    prev_hash = last or GENESIS
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
        prev_hash=prev_hash,
    )
    event.hash = _event_hash(_fields(event), prev_hash)
    session.add(event)
    session.flush()
    return event


@dataclass(frozen=True)
class VerifyResult:
    """Outcome of checking the chain: ok, how many events, and the first bad one."""

    ok: bool
    count: int
    bad_event_id: int | None = None
    problem: str = ""


def verify() -> VerifyResult:
    """Walk the chain in order; report the first event whose hash or link does not hold."""
    prev_hash = GENESIS
    count = 0
    for event in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)):
        count += 1
        if event.prev_hash != prev_hash:
            return VerifyResult(False, count, event.id, "前一条记录的哈希不符（记录被删除或插入）")
        if _event_hash(_fields(event), event.prev_hash) != event.hash:
            return VerifyResult(False, count, event.id, "记录内容与其哈希不符（记录被篡改）")
        prev_hash = event.hash
    return VerifyResult(True, count)
