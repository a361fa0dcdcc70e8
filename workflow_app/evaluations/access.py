"""Who may see which evaluation. Domain rules, used by every face (web, API, CLI, portal)."""

from __future__ import annotations

from sqlalchemy import Select, select, union
from sqlalchemy.orm import aliased

from workflow_app.auth.models import User
from workflow_app.evaluations.models import Evaluation, TeamMember
from workflow_app.units.models import Unit
from workflow_app.workflow.states import EvaluationState

# A finance bureau sees an evaluation once the unit's leader has signed it off to the bureau.
# Built once (SQLAlchemy memoizes an alias's column adaptation on the alias object).
_MINE = aliased(Evaluation, name="mine")
BUREAU_VISIBLE_STATES = (
    EvaluationState.FINANCE_ACCEPTANCE,
    EvaluationState.ACCEPTED,
    EvaluationState.PUBLISHED,
)


def visible_evaluations(user: User) -> Select[tuple[Evaluation]]:
    """A query of the evaluations this user may read, newest first."""
    query = select(Evaluation).order_by(Evaluation.fiscal_year.desc(), Evaluation.id.desc())
    if user.unit.is_bureau:
        if not user.is_finance_officer:
            return query.where(False)
        overseen = select(Unit.id).where(Unit.bureau_id == user.unit_id)
        return query.where(
            Evaluation.unit_id.in_(overseen), Evaluation.state.in_(BUREAU_VISIBLE_STATES)
        )
    # A member from another unit (an expert of a 绩效评估中心) sees the teams they are on.
    # One IN over a UNION of two indexed selects rather than ``unit_id = ? OR id IN (...)``:
    # PostgreSQL cannot use an index for that OR and read every evaluation.
    mine = _MINE  # not correlated with the outer query's evaluations
    own = select(mine.id).where(mine.unit_id == user.unit_id)
    on_team = select(TeamMember.evaluation_id).where(TeamMember.user_id == user.id)
    return query.where(Evaluation.id.in_(union(own, on_team)))


def can_view(user: User, evaluation: Evaluation) -> bool:
    """True when the user may read this evaluation."""
    if user.unit.is_bureau:
        return (
            user.is_finance_officer
            and evaluation.unit.bureau_id == user.unit_id
            and evaluation.state in BUREAU_VISIBLE_STATES
        )
    return evaluation.unit_id == user.unit_id or evaluation.member_for(user) is not None


def can_create(user: User) -> bool:
    """Preparers of budget units create evaluations."""
    return user.is_preparer and not user.unit.is_bureau


def can_edit_content(user: User, evaluation: Evaluation) -> bool:
    """Content changes only in draft, by a preparer of the evaluation's unit."""
    return (
        evaluation.state == EvaluationState.DRAFT
        and user.is_preparer
        and user.unit_id == evaluation.unit_id
    )
