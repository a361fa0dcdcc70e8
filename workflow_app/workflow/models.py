"""Revisions, signatures, delegations and the finance bureau's re-check (复核)."""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflow_app.auth.models import User
from workflow_app.dbtypes import Score, UTCDateTime, enum_column, utcnow
from workflow_app.evaluations.models import Evaluation
from workflow_app.extensions import db
from workflow_app.integrity import macs
from workflow_app.workflow.states import TeamRole


class Revision(db.Model):
    """The content as submitted: a canonical snapshot and its hash (SHA-256 or SM3, named by
    ``hash_algorithm``). Never changes. ``mac`` binds the submission and ``approval_mac`` the
    leader's approval under the server's integrity key (workflow_app.integrity.macs)."""

    __tablename__ = "revisions"
    __table_args__ = (
        UniqueConstraint("evaluation_id", "number"),
        CheckConstraint("number >= 1", name="number_positive"),
        CheckConstraint("length(content_hash) = 64", name="content_hash_length"),
        CheckConstraint("hash_algorithm IN ('sha256', 'sm3')", name="hash_algorithm_known"),
        CheckConstraint("length(mac) = 64", name="mac_length"),
        CheckConstraint(
            "(approved_at IS NULL AND approval_mac IS NULL AND approval_mac_key_id IS NULL) OR "
            "(approved_at IS NOT NULL AND length(approval_mac) = 64 "
            "AND approval_mac_key_id IS NOT NULL)", name="approval_mac_if_approved"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(
        ForeignKey("evaluations.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    snapshot: Mapped[str] = mapped_column(Text)  # canonical JSON (docs/evaluation-schema.md)
    content_hash: Mapped[str] = mapped_column(String(64))
    hash_algorithm: Mapped[str] = mapped_column(String(10), server_default="sha256")
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    submitted_by_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    approved_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="RESTRICT")
    )
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    return_reason: Mapped[str] = mapped_column(Text, default="")
    mac: Mapped[str] = mapped_column(String(64))
    mac_key_id: Mapped[str] = mapped_column(String(80))
    approval_mac: Mapped[str | None] = mapped_column(String(64))
    approval_mac_key_id: Mapped[str | None] = mapped_column(String(80))

    evaluation: Mapped[Evaluation] = relationship()
    submitted_by: Mapped[User] = relationship(foreign_keys=[submitted_by_id])
    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id])
    signatures: Mapped[list[Signature]] = relationship(
        back_populates="revision", order_by="Signature.signed_at"
    )


class SignatureKind(enum.StrEnum):
    """A member's 会签, or the leader's sign-off (审定)."""

    SIGN = "sign"
    APPROVE = "approve"


class Signature(db.Model):
    """One member's signature on one revision, bound to that revision's content hash (in the
    revision's algorithm) and, by ``mac``, to the server's integrity key."""

    __tablename__ = "signatures"
    __table_args__ = (
        UniqueConstraint("revision_id", "member_id"),
        CheckConstraint("length(content_hash) = 64", name="content_hash_length"),
        CheckConstraint("length(mac) = 64", name="mac_length"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    revision_id: Mapped[int] = mapped_column(
        ForeignKey("revisions.id", ondelete="RESTRICT"), index=True
    )
    # Whose signature this is; signer differs when the member handed it over (转交).
    member_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    signer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    team_role: Mapped[TeamRole] = mapped_column(enum_column(TeamRole, "signature_team_role"))
    kind: Mapped[SignatureKind] = mapped_column(
        enum_column(SignatureKind, "signature_kind"), default=SignatureKind.SIGN
    )
    content_hash: Mapped[str] = mapped_column(String(64))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    client_address: Mapped[str] = mapped_column(String(64), default="")
    comment: Mapped[str] = mapped_column(Text, default="")
    mac: Mapped[str] = mapped_column(String(64))
    mac_key_id: Mapped[str] = mapped_column(String(80))

    revision: Mapped[Revision] = relationship(back_populates="signatures")
    member: Mapped[User] = relationship(foreign_keys=[member_id], lazy="joined")
    signer: Mapped[User] = relationship(foreign_keys=[signer_id], lazy="joined")


macs.install(Revision, Signature)  # every row written through the model layer is signed


class SignatureDelegation(db.Model):
    """转交: member A lets user B sign for them on one revision."""

    __tablename__ = "signature_delegations"
    __table_args__ = (
        UniqueConstraint("revision_id", "member_id"),
        CheckConstraint("member_id <> delegate_id", name="not_self"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    revision_id: Mapped[int] = mapped_column(
        ForeignKey("revisions.id", ondelete="CASCADE"), index=True
    )
    member_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    delegate_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"),
                                             index=True)  # the 代签 inbox
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    member: Mapped[User] = relationship(foreign_keys=[member_id])
    delegate: Mapped[User] = relationship(foreign_keys=[delegate_id])


class IndicatorReview(db.Model):
    """The finance bureau's re-check score and opinion (复核), beside the locked self-score."""

    __tablename__ = "indicator_reviews"
    __table_args__ = (
        UniqueConstraint("revision_id", "indicator_code"),
        CheckConstraint("score IS NULL OR score >= 0", name="score_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    revision_id: Mapped[int] = mapped_column(
        ForeignKey("revisions.id", ondelete="CASCADE"), index=True
    )
    indicator_code: Mapped[str] = mapped_column(String(20))
    score: Mapped[Decimal | None] = mapped_column(Score)
    opinion: Mapped[str] = mapped_column(Text, default="")
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    reviewer: Mapped[User] = relationship()
