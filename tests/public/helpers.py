"""Build evaluations in any workflow state for the portal's and the publication's tests.

TEST SETUP ONLY: the workflow engine is another area and may not exist yet, so these helpers
create ``Revision`` and ``Signature`` rows and set ``Evaluation.state`` directly at the model
level — exactly what the application must never do outside the state machine. They mimic
what submit / sign / approve / accept do, then call the real ``publish_artifact``.
"""

from __future__ import annotations

import copy
import hashlib
import json
from datetime import timedelta
from pathlib import Path

from workflow_app.auth.models import User
from workflow_app.dbtypes import utcnow
from workflow_app.evaluations.document import canonical_json, content_hash, to_document
from workflow_app.evaluations.models import Evaluation, EvaluationKind
from workflow_app.evaluations.operations import create_from_document
from workflow_app.extensions import db
from workflow_app.public.models import PublishedReport
from workflow_app.public.publication import publish_artifact
from workflow_app.workflow.models import IndicatorReview, Revision, Signature, SignatureKind
from workflow_app.workflow.states import EvaluationState, TeamRole

SEEDS = Path(__file__).resolve().parents[2] / "workflow_app" / "evaluations" / "seed_examples"

# States reached after submission, in workflow order.
_AFTER_SUBMIT = [
    EvaluationState.TEAM_REVIEW,
    EvaluationState.LEADER_SIGNOFF,
    EvaluationState.FINANCE_ACCEPTANCE,
    EvaluationState.ACCEPTED,
    EvaluationState.PUBLISHED,
]


def submit(evaluation: Evaluation, by: User | None = None, *, edit=None,  # noqa: ANN001
           tamper=None) -> Revision:  # noqa: ANN001
    """Freeze the working copy as revision ``evaluation.revision_number`` (like ``submit``).

    ``edit(doc)`` changes the document before it is frozen (so the snapshot differs from the
    working copy); ``tamper(doc)`` changes it *after* hashing, giving a snapshot that no longer
    matches its content hash (as a corrupted row would).
    """
    doc = to_document(evaluation)
    if edit is not None:
        edit(doc)
    digest = content_hash(doc)
    if tamper is not None:
        tamper(doc)
    revision = Revision(
        evaluation_id=evaluation.id,
        number=evaluation.revision_number,
        snapshot=canonical_json(doc),
        content_hash=digest,
        submitted_by_id=(by or evaluation.preparer).id,
    )
    db.session.add(revision)
    db.session.flush()
    return revision


def sign_all(evaluation: Evaluation, revision: Revision, *, approve: bool = True,
             on_behalf: dict[int, User] | None = None) -> None:
    """Every member signs (会签), then, if ``approve``, the leader approves (审定)."""
    on_behalf = on_behalf or {}
    base = revision.submitted_at or utcnow()
    leader_row = None
    for i, member in enumerate(evaluation.team):
        if member.role == TeamRole.LEADER:
            leader_row = member  # the leader signs by approving (审定), below
            continue
        db.session.add(Signature(
            revision_id=revision.id, member_id=member.user_id,
            signer_id=on_behalf.get(member.user_id, member.user).id,
            team_role=member.role, kind=SignatureKind.SIGN,
            content_hash=revision.content_hash, signed_at=base + timedelta(minutes=i + 1),
        ))
    if approve and leader_row is not None:
        db.session.add(Signature(
            revision_id=revision.id, member_id=leader_row.user_id, signer_id=leader_row.user_id,
            team_role=TeamRole.LEADER, kind=SignatureKind.APPROVE,
            content_hash=revision.content_hash, signed_at=base + timedelta(hours=1),
            comment="同意",
        ))
        revision.approved_at = base + timedelta(hours=1)
        revision.approved_by_id = leader_row.user_id
    db.session.flush()
    db.session.expire(revision, ["signatures"])


