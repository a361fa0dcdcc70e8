"""MACs on revisions, signatures and approvals (issue 9 item 6a).

Each row that makes a legal fact carries an HMAC (``keys.mac``) over a canonical message of
what it asserts, under a server key that is not in the database:

- a revision (``revisions.mac``): evaluation, number, content hash and its algorithm, who
  submitted it and when — so a snapshot and hash recomputed by SQL after changing live rows
  no longer agree with the MAC;
- a signature, a member's 会签 or the leader's 审定 (``signatures.mac``): revision, content
  hash, member, signer, team role, kind, time and comment;
- the approval on the revision (``revisions.approval_mac``): evaluation, number, content hash,
  approver and time (the scores lock at this approval).

The messages are built from plain values (bulk generators and the migration use them without
model objects) as versioned canonical JSON, so the format can change later without making old
MACs unverifiable. Rows written through the model layer are signed by mapper events
(``install``, called by ``workflow_app.workflow.models``) whenever their MAC is still empty: every
path that writes a signature or an approval — the workflow steps, the demo, the factories —
goes through them, and a row inserted by raw SQL cannot have a valid MAC.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from workflow_app.dbtypes import utcnow
from workflow_app.integrity import keys

VERSION = 1


def _ts(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:  # SQLite returns naive UTC through raw SQL
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def _value(value: Any) -> Any:
    return getattr(value, "value", value)  # enums → their stored value


def canonical(kind: str, fields: dict[str, Any]) -> bytes:
    """The bytes a MAC is computed over: sorted-key JSON with the message kind and version."""
    return json.dumps({"v": VERSION, "type": kind, **fields}, sort_keys=True,
                      ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def revision_message(*, evaluation_id: int, number: int, content_hash: str,
                     hash_algorithm: str, submitted_by_id: int | None,
                     submitted_at: datetime | None) -> bytes:
    """What a submitted revision asserts."""
    return canonical("revision", {
        "evaluation_id": evaluation_id, "number": number, "content_hash": content_hash,
        "hash_algorithm": hash_algorithm, "submitted_by_id": submitted_by_id,
        "submitted_at": _ts(submitted_at)})


def approval_message(*, evaluation_id: int, number: int, content_hash: str,
                     approved_by_id: int | None, approved_at: datetime | None) -> bytes:
    """What the leader's approval of a revision asserts (its scores lock)."""
    return canonical("approval", {
        "evaluation_id": evaluation_id, "number": number, "content_hash": content_hash,
        "approved_by_id": approved_by_id, "approved_at": _ts(approved_at)})


def signature_message(*, revision_id: int, content_hash: str, member_id: int,
                      signer_id: int, team_role: Any, kind: Any, signed_at: datetime | None,
                      comment: str | None) -> bytes:
    """What a signature asserts: this member (signed by this signer) on this content."""
    return canonical("signature", {
        "revision_id": revision_id, "content_hash": content_hash, "member_id": member_id,
        "signer_id": signer_id, "team_role": _value(team_role), "kind": _value(kind),
        "signed_at": _ts(signed_at), "comment": comment or ""})


# -- from rows (model objects or result rows with the same attribute names) --------------------

def of_revision(row: Any) -> bytes:
    """The revision message of a revision row."""
    return revision_message(evaluation_id=row.evaluation_id, number=row.number,
                            content_hash=row.content_hash, hash_algorithm=row.hash_algorithm,
                            submitted_by_id=row.submitted_by_id, submitted_at=row.submitted_at)


def of_approval(row: Any) -> bytes:
    """The approval message of a revision row."""
    return approval_message(evaluation_id=row.evaluation_id, number=row.number,
                            content_hash=row.content_hash, approved_by_id=row.approved_by_id,
                            approved_at=row.approved_at)


def of_signature(row: Any) -> bytes:
    """The signature message of a signature row."""
    return signature_message(revision_id=row.revision_id, content_hash=row.content_hash,
                             member_id=row.member_id, signer_id=row.signer_id,
                             team_role=row.team_role, kind=row.kind, signed_at=row.signed_at,
                             comment=row.comment)


# -- signing through the model layer --------------------------------------------------------

def sign_revision(revision: Any) -> None:
    """Fill the revision's MAC (and the approval's, once approved) where still empty."""
    from workflow_app.integrity import hashing

    if revision.hash_algorithm is None:
        revision.hash_algorithm = hashing.current()
    if revision.submitted_at is None:
        revision.submitted_at = utcnow()
    if revision.mac is None:
        revision.mac_key_id, revision.mac = keys.mac(of_revision(revision))
    if revision.approved_at is not None and revision.approval_mac is None:
        revision.approval_mac_key_id, revision.approval_mac = keys.mac(of_approval(revision))


def sign_signature(signature: Any) -> None:
    """Fill the signature's MAC where still empty (defaults applied first: they are signed)."""
    from workflow_app.workflow.models import SignatureKind

    if signature.signed_at is None:
        signature.signed_at = utcnow()
    if signature.kind is None:
        signature.kind = SignatureKind.SIGN
    if signature.comment is None:
        signature.comment = ""
    if signature.revision_id is None and signature.revision is not None:
        signature.revision_id = signature.revision.id
    if signature.mac is None:
        signature.mac_key_id, signature.mac = keys.mac(of_signature(signature))


def install(revision_cls: type, signature_cls: type) -> None:
    """Sign revisions and signatures as the ORM writes them (idempotent)."""
    from sqlalchemy import event

    if getattr(revision_cls, "_macs_installed", False):
        return

    def revision_written(_mapper, _connection, target) -> None:  # noqa: ANN001
        sign_revision(target)

    def signature_written(_mapper, _connection, target) -> None:  # noqa: ANN001
        sign_signature(target)

    event.listen(revision_cls, "before_insert", revision_written)
    event.listen(revision_cls, "before_update", revision_written)
    event.listen(signature_cls, "before_insert", signature_written)
    revision_cls._macs_installed = True
