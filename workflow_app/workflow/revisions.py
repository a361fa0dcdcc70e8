"""Revisions, signatures and who still has to sign: computed from rows, never stored.

Also the row lock every workflow operation takes first, so that two people firing at the same
moment are serialised (PostgreSQL: ``SELECT … FOR UPDATE``; SQLite: a no-op write that takes
the database's write lock, which is what ``BEGIN IMMEDIATE`` would do).
"""

from __future__ import annotations

from sqlalchemy import select, text

from workflow_app.auth.models import User
from workflow_app.evaluations.models import Evaluation, TeamMember
from workflow_app.extensions import db
from workflow_app.requestmemo import once_per_read, remember_for_read
from workflow_app.workflow.models import Revision, Signature, SignatureDelegation
from workflow_app.workflow.states import EvaluationState, TeamRole


def lock_evaluation(evaluation: Evaluation) -> Evaluation:
    """Take the evaluation's write lock and reload it, so the caller sees the latest state."""
    session = db.session
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            select(Evaluation.id).where(Evaluation.id == evaluation.id).with_for_update()
        )
    else:
        # Python's sqlite3 starts the transaction at the first write: this one waits for any
        # other writer to finish (busy_timeout) and then holds the lock until commit.
        session.execute(
            text("UPDATE evaluations SET version = version WHERE id = :id"),
            {"id": evaluation.id},
        )
    session.refresh(evaluation)
    session.expire(evaluation, ["team"])
    return evaluation


def current_revision(evaluation: Evaluation,
                     among: list[Revision] | None = None) -> Revision | None:
    """The revision under review (its number is the evaluation's), or None in draft.
    ``among``: the evaluation's revisions, just read by the caller (no query then)."""
    if evaluation.state == EvaluationState.DRAFT:
        return None
    if among is not None:
        found = next((r for r in among if r.number == evaluation.revision_number), None)
        remember_for_read(("current_revision", evaluation.id, evaluation.revision_number),
                          found)
        return found
    return once_per_read(("current_revision", evaluation.id, evaluation.revision_number),
                         lambda: db.session.scalar(select(Revision).where(
                             Revision.evaluation_id == evaluation.id,
                             Revision.number == evaluation.revision_number)))


def revisions_of(evaluation: Evaluation) -> list[Revision]:
    """Every submitted revision of the evaluation, newest first."""
    return list(
        db.session.scalars(
            select(Revision)
            .where(Revision.evaluation_id == evaluation.id)
            .order_by(Revision.number.desc())
        )
    )


def signatures_of(revision: Revision | None) -> list[Signature]:
    """The revision's signatures in signing order (fresh from the database; read once per
    read request)."""
    if revision is None:
        return []
    return list(once_per_read(("signatures", revision.id), lambda: list(db.session.scalars(
        select(Signature)
        .where(Signature.revision_id == revision.id)
        .order_by(Signature.signed_at, Signature.id)
        .execution_options(populate_existing=True)))))


def required_signers(evaluation: Evaluation) -> list[TeamMember]:
    """Team members who must sign (会签): everyone but the leader, who approves instead."""
    return [m for m in evaluation.team if m.role != TeamRole.LEADER]


def pending_signers(evaluation: Evaluation, revision: Revision | None) -> list[TeamMember]:
    """Required signers who have not signed the revision yet."""
    signed = {s.member_id for s in signatures_of(revision)}
    return [m for m in required_signers(evaluation) if m.user_id not in signed]


def delegations_of(revision: Revision | None) -> list[SignatureDelegation]:
    """转交: who may sign for whom on this revision (read once per read request: the detail
    page's panel and its signing choices both ask)."""
    if revision is None:
        return []
    return list(once_per_read(("delegations", revision.id), lambda: list(db.session.scalars(
        select(SignatureDelegation).where(SignatureDelegation.revision_id == revision.id)))))


def signable_members(evaluation: Evaluation, revision: Revision | None,
                     user: User) -> list[User]:
    """The members whose signature this user may give now: themselves, and those who handed
    their signature to them (转交), as long as that signature is still missing."""
    if revision is None:
        return []
    pending = {m.user_id: m.user for m in pending_signers(evaluation, revision)}
    members: list[User] = []
    if user.id in pending:
        members.append(pending[user.id])
    for delegation in delegations_of(revision):
        if delegation.delegate_id == user.id and delegation.member_id in pending:
            members.append(pending[delegation.member_id])
    return members


def last_signed_revision(evaluation: Evaluation, user: User,
                         before: int | None = None) -> Revision | None:
    """The newest earlier revision that this user signed (for "what changed since")."""
    query = (
        select(Revision)
        .join(Signature, Signature.revision_id == Revision.id)
        .where(Revision.evaluation_id == evaluation.id, Signature.member_id == user.id)
        .order_by(Revision.number.desc())
        .limit(1)
    )
    if before is not None:
        query = query.where(Revision.number < before)
    return db.session.scalar(query)
