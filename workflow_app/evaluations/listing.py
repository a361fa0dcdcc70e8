"""Lists of evaluations that work at scale: 工作台 and 我的待办 share these filters, sort keys,
columns and the SQL pagination.

Everything happens in SQL: the filters (search, year, state, kind, unit, overdue) are WHERE
clauses, the sort is an ORDER BY, a page is LIMIT/OFFSET (its ids first, then its rows) and
the total one COUNT without ORDER BY. The columns come from the row and a few correlated
sub-queries (the deadline of the bureau's fiscal year, the team leader's name, how many
signatures are missing), so a page costs the same number of queries at ten evaluations and at
a hundred thousand. Scores and grades are the stored derived columns
(``evaluations.derived``): no list re-scores a document.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cache
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, exists, func, or_, select
from sqlalchemy.orm import aliased

from workflow_app.auth.models import User
from workflow_app.evaluations.models import Evaluation, EvaluationKind, TeamMember
from workflow_app.extensions import db
from workflow_app.memo import Memo, this_minute
from workflow_app.notifications.models import DueDate
from workflow_app.paging import PagerMixin
from workflow_app.units.models import Unit
from workflow_app.workflow.models import Revision, Signature
from workflow_app.workflow.states import EvaluationState, TeamRole

S = EvaluationState
PAGE_SIZE = 25
MAX_QUERY = 100
# Built once (SQLAlchemy memoizes an alias's column adaptation on the alias object).
_LEADER = aliased(User, name="leader")
# Reaching the bureau in time means being accepted: after that nothing can be late.
DONE_STATES = (S.ACCEPTED, S.PUBLISHED)

SORTS: dict[str, str] = {
    "updated": "更新时间",
    "year": "年度",
    "name": "名称",
    "unit": "单位",
    "state": "状态",
    "score": "自评得分",
    "computed": "系统计算得分",
    "grade": "等级",
    "due": "截止日期",
}
STATE_ORDER = [S.DRAFT, S.TEAM_REVIEW, S.LEADER_SIGNOFF, S.FINANCE_ACCEPTANCE, S.ACCEPTED,
               S.PUBLISHED]
BUREAU_STATES = (S.FINANCE_ACCEPTANCE, S.ACCEPTED, S.PUBLISHED)  # what a bureau ever sees


def today() -> date:
    """Today's date (one place, so a test can move the clock)."""
    return date.today()


# --------------------------------------------------------------------------- filters


