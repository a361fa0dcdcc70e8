"""我的待办: what awaits a user, computed from the workflow (never stored), and due dates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from workflow_app.auth.models import User
from workflow_app.evaluations.models import Evaluation, TeamMember
from workflow_app.extensions import db
from workflow_app.notifications.models import DueDate
from workflow_app.units.models import Unit
from workflow_app.workflow import revisions as rv
from workflow_app.workflow.models import Revision, SignatureDelegation
from workflow_app.workflow.states import EvaluationState, TeamRole

S = EvaluationState
KIND_LABELS = {"draft": "待完成的草稿", "sign": "待会签", "sign_for": "代签", "approve": "待审定",
               "accept": "待验收", "publish": "待公开"}


@dataclass
class Item:
    """One thing waiting for the user."""

    kind: str
    evaluation: Evaluation
    due_on: date | None = None
    note: str = ""

    @property
    def label(self) -> str:
        """The kind in Chinese."""
        return KIND_LABELS[self.kind]

    @property
    def overdue(self) -> bool:
        """Past the bureau's due date for the fiscal year."""
        return self.due_on is not None and self.due_on < date.today()


def _due_dates(bureau_ids: set[int]) -> dict[tuple[int, int], date]:
    if not bureau_ids:
        return {}
    rows = db.session.scalars(select(DueDate).where(DueDate.bureau_id.in_(bureau_ids)))
    return {(r.bureau_id, r.fiscal_year): r.due_on for r in rows}


def inbox_items(user: User) -> list[Item]:
    """Drafts to finish, revisions to sign, sign-offs, acceptances and publications."""
    items: list[Item] = []
    if user.unit.is_bureau:
        if user.is_finance_officer:
            overseen = select(Unit.id).where(Unit.bureau_id == user.unit_id)
            rows = db.session.scalars(select(Evaluation).where(
                Evaluation.unit_id.in_(overseen),
                Evaluation.state.in_([S.FINANCE_ACCEPTANCE, S.ACCEPTED])).order_by(Evaluation.id))
            for e in rows:
                items.append(Item("accept" if e.state == S.FINANCE_ACCEPTANCE else "publish", e))
    else:
        if user.is_preparer:
            for e in db.session.scalars(select(Evaluation).where(
                    Evaluation.unit_id == user.unit_id, Evaluation.state == S.DRAFT)
                    .order_by(Evaluation.id)):
                items.append(Item("draft", e))
        memberships = db.session.scalars(
            select(TeamMember).join(Evaluation).where(
                TeamMember.user_id == user.id,
                Evaluation.state.in_([S.TEAM_REVIEW, S.LEADER_SIGNOFF])))
        for m in memberships:
            e = m.evaluation
            if e.state == S.LEADER_SIGNOFF and m.role == TeamRole.LEADER:
                items.append(Item("approve", e))
            elif e.state == S.TEAM_REVIEW and m.role != TeamRole.LEADER:
                revision = rv.current_revision(e)
                if user.id in {p.user_id for p in rv.pending_signers(e, revision)}:
                    items.append(Item("sign", e))
        delegated = db.session.execute(
            select(SignatureDelegation, Revision.evaluation_id)
            .join(Revision, Revision.id == SignatureDelegation.revision_id)
            .where(SignatureDelegation.delegate_id == user.id))
        for d, evaluation_id in delegated:
            e = db.session.get(Evaluation, evaluation_id)
            revision = rv.current_revision(e)
            if revision is not None and revision.id == d.revision_id and e.state == S.TEAM_REVIEW \
                    and d.member_id in {p.user_id for p in rv.pending_signers(e, revision)}:
                items.append(Item("sign_for", e, note=f"代 {d.member.name} 签字"))
    dues = _due_dates({i.evaluation.unit.bureau_id for i in items if i.evaluation.unit.bureau_id})
    for item in items:
        item.due_on = dues.get((item.evaluation.unit.bureau_id, item.evaluation.fiscal_year))
    items.sort(key=lambda i: (not i.overdue, i.due_on or date.max, i.evaluation.id))
    return items


def inbox_count(user: User) -> int:
    """How many things await the user (the badge in the navigation)."""
    return len(inbox_items(user))
