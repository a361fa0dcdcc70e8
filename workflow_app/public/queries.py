"""What the public portal may read: published evaluations only, and their published revision.

An evaluation is public when its state is ``published`` AND its ``PublishedReport`` exists.
Every query of the portal starts from ``published_base()`` so no other row can leak; the PDF
bytes are never loaded except by the download.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Select, and_, func, or_, select, tuple_
from sqlalchemy.orm import defer

from workflow_app.evaluations.models import Evaluation, EvaluationKind
from workflow_app.evaluations.scoring import format_decimal
from workflow_app.extensions import db
from workflow_app.memo import Memo
from workflow_app.paging import PagerMixin
from workflow_app.public.models import PublishedReport
from workflow_app.units.models import Unit
from workflow_app.workflow.models import Revision
from workflow_app.workflow.states import EvaluationState

PAGE_SIZE = 20

_IS_PUBLIC = and_(
    Evaluation.state == EvaluationState.PUBLISHED,
    PublishedReport.evaluation_id == Evaluation.id,
)


def published_base(*columns: Any) -> Select:
    """A select of the given columns over published evaluations joined to their report."""
    return (
        select(*columns)
        .select_from(Evaluation)
        .join(PublishedReport, PublishedReport.evaluation_id == Evaluation.id)
        .join(Unit, Unit.id == Evaluation.unit_id)
        .where(_IS_PUBLIC)
    )


@dataclass(frozen=True)
class Summary:
    """Totals and grade of a published revision, as fixed on its report at publication."""

    total: str
    computed_total: str
    grade: str
    open_count: int = 0  # leaves the rules could not compute (a person must judge them)

    @property
    def differs(self) -> bool:
        """True when the signed total differs from what the rules compute."""
        return self.total != self.computed_total

    @classmethod
    def of(cls, row: Any) -> Summary:
        """The summary of a row carrying the report's stored score columns."""
        return cls(_fmt(row.total_score), _fmt(row.computed_total_score), row.grade or "")


def _fmt(value: Any) -> str:
    return "—" if value is None else format_decimal(value)


_memo = Memo()


def published_marker() -> tuple[Any, ...]:
    """(id, sha256) of the newest published report: changes whenever one is published. Read
    once per page (the count and the filter choices both key their memo on it)."""
    from workflow_app.requestmemo import once_per_read

    def newest() -> tuple[Any, ...]:
        row = db.session.execute(
            select(PublishedReport.id, PublishedReport.sha256)
            .order_by(PublishedReport.id.desc()).limit(1)
        ).first()
        return tuple(row) if row is not None else (None, None)

    return once_per_read("published_marker", newest)


# --------------------------------------------------------------------------- the list


@dataclass
class Filters:
    """The list's filters, as read from the query string (invalid values are ignored)."""

    year: int | None = None
    unit: int | None = None
    kind: str = ""
    grade: str = ""
    q: str = ""
    unit_name: str = ""

    @classmethod
    def from_args(cls, args: Any) -> Filters:
        """Parse ``request.args``."""
        kind = (args.get("kind") or "").strip()
        return cls(
            year=args.get("year", type=int),
            unit=args.get("unit", type=int),
            kind=kind if kind in {k.value for k in EvaluationKind} else "",
            grade=(args.get("grade") or "").strip()[:20],
            q=(args.get("q") or "").strip()[:100],
            unit_name=(args.get("unit_name") or "").strip()[:100],
        )

    def as_args(self) -> dict[str, Any]:
        """The non-empty filters, to carry into pagination links."""
        values = {"year": self.year, "unit": self.unit, "kind": self.kind,
                  "grade": self.grade, "q": self.q, "unit_name": self.unit_name}
        return {k: v for k, v in values.items() if v not in (None, "")}

    @property
    def active(self) -> bool:
        """True when any filter is set."""
        return bool(self.as_args())


@dataclass
class Page(PagerMixin):
    """A page of the list, shaped like Flask-SQLAlchemy's pagination (for the pager macro)."""

    items: list[Any]
    page: int
    per_page: int
    total: int
    summaries: dict[str, Summary] = field(default_factory=dict)

    @property
    def next_cursor(self) -> str:
        """Keyset position after the last row (the 下一页 link)."""
        return encode_cursor(self.items[-1]) if self.items else ""

    @property
    def prev_cursor(self) -> str:
        """Keyset position before the first row (the 上一页 link)."""
        return encode_cursor(self.items[0]) if self.items else ""


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


