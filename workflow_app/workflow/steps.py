"""The rows each step writes: revisions, signatures, re-check scores, the report artifact, the
audit event and the notifications. Called by the machine's callbacks (machine.py); flush only.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from workflow_app.audit import trail
from workflow_app.auth.models import User
from workflow_app.dbtypes import utcnow
from workflow_app.evaluations import derived
from workflow_app.evaluations.document import canonical_json, to_document
from workflow_app.extensions import db
from workflow_app.integrity import hashing
from workflow_app.notifications import service as notify
from workflow_app.text import clause, sentences
from workflow_app.workflow import revisions as rv
from workflow_app.workflow.errors import WorkflowError
from workflow_app.workflow.models import IndicatorReview, Revision, Signature, SignatureKind
from workflow_app.workflow.states import EvaluationState, TeamRole

if TYPE_CHECKING:
    from workflow_app.workflow.machine import Firing

S = EvaluationState
# The steps that store the revision's derived scores on the evaluation (lists show them).
SCORED_TRIGGERS = frozenset({"submit", "approve", "accept"})


def revision_leaves(revision: Revision) -> dict[str, dict[str, Any]]:
    """The leaf indicators of a revision's snapshot, by code."""
    leaves: dict[str, dict[str, Any]] = {}

    def walk(nodes: list[dict[str, Any]]) -> None:
        for node in nodes:
            if node.get("children"):
                walk(node["children"])
            else:
                leaves[node["code"]] = node

    walk(json.loads(revision.snapshot).get("indicators") or [])
    return leaves


def freeze_revision(firing: Firing) -> Revision:
    """Snapshot the working copy as revision N (canonical JSON + SHA-256)."""
    evaluation = firing.evaluation
    doc = to_document(evaluation)
    existing = db.session.scalar(select(Revision).where(
        Revision.evaluation_id == evaluation.id, Revision.number == evaluation.revision_number))
    if existing is not None:  # cannot happen through the machine; refuse rather than overwrite
        raise WorkflowError(f"第 {evaluation.revision_number} 版已提交过，请刷新页面。")
    snapshot, algorithm = canonical_json(doc), hashing.current()  # HASH_ALGORITHM, recorded
    revision = Revision(
        evaluation_id=evaluation.id,
        number=evaluation.revision_number,
        snapshot=snapshot,
        content_hash=hashing.hexdigest(snapshot.encode("utf-8"), algorithm),
        hash_algorithm=algorithm,
        submitted_at=utcnow(),
        submitted_by_id=firing.actor.id,
    )
    db.session.add(revision)
    db.session.flush()
    return revision


def close_revision(firing: Firing) -> None:
    """A return (or withdrawal): the revision and its signatures stay, the next number opens."""
    revision = firing.revision
    reason = (firing.reason or "").strip()
    if revision is not None:
        revision.returned_at = utcnow()
        revision.return_reason = reason or ("填报人撤回" if firing.trigger == "withdraw" else "")
        firing.result["revision"] = revision
    firing.evaluation.revision_number += 1


def record_signature(firing: Firing, member: User | None) -> Signature:
    """The member's signature on the revision under review (given by them or their delegate)."""
    revision = firing.revision
    if member is None or revision is None:  # guarded by the table's conditions
        raise WorkflowError("无法确定签字人。")
    row = firing.evaluation.member_for(member)
    signature = Signature(
        revision_id=revision.id,
        member_id=member.id,
        signer_id=firing.actor.id,
        team_role=row.role if row is not None else TeamRole.MEMBER,
        kind=SignatureKind.SIGN,
        content_hash=revision.content_hash,
        signed_at=utcnow(),
        client_address=(firing.client_address or "")[:64],
        comment=(firing.comment or "").strip(),
    )
    db.session.add(signature)
    db.session.flush()
    return signature


def record_approval(firing: Firing) -> Signature:
    """The leader's signature (审定); the revision is approved and its scores lock."""
    revision = firing.revision
    if revision is None:
        raise WorkflowError("没有待审定的版本。")
    now = utcnow()
    signature = Signature(
        revision_id=revision.id,
        member_id=firing.actor.id,
        signer_id=firing.actor.id,
        team_role=TeamRole.LEADER,
        kind=SignatureKind.APPROVE,
        content_hash=revision.content_hash,
        signed_at=now,
        client_address=(firing.client_address or "")[:64],
        comment=(firing.comment or "").strip(),
    )
    db.session.add(signature)
    revision.approved_at = now
    revision.approved_by_id = firing.actor.id
    db.session.flush()
    return signature


def record_reviews(firing: Firing) -> None:
    """The finance bureau's 复核 score and opinion per indicator, beside the locked score."""
    revision = firing.revision
    if revision is None or not firing.reviews:
        return
    existing = {
        r.indicator_code: r
        for r in db.session.scalars(
            select(IndicatorReview).where(IndicatorReview.revision_id == revision.id))
    }
    for code, item in sorted(firing.reviews.items()):
        raw = (item or {}).get("score")
        score = Decimal(str(raw).strip()) if raw not in (None, "") else None
        opinion = str((item or {}).get("opinion") or "").strip()
        if score is None and not opinion:
            continue
        row = existing.get(code)
        if row is None:
            row = IndicatorReview(revision_id=revision.id, indicator_code=code,
                                  reviewer_id=firing.actor.id)
            db.session.add(row)
        row.score = score
        row.opinion = opinion
        row.reviewer_id = firing.actor.id
    db.session.flush()


