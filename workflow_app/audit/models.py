"""The append-only, hash-chained audit trail."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflow_app.auth.models import User
from workflow_app.dbtypes import UTCDateTime, utcnow
from workflow_app.extensions import db


class AuditEvent(db.Model):
    """Who did what, as which role, when, from which state to which, and why.

    Each row carries the hash of the previous row (`prev_hash`) and its own (`hash`), so a
    row altered or removed by hand breaks the chain (`flask audit verify`). `hash_algorithm`
    says which function made `hash` (sha256 | sm3, HASH_ALGORITHM when it was appended), so a
    switch never breaks older rows. `prev_hash` is UNIQUE: the chain cannot fork.
    """

    __tablename__ = "audit_events"
    __table_args__ = (
        CheckConstraint("length(hash) = 64", name="hash_length"),
        CheckConstraint("length(prev_hash) = 64", name="prev_hash_length"),
        CheckConstraint("hash_algorithm IN ('sha256', 'sm3')", name="hash_algorithm"),
        # A unique index (SQLite cannot add a UNIQUE constraint to an existing table).
        Index("ix_audit_events_prev_hash", "prev_hash", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int | None] = mapped_column(
        ForeignKey("evaluations.id", ondelete="RESTRICT"), index=True
    )
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    actor_role: Mapped[str] = mapped_column(String(40), default="")
    action: Mapped[str] = mapped_column(String(40))
    from_state: Mapped[str] = mapped_column(String(40), default="")
    to_state: Mapped[str] = mapped_column(String(40), default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)
    hash_algorithm: Mapped[str] = mapped_column(String(10), default="sha256",
                                                server_default="sha256")

    actor: Mapped[User | None] = relationship()