# The list's order: newest year, then newest publication (the id breaks ties). Every index of
# published_reports ends with these columns, so a page is an index range scan.
_ORDER = (PublishedReport.fiscal_year, PublishedReport.published_at, PublishedReport.id)


# A report is listed only while its evaluation is published (a semi-join that PostgreSQL answers
# from the partial index ix_evaluations_published, without reading the evaluation rows).
_EVALUATION_PUBLISHED = (
    select(Evaluation.id)
    .where(Evaluation.id == PublishedReport.evaluation_id,
           Evaluation.state == EvaluationState.PUBLISHED)
    .exists()
)


def _report_filters(query: Select, filters: Filters) -> Select:
    """The filters that the report row answers by itself (all but the text search)."""
    if filters.year:
        query = query.where(PublishedReport.fiscal_year == filters.year)
    if filters.unit:
        query = query.where(PublishedReport.unit_id == filters.unit)
    if filters.kind:
        query = query.where(PublishedReport.kind == EvaluationKind(filters.kind))
    if filters.grade:
        query = query.where(PublishedReport.grade == filters.grade)
    if filters.unit_name:
        units = select(Unit.id).where(Unit.name.ilike(_like(filters.unit_name), escape="\\"))
        query = query.where(PublishedReport.unit_id.in_(units))
    return query


def _filtered(query: Select, filters: Filters) -> Select:
    query = _report_filters(query, filters)
    if filters.q:
        pattern = _like(filters.q)
        query = query.where(or_(Evaluation.project_name.ilike(pattern, escape="\\"),
                                Unit.name.ilike(pattern, escape="\\")))
    return query


def _count_query(filters: Filters) -> Select:
    if filters.q:  # the search reads the project's and the unit's names
        return _filtered(published_base(func.count()), filters)
    return _report_filters(select(func.count()).select_from(PublishedReport)
                           .where(_EVALUATION_PUBLISHED), filters)


def count_published(filters: Filters) -> int:
    """How many published reports match (no ORDER BY; remembered until the next publication)."""
    key = ("count", published_marker(), tuple(sorted(filters.as_args().items())))
    total = _memo.get(key)
    if total is None:
        total = db.session.scalar(_count_query(filters)) or 0
        _memo.put(key, total)
    return total


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def encode_cursor(row: Any) -> str:
    """The keyset position of a listed row: ``year.published-microseconds.report-id``."""
    return f"{row.fiscal_year}.{(row.published_at - _EPOCH) // _MICROSECOND}.{row.id_report}"


def decode_cursor(text: str) -> tuple[int, datetime, int] | None:
    """The position encoded by ``encode_cursor``, or None when it is not one."""
    parts = (text or "").split(".")
    if len(parts) != 3 or not all(p.isdigit() for p in parts) or len(parts[1]) > 20:
        return None
    year, micros, report_id = (int(p) for p in parts)
    try:
        stamp = _EPOCH + micros * _MICROSECOND
    except OverflowError:
        return None
    return year, stamp, report_id


