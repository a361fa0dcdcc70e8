"""我的待办: what awaits a user, computed from the workflow (never stored), in SQL.

The to-dos are one UNION ALL of small indexed selects, one per kind of work (drafts to finish,
revisions to sign, signatures handed over, sign-offs, acceptances, publications), each giving
(kind, evaluation id, member signed for). The navigation badge is one COUNT over it (once
per request); the inbox page filters, sorts and paginates it in SQL through
``evaluations.listing`` — a finance officer's straight over the evaluations, whose ids come from
an index-only scan. No row is loaded
to be counted, and a page costs the same queries at ten to-dos and at ten thousand.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    and_,
    case,
    exists,
    func,
    literal,
    null,
    select,
    union_all,
)
from sqlalchemy.orm import aliased

from workflow_app.auth.models import User
from workflow_app.evaluations import listing
from workflow_app.evaluations.models import Evaluation, TeamMember
from workflow_app.extensions import db
from workflow_app.requestmemo import once_per_read, remember_for_read
from workflow_app.units.models import Unit
from workflow_app.workflow.models import Revision, Signature, SignatureDelegation
from workflow_app.workflow.states import EvaluationState, TeamRole

S = EvaluationState
# Aliases built once: SQLAlchemy memoizes each alias's column adaptation on the object, so an
# alias made per request repays that work on every request.
_HANDED = aliased(TeamMember, name="handed")
_SIGNED_FOR = aliased(User, name="signed_for")
KIND_LABELS = {"draft": "待完成的草稿", "sign": "待会签", "sign_for": "代签", "approve": "待审定",
               "accept": "待验收", "publish": "待公开"}


@dataclass
class Item:
    """One thing waiting for the user (``inbox_items``)."""

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
        return (self.due_on is not None and self.due_on < listing.today()
                and self.evaluation.state not in listing.DONE_STATES)


def _not_signed(member_id, revision_id=None):  # noqa: ANN001, ANN202
    """No signature of ``member_id`` on the evaluation's current revision."""
    query = select(Signature.id).where(Signature.member_id == member_id)
    if revision_id is not None:
        return ~exists(query.where(Signature.revision_id == revision_id))
    return ~exists(query.join(Revision, Revision.id == Signature.revision_id).where(
        Revision.evaluation_id == Evaluation.id, Revision.number == Evaluation.revision_number))


def _row(kind: str, member_id=None) -> list:  # noqa: ANN001
    """The three columns every source selects (labelled alike, for the UNION)."""
    member = member_id if member_id is not None else null().cast(Integer)
    return [literal(kind).label("todo_kind"), Evaluation.id.label("evaluation_id"),
            member.label("member_id")]


def _finance(user: User) -> tuple[ColumnElement, ColumnElement]:
    """A finance officer's to-dos, as (condition on Evaluation, its kind): every evaluation of
    the overseen units awaiting acceptance or publication (one row per evaluation)."""
    overseen = select(Unit.id).where(Unit.bureau_id == user.unit_id)
    kind = case((Evaluation.state == S.FINANCE_ACCEPTANCE, "accept"), else_="publish")
    return and_(Evaluation.unit_id.in_(overseen),
                Evaluation.state.in_([S.FINANCE_ACCEPTANCE, S.ACCEPTED])), kind