def advance(evaluation: Evaluation, state: EvaluationState, *,
            reviewer: User | None = None, edit=None, tamper=None,  # noqa: ANN001
            on_behalf: dict[int, User] | None = None) -> Revision | None:
    """Bring a draft to ``state`` (PUBLISHED calls the real ``publish_artifact``)."""
    if state == EvaluationState.DRAFT:
        return None
    revision = submit(evaluation, edit=edit, tamper=tamper)
    index = _AFTER_SUBMIT.index(state)
    if index >= 1:  # team_review done: all members signed
        sign_all(evaluation, revision, approve=index >= 2, on_behalf=on_behalf)
    if reviewer is not None and index >= 2:
        first_leaf = _first_leaf_code(json.loads(revision.snapshot))
        if first_leaf:
            db.session.add(IndicatorReview(revision_id=revision.id, indicator_code=first_leaf,
                                           score=None, opinion="复核无异议",
                                           reviewer_id=reviewer.id))
    for step in _AFTER_SUBMIT[:index + 1]:  # TEST SETUP ONLY (see module docstring): the
        evaluation.state = step  # database accepts only the workflow's state changes
        db.session.flush()
    if state == EvaluationState.PUBLISHED:
        publish_artifact(evaluation, revision)
    return revision


def return_to_draft(evaluation: Evaluation, revision: Revision, reason: str = "请修改") -> None:
    """Like ``return``: the revision stays on record, a new revision number opens."""
    revision.returned_at = utcnow()
    revision.return_reason = reason
    evaluation.revision_number += 1
    evaluation.state = EvaluationState.DRAFT  # TEST SETUP ONLY
    db.session.flush()


def _first_leaf_code(doc: dict) -> str | None:
    def walk(nodes, prefix=""):
        for i, node in enumerate(nodes, 1):
            code = node.get("code") or f"{prefix}{i}"
            if node.get("children"):
                found = walk(node["children"], f"{code}.")
                if found:
                    return found
            else:
                return code
        return None

    return walk(doc.get("indicators") or [])


def team_evaluation(make, *, unit=None, state=EvaluationState.DRAFT, name: str | None = None,
                    kind: EvaluationKind = EvaluationKind.PROJECT, year: int = 2024,
                    leaves=None, **advance_options) -> Evaluation:
    """A factory evaluation with a three-person team, brought to ``state``."""
    unit = unit if unit is not None else make.unit()
    leader = make.user(unit, name="组长甲")
    member = make.user(unit, name="成员乙")
    deputy = make.user(unit, name="副组长丙")
    evaluation = make.evaluation(
        unit, team=[(leader, TeamRole.LEADER), (deputy, TeamRole.DEPUTY),
                    (member, TeamRole.MEMBER)], leaves=leaves)
    evaluation.kind = kind
    evaluation.fiscal_year = year
    if name:
        evaluation.project_name = name
    db.session.flush()
    advance(evaluation, state, **advance_options)
    return evaluation


def seed_evaluation(make, seed: str = "seed001.json", *, unit=None) -> Evaluation:
    """A draft whose content is a real seed document (users created for its team)."""
    doc = copy.deepcopy(json.loads((SEEDS / seed).read_text(encoding="utf-8")))
    unit = unit if unit is not None else make.unit(doc["unit"]["name"])
    preparer = make.user(unit, is_preparer=True)
    for member in doc["team"]:
        make.user(unit, username=member["username"], name=member["name"])
    return create_from_document(doc, unit_id=unit.id, preparer=preparer)


def published_report(evaluation: Evaluation) -> PublishedReport:
    """The stored artifact of an evaluation."""
    return db.session.query(PublishedReport).filter_by(evaluation_id=evaluation.id).one()


def install_fast_render(monkeypatch) -> list[dict]:  # noqa: ANN001
    """Replace the PDF renderer by a tiny deterministic stand-in (for listing/filter tests).

    The stand-in's bytes depend on the document and the record, like the real renderer's.
    """
    calls = []

    def render(doc, record):
        calls.append(record)
        payload = json.dumps({"doc": doc, "record": record}, sort_keys=True, default=str)
        digest = hashlib.sha256(payload.encode()).hexdigest()
        return b"%PDF-1.4\n% stand-in " + digest.encode() + b"\n%%EOF\n"

    monkeypatch.setattr("workflow_app.public.publication._render", render)
    return calls