def list_published(filters: Filters, page: int = 1, per_page: int = PAGE_SIZE, *,
                   after: str = "", before: str = "") -> Page:
    """Published evaluations matching the filters, newest year and publication first.

    ``page`` alone is an OFFSET (cheap near the start); ``after`` / ``before`` (the pager's
    next / previous links) are keyset positions, so a deep page costs what page 1 costs.
    """
    query = _filtered(published_base(
        Evaluation.id, Evaluation.fiscal_year, Evaluation.kind, Evaluation.project_name,
        Unit.id.label("unit_id"), Unit.name.label("unit_name"),
        PublishedReport.id.label("id_report"), PublishedReport.sha256,
        PublishedReport.revision_id, PublishedReport.published_at,
        PublishedReport.verification_code, PublishedReport.total_score,
        PublishedReport.computed_total_score, PublishedReport.grade,
    ), filters)
    page = max(page, 1)
    position_after, position_before = decode_cursor(after), decode_cursor(before)
    if not filters.q and position_after is None and position_before is None and page > 1:
        # A deep OFFSET walks the report index alone; only the page's rows are joined.
        ids = _report_filters(select(PublishedReport.id).where(_EVALUATION_PUBLISHED),
                              filters).order_by(*(c.desc() for c in _ORDER))
        ids = ids.limit(per_page).offset((page - 1) * per_page)
        query = query.where(PublishedReport.id.in_(ids.scalar_subquery()))
        page_offset = 0
    else:
        page_offset = (page - 1) * per_page
    if position_after is not None:
        query = query.where(tuple_(*_ORDER) < tuple_(*position_after))
        items = list(db.session.execute(
            query.order_by(*(c.desc() for c in _ORDER)).limit(per_page)))
    elif position_before is not None:
        query = query.where(tuple_(*_ORDER) > tuple_(*position_before))
        items = list(db.session.execute(query.order_by(*_ORDER).limit(per_page)))[::-1]
    else:
        items = list(db.session.execute(query.order_by(*(c.desc() for c in _ORDER))
                                        .limit(per_page).offset(page_offset)))
    total = count_published(filters)
    return Page(items=items, page=page, per_page=per_page, total=total,
                summaries={row.sha256: Summary.of(row) for row in items})


def filter_choices() -> dict[str, list[Any]]:
    """Options of the filters: years and grades that occur among published reports, and the
    kinds. Units are a search box (a province has thousands), not a list.

    Remembered until the next publication."""
    key = ("choices", published_marker())
    choices = _memo.get(key)
    if choices is None:
        years = db.session.scalars(
            select(PublishedReport.fiscal_year).distinct()
            .order_by(PublishedReport.fiscal_year.desc())
        ).all()
        grades = db.session.execute(
            select(PublishedReport.grade, func.max(PublishedReport.total_score).label("top"))
            .where(PublishedReport.grade.is_not(None))
            .group_by(PublishedReport.grade)
            .order_by(func.max(PublishedReport.total_score).desc(), PublishedReport.grade)
        ).all()
        choices = {"years": list(years), "grades": [g.grade for g in grades]}
        _memo.put(key, choices)
    kinds = [(k.value, k.label.removesuffix("绩效自评")) for k in EvaluationKind]
    return {**choices, "kinds": kinds}


def unit_name(unit_id: int | None) -> str:
    """The name of a unit (for the filter's label), or ""."""
    if not unit_id:
        return ""
    return db.session.scalar(select(Unit.name).where(Unit.id == unit_id)) or ""


# --------------------------------------------------------------------------- one report


@dataclass
class PublicReport:
    """A published evaluation as the portal shows it: the snapshot, never the working copy."""

    evaluation: Evaluation
    report: PublishedReport
    revision: Revision
    doc: dict[str, Any]
    summary: Summary


def _load(where: Any) -> PublicReport | None:
    row = db.session.execute(
        select(Evaluation, PublishedReport)
        .join(PublishedReport, PublishedReport.evaluation_id == Evaluation.id)
        .where(_IS_PUBLIC, where)
        .options(defer(PublishedReport.pdf))
    ).first()
    if row is None:
        return None
    evaluation, report = row
    revision = db.session.get(Revision, report.revision_id)
    if revision is None:  # pragma: no cover - a foreign key guarantees it
        return None
    doc = json.loads(revision.snapshot)
    return PublicReport(evaluation, report, revision, doc, Summary.of(report))


def public_report_by_evaluation(evaluation_id: int) -> PublicReport | None:
    """The published report of an evaluation, or None when it is not public."""
    return _load(Evaluation.id == evaluation_id)


def public_report_by_code(code: str) -> PublicReport | None:
    """The published report with this verification code, or None."""
    return _load(PublishedReport.verification_code == code)


def published_pdf(evaluation_id: int) -> tuple[bytes, str, Evaluation] | None:
    """(bytes, sha256, evaluation) of a public report, or None when it is not public."""
    row = db.session.execute(
        select(PublishedReport.pdf, PublishedReport.sha256, Evaluation)
        .select_from(Evaluation)
        .join(PublishedReport, PublishedReport.evaluation_id == Evaluation.id)
        .where(_IS_PUBLIC, Evaluation.id == evaluation_id)
    ).first()
    if row is None:
        return None
    return bytes(row[0]), row[1], row[2]