def _sources(user: User) -> list[Select]:
    """One select per kind of to-do: (todo_kind, evaluation_id, member_id)."""
    if user.unit.is_bureau:
        if not user.is_finance_officer:
            return []
        condition, kind = _finance(user)
        return [select(kind.label("todo_kind"), *_row("")[1:]).where(condition)]
    sources: list[Select] = []
    if user.is_preparer:
        sources.append(select(*_row("draft"))
                       .where(Evaluation.unit_id == user.unit_id, Evaluation.state == S.DRAFT))
    sources.append(select(*_row("sign"))
                   .join(TeamMember, TeamMember.evaluation_id == Evaluation.id)
                   .where(TeamMember.user_id == user.id, TeamMember.role != TeamRole.LEADER,
                          Evaluation.state == S.TEAM_REVIEW, _not_signed(user.id)))
    sources.append(select(*_row("approve"))
                   .join(TeamMember, TeamMember.evaluation_id == Evaluation.id)
                   .where(TeamMember.user_id == user.id, TeamMember.role == TeamRole.LEADER,
                          Evaluation.state == S.LEADER_SIGNOFF))
    handed = _HANDED
    sources.append(
        select(*_row("sign_for", SignatureDelegation.member_id))
        .select_from(SignatureDelegation)
        .join(Revision, Revision.id == SignatureDelegation.revision_id)
        .join(Evaluation, Evaluation.id == Revision.evaluation_id)
        .where(SignatureDelegation.delegate_id == user.id,
               Evaluation.state == S.TEAM_REVIEW,
               Revision.number == Evaluation.revision_number,
               _not_signed(SignatureDelegation.member_id, SignatureDelegation.revision_id),
               exists(select(handed.id).where(
                   handed.evaluation_id == Evaluation.id,
                   handed.user_id == SignatureDelegation.member_id,
                   handed.role != TeamRole.LEADER))))
    return sources


def _todos(user: User):  # noqa: ANN202
    sources = _sources(user)
    if not sources:
        return None
    return union_all(*sources).subquery("todos") if len(sources) > 1 \
        else sources[0].subquery("todos")


def inbox_count(user: User) -> int:
    """How many things await the user (the navigation badge): one indexed COUNT, asked once
    per read request (the inbox page, which counts the same rows, hands its total over)."""

    def count() -> int:
        todos = _todos(user)
        return 0 if todos is None else \
            db.session.scalar(select(func.count()).select_from(todos)) or 0

    return once_per_read(("inbox_count", user.id), count)


def _base(user: User, filters: listing.Filters):  # noqa: ANN202
    """(select of Evaluation, extra columns, one row per evaluation?) for the inbox page."""
    if user.unit.is_bureau and user.is_finance_officer:
        # Straight over evaluations (no self-join with a to-do subquery): the page's ids come
        # from the list index like the lists' own.
        condition, kind = _finance(user)
        base = select(Evaluation).where(condition)
        if filters.todo:
            base = base.where(kind == filters.todo)
        return base, [kind.label("todo_kind"), null().label("member_name")], True
    todos = _todos(user)
    if todos is None:
        return None, [], True
    kind_col, id_col, member_col = list(todos.c)
    signed_for = _SIGNED_FOR
    base = (select(Evaluation).join(todos, id_col == Evaluation.id)
            .outerjoin(signed_for, signed_for.id == member_col))
    if filters.todo:
        base = base.where(kind_col == filters.todo)
    return base, [kind_col.label("todo_kind"), signed_for.name.label("member_name")], False


def _default_order() -> list:
    """Overdue first, then by deadline, then oldest first."""
    due = listing.due_on_column()
    return [case((listing.overdue_condition(due, listing.today()), 0), else_=1),
            due.asc().nulls_last(), Evaluation.id.asc()]


def inbox_page(user: User, filters: listing.Filters) -> listing.Page:
    """One page of the user's to-dos, filtered and sorted in SQL (by default overdue first,
    then by deadline)."""
    base, extra, unique = _base(user, filters)
    if base is None:
        return listing.Page([], 1, listing.PAGE_SIZE, 0)
    order = _default_order() if filters.sort == "default" else None
    page = listing.paginate(base, filters, extra=extra, order=order, unique=unique)
    if not filters.active:
        # Unfiltered, the page's total is the badge's count (the same rows).
        remember_for_read(("inbox_count", user.id), page.total)
    return page


def inbox_items(user: User) -> list[Item]:
    """Every to-do of the user, overdue first (for tests and the CLI; pages use inbox_page)."""
    base, extra, unique = _base(user, listing.Filters())
    if base is None:
        return []
    page = listing.paginate(base, listing.Filters(sort="default"), extra=extra,
                            per_page=100_000, order=_default_order(), unique=unique)
    return [Item(row.kind, row.evaluation, row.due_on, row.note) for row in page.items]
