"""The figures of 统计汇总, each one SQL aggregate (GROUP BY) over the bureau's units.

A bureau reads the content of the evaluations submitted to it (待验收, 已验收, 已公开); of the
others it learns only how many there are per unit and state ("报送进度"), which is what it
needs to see who has not submitted. Scores and grades are the stored derived columns.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import and_, case, func, literal, select

from workflow_app.evaluations.access import BUREAU_VISIBLE_STATES
from workflow_app.evaluations.listing import DONE_STATES
from workflow_app.evaluations.models import Evaluation, FundingSource
from workflow_app.extensions import db
from workflow_app.notifications.models import DueDate
from workflow_app.units.models import Unit
from workflow_app.workflow.states import EvaluationState

S = EvaluationState
IN_PROGRESS = (S.DRAFT, S.TEAM_REVIEW, S.LEADER_SIGNOFF)
# Score bands of the histogram: (label, lower bound inclusive, upper bound exclusive).
BANDS: list[tuple[str, int, int | None]] = [
    ("<60", 0, 60), ("60–70", 60, 70), ("70–80", 70, 80), ("80–85", 80, 85),
    ("85–90", 85, 90), ("90–95", 90, 95), ("95–100", 95, None),
]
MAX_POINTS = 2000  # the scatter plot's points (a bureau has a few hundred a year)


@dataclass
class UnitProgress:
    """One overseen unit's evaluations of the year, counted by stage."""

    unit_id: int
    name: str
    in_progress: int = 0
    submitted: int = 0  # 待验收
    accepted: int = 0
    published: int = 0
    overdue: int = 0

    @property
    def total(self) -> int:
        return self.in_progress + self.submitted + self.accepted + self.published

    @property
    def delivered(self) -> int:
        """Submitted to the bureau (待验收 + 已验收 + 已公开)."""
        return self.submitted + self.accepted + self.published


@dataclass
class Overview:
    """Everything the page shows for one bureau and fiscal year."""

    year: int
    due_on: date | None
    units: list[UnitProgress]
    grades: list[tuple[str, int]]
    ungraded: int
    bands: list[tuple[str, int, int, int | None]]
    unscored: int
    points: list[tuple[int, str, Decimal, Decimal]] = field(default_factory=list)
    no_funding: int = 0

    @property
    def totals(self) -> UnitProgress:
        """The sums over every unit."""
        t = UnitProgress(0, "合计")
        for u in self.units:
            t.in_progress += u.in_progress
            t.submitted += u.submitted
            t.accepted += u.accepted
            t.published += u.published
            t.overdue += u.overdue
        return t

    @property
    def units_not_delivered(self) -> int:
        """Units with nothing submitted to the bureau this year."""
        return sum(1 for u in self.units if u.delivered == 0)


def _count(condition) -> object:  # noqa: ANN001
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def years(bureau_id: int) -> list[tuple[int, bool]]:
    """(fiscal year, anything submitted to the bureau) for every year with an evaluation of
    the bureau's units, newest first (one GROUP BY)."""
    delivered = func.max(case((Evaluation.state.in_(BUREAU_VISIBLE_STATES), 1), else_=0))
    return [(int(y), bool(d)) for y, d in db.session.execute(
        select(Evaluation.fiscal_year, delivered).join(Unit, Unit.id == Evaluation.unit_id)
        .where(Unit.bureau_id == bureau_id).group_by(Evaluation.fiscal_year)
        .order_by(Evaluation.fiscal_year.desc()))]


def default_year(options: list[tuple[int, bool]], today: date) -> int:
    """The newest year with something submitted, else the newest year, else last year."""
    for year, delivered in options:
        if delivered:
            return year
    return options[0][0] if options else today.year - 1


def due_date(bureau_id: int, year: int) -> date | None:
    """The bureau's deadline for the year."""
    return db.session.scalar(select(DueDate.due_on).where(
        DueDate.bureau_id == bureau_id, DueDate.fiscal_year == year))


def unit_progress(bureau_id: int, year: int, due_on: date | None,
                  today: date) -> list[UnitProgress]:
    """Every overseen unit (also those without any evaluation) with its counts per stage."""
    late = due_on is not None and due_on < today
    state = Evaluation.state
    rows = db.session.execute(
        select(Unit.id, Unit.name,
               _count(state.in_(IN_PROGRESS)), _count(state == S.FINANCE_ACCEPTANCE),
               _count(state == S.ACCEPTED), _count(state == S.PUBLISHED),
               _count(and_(state.is_not(None), state.not_in(DONE_STATES)))
               if late else literal(0))
        .outerjoin(Evaluation, and_(Evaluation.unit_id == Unit.id,
                                    Evaluation.fiscal_year == year))
        .where(Unit.bureau_id == bureau_id)
        .group_by(Unit.id, Unit.name).order_by(Unit.name))
    return [UnitProgress(r[0], r[1], int(r[2]), int(r[3]), int(r[4]), int(r[5]), int(r[6] or 0))
            for r in rows]