@dataclass
class Filters:
    """The list's query string, parsed. Bad values are dropped with a Chinese note in
    ``problems``; the page still shows (never a 500)."""

    q: str = ""
    year: int | None = None
    state: EvaluationState | None = None
    kind: EvaluationKind | None = None
    unit: int | None = None
    overdue: bool = False
    grade: str = ""
    score_from: int | None = None  # self total ≥ (drill-down from the overview's histogram)
    score_to: int | None = None  # self total <
    todo: str = ""
    sort: str = ""
    desc: bool = True
    page: int = 1
    problems: list[str] = field(default_factory=list)

    @classmethod
    def parse(cls, args: Mapping[str, Any], *, default_sort: str = "updated",
              todo_kinds: Mapping[str, str] | None = None) -> Filters:
        """Read ``q, year, state, kind, unit, overdue, todo, sort, dir, page``."""
        f = cls(sort=default_sort)
        f.q = str(args.get("q") or "").strip()[:MAX_QUERY]
        raw_year = str(args.get("year") or "").strip()
        if raw_year:
            if raw_year.isdigit() and 2000 <= int(raw_year) <= 2100:
                f.year = int(raw_year)
            else:
                f.problems.append(f"年度“{raw_year[:10]}”无效，已忽略（应为 2000–2100 的年份）。")
        raw_state = str(args.get("state") or "").strip()
        if raw_state:
            try:
                f.state = EvaluationState(raw_state)
            except ValueError:
                f.problems.append("状态筛选无效，已忽略。")
        raw_kind = str(args.get("kind") or "").strip()
        if raw_kind:
            try:
                f.kind = EvaluationKind(raw_kind)
            except ValueError:
                f.problems.append("类型筛选无效，已忽略。")
        raw_unit = str(args.get("unit") or "").strip()
        if raw_unit:
            if raw_unit.isdigit() and len(raw_unit) < 10:
                f.unit = int(raw_unit)
            else:
                f.problems.append("单位筛选无效，已忽略。")
        f.overdue = str(args.get("overdue") or "") in ("1", "on", "true", "yes")
        f.grade = str(args.get("grade") or "").strip()[:40]
        for name in ("score_from", "score_to"):
            raw = str(args.get(name) or "").strip()
            if raw:
                if raw.isdigit() and int(raw) <= 1000:
                    setattr(f, name, int(raw))
                else:
                    f.problems.append("得分区间无效，已忽略。")
        raw_todo = str(args.get("todo") or "").strip()
        if raw_todo:
            if todo_kinds is not None and raw_todo in todo_kinds:
                f.todo = raw_todo
            else:
                f.problems.append("待办类型筛选无效，已忽略。")
        raw_sort = str(args.get("sort") or "").strip()
        if raw_sort:
            if raw_sort in SORTS or raw_sort == default_sort:
                f.sort = raw_sort
            else:
                f.problems.append("排序方式无效，已按默认顺序排列。")
        direction = str(args.get("dir") or "").strip()
        f.desc = direction != "asc" if direction else f.sort in ("updated", "year", "score",
                                                                  "computed")
        raw_page = str(args.get("page") or "1").strip()
        f.page = int(raw_page) if raw_page.isdigit() and 0 < len(raw_page) < 7 else 1
        f.page = max(f.page, 1)
        return f

    def args(self, **changes: Any) -> dict[str, Any]:
        """The query string of these filters with ``changes`` (for links: sort, page)."""
        values: dict[str, Any] = {
            "q": self.q or None, "year": self.year,
            "state": self.state.value if self.state else None,
            "kind": self.kind.value if self.kind else None, "unit": self.unit,
            "overdue": "1" if self.overdue else None, "todo": self.todo or None,
            "grade": self.grade or None, "score_from": self.score_from,
            "score_to": self.score_to,
            "sort": self.sort, "dir": "desc" if self.desc else "asc",
        }
        values.update(changes)
        return {k: v for k, v in values.items() if v not in (None, "")}

    @property
    def active(self) -> bool:
        """True when any filter narrows the list."""
        return bool(self.q or self.year or self.state or self.kind or self.unit
                    or self.overdue or self.todo or self.grade
                    or self.score_from is not None or self.score_to is not None)


# --------------------------------------------------------------------------- columns


@cache  # a constant expression: built once, SQLAlchemy memoizes on it
def due_on_column() -> ColumnElement:
    """The deadline of the evaluation's fiscal year set by its unit's bureau (or NULL)."""
    return (select(DueDate.due_on)
            .where(DueDate.bureau_id == Unit.bureau_id,
                   DueDate.fiscal_year == Evaluation.fiscal_year)
            .correlate(Unit, Evaluation).scalar_subquery())


def overdue_condition(due: ColumnElement, on: date) -> ColumnElement:
    """Past the deadline and not yet accepted by the bureau."""
    return and_(due.is_not(None), due < on, Evaluation.state.not_in(DONE_STATES))


@cache  # a constant expression: built once, SQLAlchemy memoizes on it
def leader_name_column() -> ColumnElement:
    """The team leader's name (the one who approves)."""
    leader = _LEADER
    return (select(leader.name).join(TeamMember, TeamMember.user_id == leader.id)
            .where(TeamMember.evaluation_id == Evaluation.id, TeamMember.role == TeamRole.LEADER)
            .correlate(Evaluation).limit(1).scalar_subquery())


@cache  # a constant expression: built once, SQLAlchemy memoizes on it
def pending_signers_column() -> ColumnElement:
    """How many required signers (everyone but the leader) have not signed the current
    revision; 0 outside team review (the only state whose next actor shows it).

    The current revision's id is looked up first, so each signer's signature is one probe of
    ``(revision_id, member_id)``: a join on ``member_id`` alone made PostgreSQL scan that
    index for every signer."""
    current = (select(Revision.id)
               .where(Revision.evaluation_id == Evaluation.id,
                      Revision.number == Evaluation.revision_number)
               .correlate(Evaluation).scalar_subquery())
    signed = select(Signature.id).where(Signature.revision_id == current,
                                        Signature.member_id == TeamMember.user_id)
    count = (select(func.count(TeamMember.id))
             .where(TeamMember.evaluation_id == Evaluation.id,
                    TeamMember.role != TeamRole.LEADER, ~exists(signed))
             .correlate(Evaluation).scalar_subquery())
    return case((Evaluation.state == S.TEAM_REVIEW, count), else_=0)