def publish_report(firing: Firing) -> None:
    """Have the fixed report artifact stored: now (sync) or by the job worker after the commit.

    Until it is stored the evaluation is published but invisible to the public and shows
    "正在生成报告" (``workflow_app.jobs.publication``).
    """
    try:
        from workflow_app.jobs.publication import request_report
    except ModuleNotFoundError:
        return
    from flask import current_app

    from workflow_app.public.publication import public_address_problem

    problem = public_address_problem(current_app.config)
    if problem:
        raise WorkflowError(problem)
    revision = firing.revision
    if revision is None:
        raise WorkflowError("没有可公开的版本。")
    report = request_report(firing.evaluation, revision)
    if report is not None:
        firing.result["report"] = report


def record_step(firing: Firing) -> None:
    """The audit event of the step, then notify whoever's action it now awaits."""
    evaluation = firing.evaluation
    revision = firing.revision or firing.result.get("revision")
    if firing.trigger in SCORED_TRIGGERS:
        derived.store_from_revision(evaluation, revision)
    detail: dict[str, Any] = {"trigger": firing.trigger}
    if revision is not None:
        detail.update(revision=revision.number, content_hash=revision.content_hash)
    signature = firing.result.get("signature")
    if signature is not None:
        detail["member"] = signature.member.username if signature.member else None
        if signature.signer_id != signature.member_id:
            detail["signed_by"] = firing.actor.username
    report = firing.result.get("report")
    if report is not None:  # stored now (sync): the audit event keeps the PDF's hash
        detail.update(report_sha256=report.sha256, verification_code=report.verification_code)
    if firing.comment:
        detail["comment"] = firing.comment.strip()
    if firing.reviews:
        detail["reviews"] = sorted(firing.reviews)
    if firing.client_address:
        detail["address"] = firing.client_address
    trail.record(
        firing.trigger,
        firing.actor,
        evaluation_id=evaluation.id,
        role=firing.team_role,
        from_state=firing.from_state,
        to_state=evaluation.state.value,
        reason=(firing.reason or "").strip(),
        detail=detail,
    )
    notify.done(firing.actor, evaluation)
    notify_awaited(firing)


def notify_awaited(firing: Firing) -> None:
    """Notify only the people whose action the evaluation now waits for."""
    evaluation = firing.evaluation
    state = evaluation.state
    title = evaluation.project_name
    if firing.trigger == "sign" and state == S.TEAM_REVIEW:
        return  # still waiting on the same people, who were told at submission
    if state == S.TEAM_REVIEW:
        revision = firing.revision
        users = [m.user for m in rv.pending_signers(evaluation, revision)]
        notify.send(users, evaluation, "sign",
                    f"《{title}》第 {evaluation.revision_number} 版已提交，请审阅并会签。")
    elif state == S.LEADER_SIGNOFF:
        leader = evaluation.leader
        notify.send([leader] if leader else [], evaluation, "approve",
                    f"《{title}》全体成员已会签，请组长审定。")
    elif state == S.FINANCE_ACCEPTANCE:
        notify.send(notify.finance_officers(evaluation), evaluation, "accept",
                    f"《{title}》已经组长审定，请验收。")
    elif state == S.ACCEPTED:
        notify.send(notify.finance_officers(evaluation), evaluation, "publish",
                    f"《{title}》已验收，待公开。")
    elif state == S.DRAFT:
        reason = clause(firing.reason)
        why = f"，理由：{reason}" if reason else ""
        if firing.trigger == "return":
            notify_signers_of_return(firing, why)
        if firing.actor.id == evaluation.preparer_id:
            return  # the preparer withdrew it: nobody else is waited on
        verb = "撤回" if firing.trigger == "withdraw" else f"被{firing.actor.name}退回"
        notify.send([evaluation.preparer], evaluation, "returned",
                    sentences(f"《{title}》已{verb}{why}", "请修改后重新提交"))


def notify_signers_of_return(firing: Firing, why: str) -> None:
    """Everyone who signed the returned revision (members, their delegates, the leader's
    approval) learns that their signature no longer counts, and why."""
    revision = firing.result.get("revision") or firing.revision
    if revision is None:
        return
    signers: list[User] = []
    for signature in rv.signatures_of(revision):
        signers += [signature.member, signature.signer]
    others = [u for u in signers if u is not None and u.id != firing.actor.id]
    evaluation = firing.evaluation
    notify.send(others, evaluation, "returned", sentences(
        f"您签署的《{evaluation.project_name}》第 {revision.number} 版已被"
        f"{firing.actor.name}退回{why}",
        "该版签字不再计入；填报人修改后重新提交时，请重新审阅并会签"))