def _visible(bureau_id: int, year: int):  # noqa: ANN202
    return (Evaluation.unit_id.in_(select(Unit.id).where(Unit.bureau_id == bureau_id)),
            Evaluation.fiscal_year == year, Evaluation.state.in_(BUREAU_VISIBLE_STATES))


def grade_distribution(bureau_id: int, year: int) -> tuple[list[tuple[str, int]], int]:
    """(grade, count) of the submitted evaluations, best grade first, and how many have no
    stored grade."""
    rows = db.session.execute(
        select(Evaluation.grade, func.count(), func.max(Evaluation.self_total))
        .where(*_visible(bureau_id, year)).group_by(Evaluation.grade))
    graded, ungraded = [], 0
    for grade, count, top in rows:
        if grade is None:
            ungraded += count
        else:
            graded.append((grade, int(count), top if top is not None else Decimal(0)))
    graded.sort(key=lambda g: (-g[2], g[0]))
    return [(g, c) for g, c, _ in graded], ungraded


def score_bands(bureau_id: int, year: int) -> tuple[list[tuple[str, int, int, int | None]], int]:
    """(label, count, lower, upper) of the self totals in BANDS, and how many are unscored."""
    total = Evaluation.self_total
    whens = []
    for i, (_label, low, high) in enumerate(BANDS):
        condition = total >= low if high is None else and_(total >= low, total < high)
        whens.append((condition, i))
    band = case(*whens, else_=None).label("band")
    counts = dict(db.session.execute(
        select(band, func.count()).where(*_visible(bureau_id, year)).group_by(band)).all())
    unscored = int(counts.pop(None, 0))
    return [(label, int(counts.get(i, 0)), low, high)
            for i, (label, low, high) in enumerate(BANDS)], unscored


def execution_points(bureau_id: int, year: int) -> tuple[list[tuple[int, str, Decimal, Decimal]],
                                                         int]:
    """(evaluation id, name, 预算执行率 in %, self total) per submitted evaluation with a budget,
    and how many have no budget or no score (left out of the plot, counted)."""
    planned = func.sum(FundingSource.planned)
    spent = func.sum(FundingSource.spent)
    query = (select(Evaluation.id, Evaluation.project_name, planned, spent, Evaluation.self_total)
             .outerjoin(FundingSource, FundingSource.evaluation_id == Evaluation.id)
             .where(*_visible(bureau_id, year))
             .group_by(Evaluation.id, Evaluation.project_name, Evaluation.self_total)
             .order_by(Evaluation.id).limit(MAX_POINTS))
    points, missing = [], 0
    for evaluation_id, name, budget, used, score in db.session.execute(query):
        if not budget or score is None:
            missing += 1
            continue
        rate = (Decimal(used or 0) / Decimal(budget) * 100).quantize(Decimal("0.01"))
        points.append((evaluation_id, name, rate, Decimal(score)))
    return points, missing


def overview(bureau_id: int, year: int, today: date) -> Overview:
    """All figures of the page (six queries, whatever the number of units or evaluations)."""
    due_on = due_date(bureau_id, year)
    grades, ungraded = grade_distribution(bureau_id, year)
    bands, unscored = score_bands(bureau_id, year)
    points, no_funding = execution_points(bureau_id, year)
    return Overview(year, due_on, unit_progress(bureau_id, year, due_on, today), grades,
                    ungraded, bands, unscored, points, no_funding)


def summary_rows(bureau_id: int, year: int):  # noqa: ANN201
    """The submitted evaluations of the year for the 汇总表 (one query, streamed)."""
    return db.session.execute(
        select(Unit.name, Evaluation.project_name, Evaluation.kind, Evaluation.state,
               Evaluation.self_total, Evaluation.computed_total, Evaluation.open_leaves,
               Evaluation.grade, Evaluation.id)
        .join(Unit, Unit.id == Evaluation.unit_id)
        .where(*_visible(bureau_id, year))
        .order_by(Unit.name, Evaluation.id)
        .execution_options(yield_per=500))