@dataclass
class Row:
    """One line of a list: the evaluation with its stored scores and who acts next."""

    evaluation: Evaluation
    due_on: date | None
    leader_name: str | None
    pending: int
    today: date
    kind: str = ""  # the to-do kind (inbox only)
    note: str = ""

    @property
    def overdue(self) -> bool:
        """Past the bureau's deadline and not yet accepted."""
        return (self.due_on is not None and self.due_on < self.today
                and self.evaluation.state not in DONE_STATES)

    @property
    def next_actor(self) -> str:
        """Who acts next, in Chinese."""
        e = self.evaluation
        if e.state == S.DRAFT:
            return f"填报人 {e.preparer_name}".strip()
        if e.state == S.TEAM_REVIEW:
            return f"评价工作组会签（待 {self.pending} 人）"
        if e.state == S.LEADER_SIGNOFF:
            return f"组长 {self.leader_name}" if self.leader_name else "组长"
        if e.state == S.FINANCE_ACCEPTANCE:
            return "财政局验收"
        if e.state == S.ACCEPTED:
            return "财政局公开"
        return "—（已公开）"

    @property
    def score_open(self) -> str:
        """Why no score is shown (the stored columns are NULL), or ""."""
        return "未计算" if self.evaluation.self_total is None else ""


# --------------------------------------------------------------------------- query


def _order(sort: str, desc: bool, due: ColumnElement) -> list[ColumnElement]:
    state_rank = case({s.value: i for i, s in enumerate(STATE_ORDER)}, value=Evaluation.state)
    column = {
        "updated": Evaluation.updated_at, "year": Evaluation.fiscal_year,
        "name": Evaluation.project_name, "unit": Unit.name, "state": state_rank,
        "score": Evaluation.self_total, "computed": Evaluation.computed_total,
        "grade": Evaluation.self_total, "due": due,
    }[sort]
    # A grade follows the total within its scheme, so "grade" sorts by the stored total.
    first = column.desc() if desc else column.asc()
    return [first.nulls_last(), Evaluation.id.desc() if desc else Evaluation.id.asc()]


def filtered(query: Select, filters: Filters, due: ColumnElement, on: date) -> Select:
    """``query`` (over Evaluation joined to Unit) narrowed by the filters."""
    if filters.q:
        pattern = "%" + filters.q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") \
            + "%"
        query = query.where(or_(Evaluation.project_name.ilike(pattern, escape="\\"),
                                Unit.name.ilike(pattern, escape="\\")))
    if filters.year:
        query = query.where(Evaluation.fiscal_year == filters.year)
    if filters.state:
        query = query.where(Evaluation.state == filters.state)
    if filters.kind:
        query = query.where(Evaluation.kind == filters.kind)
    if filters.unit:
        query = query.where(Evaluation.unit_id == filters.unit)
    if filters.overdue:
        query = query.where(overdue_condition(due, on))
    if filters.grade:
        query = query.where(Evaluation.grade == filters.grade)
    if filters.score_from is not None:
        query = query.where(Evaluation.self_total >= filters.score_from)
    if filters.score_to is not None:
        query = query.where(Evaluation.self_total < filters.score_to)
    return query


@dataclass
class Page(PagerMixin):
    """One page of rows and what the pager needs (the ``pager`` macro reads these names)."""

    items: list[Row]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        """No page at all for an empty list (the pager then shows nothing)."""
        return super().pages if self.total else 0


