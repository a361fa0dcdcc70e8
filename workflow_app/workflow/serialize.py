"""The workflow's part of an evaluation's JSON (read by the API area)."""

from __future__ import annotations

from typing import Any

from workflow_app.evaluations.document import content_hash, to_document
from workflow_app.evaluations.models import Evaluation
from workflow_app.workflow import revisions as rv
from workflow_app.workflow.models import Signature


def signature_json(signature: Signature, revision_number: int) -> dict[str, Any]:
    """One signature: whose, on which revision and hash, when, by whom, with what comment."""
    return {
        "username": signature.member.username,
        "name": signature.member.name,
        "signed_by": signature.signer.username,
        "team_role": signature.team_role.value,
        "kind": signature.kind.value,
        "revision": revision_number,
        "content_hash": signature.content_hash,
        "signed_at": signature.signed_at.isoformat(),
        "comment": signature.comment or "",
    }


def signatures_json(evaluation: Evaluation) -> list[dict[str, Any]]:
    """The signatures of the revision under review (empty in draft)."""
    revision = rv.current_revision(evaluation)
    return [signature_json(s, revision.number) for s in rv.signatures_of(revision)]


def current_content_hash(evaluation: Evaluation) -> str | None:
    """The hash the signatures are bound to: the revision under review's, or in draft the
    hash the working copy would get if submitted now."""
    revision = rv.current_revision(evaluation)
    if revision is not None:
        return revision.content_hash
    return content_hash(to_document(evaluation))