def paginate(base: Select, filters: Filters, *, extra: list[Any] | None = None,
             per_page: int = PAGE_SIZE, order: list[ColumnElement] | None = None,
             on: date | None = None, unique: bool = True) -> Page:
    """Filter, count and fetch one page of ``base`` (a select of Evaluation whose WHERE
    decides visibility). Three queries: COUNT(*), the page's ids, the page's rows.

    The ids are found over narrow columns (an index-only scan of
    ``ix_evaluations_unit_state_list`` for the default sorts), and only the page's rows are
    read whole: sorting a bureau's thousands of wide rows to keep 25 was most of a list's
    time. ``unique=False`` is for a ``base`` that may yield an evaluation twice (the inbox's
    union of to-dos): its page is one query over the whole rows."""
    from sqlalchemy.orm import contains_eager

    on = on or today()
    due = due_on_column()
    query = base.order_by(None).join(Unit, Unit.id == Evaluation.unit_id)
    query = filtered(query, filters, due, on)
    total = db.session.scalar(select(func.count()).select_from(
        query.with_only_columns(Evaluation.id).subquery()))
    pages = max(1, math.ceil((total or 0) / per_page))
    page = min(filters.page, pages)
    columns = [due.label("due_on"), leader_name_column().label("leader_name"),
               pending_signers_column().label("pending"), *(extra or [])]
    ordering = order or _order(filters.sort, filters.desc, due)
    offset = (page - 1) * per_page
    if unique:
        ids = list(db.session.scalars(query.with_only_columns(Evaluation.id)
                                      .order_by(*ordering).limit(per_page).offset(offset)))
        position = {evaluation_id: i for i, evaluation_id in enumerate(ids)}
        rows = db.session.execute(
            query.where(Evaluation.id.in_(ids)).add_columns(*columns)
            .options(contains_eager(Evaluation.unit))).all() if ids else []
        rows.sort(key=lambda r: position[r[0].id])
    else:
        rows = db.session.execute(
            query.add_columns(*columns).options(contains_eager(Evaluation.unit))
            .order_by(*ordering).limit(per_page).offset(offset)).all()
    items = [Row(r[0], r.due_on, r.leader_name, r.pending or 0, on) for r in rows]
    for item, r in zip(items, rows, strict=True):
        item.kind = getattr(r, "todo_kind", "") or ""
        member = getattr(r, "member_name", None)
        item.note = f"代 {member} 签字" if member else ""
    return Page(items, page, per_page, total or 0)


def fetch_page(query: Select, limit: int, offset: int) -> list[Evaluation]:
    """One page of ``query`` (a select of Evaluation with its ORDER BY) in two passes: the
    page's ids over the narrow indexed columns, then only those rows whole, in that order."""
    ids = list(db.session.scalars(query.with_only_columns(Evaluation.id)
                                  .limit(limit).offset(offset)))
    if not ids:
        return []
    position = {evaluation_id: i for i, evaluation_id in enumerate(ids)}
    rows = db.session.scalars(query.order_by(None).where(Evaluation.id.in_(ids))).unique().all()
    return sorted(rows, key=lambda e: position[e.id])


def count(query: Select) -> int:
    """COUNT(*) of a select of Evaluation (its ids only: an index-only scan where it can)."""
    return db.session.scalar(select(func.count()).select_from(
        query.order_by(None).with_only_columns(Evaluation.id).subquery())) or 0


# The filter drop-downs' choices (the fiscal years a user's evaluations span, a bureau's units)
# change a few times a year; every list and inbox page shows them. They are kept per process
# for the minute: a new year or a new unit is offered within a minute.
_choices = Memo(size=8192)


def year_options(base: Select, user: User | None = None) -> list[int]:
    """The fiscal years present in ``base`` (one DISTINCT query on an indexed column);
    with ``user`` (whose visible evaluations ``base`` selects) remembered for the minute."""
    def query() -> list[int]:
        sub = base.order_by(None).with_only_columns(Evaluation.fiscal_year).distinct().subquery()
        return list(db.session.scalars(select(sub.c.fiscal_year)
                                       .order_by(sub.c.fiscal_year.desc())))

    if user is None:
        return query()
    return _remembered(("years", user.id, user.unit_id), query)


def unit_options(user: User) -> list[tuple[int, str]]:
    """The units a finance officer oversees (id, name), for the unit filter; [] for others
    (remembered for the minute)."""
    if not (user.unit.is_bureau and user.is_finance_officer):
        return []
    return _remembered(("units", user.unit_id), lambda: [
        (r.id, r.name) for r in db.session.execute(
            select(Unit.id, Unit.name).where(Unit.bureau_id == user.unit_id)
            .order_by(Unit.name))])


def _remembered(key: tuple, build: Callable[[], list]) -> list:
    return list(_choices.get_or_build((*key, this_minute()), build))


def fmt_score(value: Decimal | None) -> str:
    """A stored total for a list cell."""
    if value is None:
        return "—"
    return f"{value.normalize():f}"
