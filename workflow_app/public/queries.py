"""What the public portal may read: published evaluations only, and their published revision.

An evaluation is public when its state is ``published`` AND its ``PublishedReport`` exists.
Every query of the portal starts from ``published_base()`` so no other row can leak; the PDF
bytes are never loaded except by the download.
"""

from __future__ import annotations

import json
import math
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import defer

from workflow_app.evaluations.models import Evaluation, EvaluationKind, GradeBand, GradeScheme
from workflow_app.evaluations.scoring import ScoringError, format_decimal, score_document
from workflow_app.extensions import db
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
    """Totals and grade of a published revision, derived from its snapshot (never stored)."""

    total: str
    computed_total: str
    grade: str

    @property
    def differs(self) -> bool:
        """True when the signed total differs from what the rules compute."""
        return self.total != self.computed_total


_EMPTY = Summary("—", "—", "")


class _SummaryCache:
    """Published snapshots never change: summaries are cached by the PDF's SHA-256."""

    def __init__(self, size: int = 4096) -> None:
        self._data: OrderedDict[str, Summary] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def get(self, key: str) -> Summary | None:
        with self._lock:
            value = self._data.get(key)
            if value is not None:
                self._data.move_to_end(key)
            return value

    def put(self, key: str, value: Summary) -> None:
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self._size:
                self._data.popitem(last=False)


_summaries = _SummaryCache()


def summarise(doc: dict[str, Any]) -> Summary:
    """Entered total, computed total and grade of a content document."""
    try:
        result = score_document(doc)
    except (ScoringError, ValueError, TypeError):
        return _EMPTY
    return Summary(format_decimal(result.entered_total), format_decimal(result.computed_total),
                   result.entered_grade)


def summaries_for(rows: list[Any]) -> dict[str, Summary]:
    """Summaries keyed by PDF sha256 for rows that carry ``sha256`` and ``revision_id``."""
    found: dict[str, Summary] = {}
    missing: dict[int, str] = {}
    for row in rows:
        cached = _summaries.get(row.sha256)
        if cached is None:
            missing[row.revision_id] = row.sha256
        else:
            found[row.sha256] = cached
    if missing:
        snapshots = db.session.execute(
            select(Revision.id, Revision.snapshot).where(Revision.id.in_(list(missing)))
        )
        for revision_id, snapshot in snapshots:
            summary = summarise(json.loads(snapshot))
            _summaries.put(missing[revision_id], summary)
            found[missing[revision_id]] = summary
    return found


# --------------------------------------------------------------------------- the list


@dataclass
class Filters:
    """The list's filters, as read from the query string (invalid values are ignored)."""

    year: int | None = None
    unit: int | None = None
    kind: str = ""
    grade: str = ""
    q: str = ""

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
        )

    def as_args(self) -> dict[str, Any]:
        """The non-empty filters, to carry into pagination links."""
        values = {"year": self.year, "unit": self.unit, "kind": self.kind,
                  "grade": self.grade, "q": self.q}
        return {k: v for k, v in values.items() if v not in (None, "")}

    @property
    def active(self) -> bool:
        """True when any filter is set."""
        return bool(self.as_args())


@dataclass
class Page:
    """A page of the list, shaped like Flask-SQLAlchemy's pagination (for the pager macro)."""

    items: list[Any]
    page: int
    per_page: int
    total: int
    summaries: dict[str, Summary] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def list_published(filters: Filters, page: int = 1, per_page: int = PAGE_SIZE) -> Page:
    """Published evaluations matching the filters, newest year and publication first."""
    query = published_base(
        Evaluation.id, Evaluation.fiscal_year, Evaluation.kind, Evaluation.project_name,
        Unit.id.label("unit_id"), Unit.name.label("unit_name"),
        PublishedReport.id.label("report_id"), PublishedReport.sha256,
        PublishedReport.revision_id, PublishedReport.published_at,
        PublishedReport.verification_code,
    ).order_by(Evaluation.fiscal_year.desc(), PublishedReport.published_at.desc(),
               Evaluation.id.desc())
    if filters.year:
        query = query.where(Evaluation.fiscal_year == filters.year)
    if filters.unit:
        query = query.where(Evaluation.unit_id == filters.unit)
    if filters.kind:
        query = query.where(Evaluation.kind == EvaluationKind(filters.kind))
    if filters.q:
        pattern = _like(filters.q)
        query = query.where(or_(Evaluation.project_name.ilike(pattern, escape="\\"),
                                Unit.name.ilike(pattern, escape="\\")))
    page = max(page, 1)
    if filters.grade:
        # The grade is derived from the signed snapshot, so this filter runs in Python over
        # the (cached) summaries of the rows the SQL filters left.
        rows = list(db.session.execute(query))
        summaries = summaries_for(rows)
        rows = [r for r in rows if summaries[r.sha256].grade == filters.grade]
        total = len(rows)
        items = rows[(page - 1) * per_page: page * per_page]
    else:
        total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
        items = list(db.session.execute(query.limit(per_page).offset((page - 1) * per_page)))
    return Page(items=items, page=page, per_page=per_page, total=total,
                summaries=summaries_for(items))


def filter_choices() -> dict[str, list[Any]]:
    """Options of the filters: years, units and grades that occur among published reports."""
    years = db.session.scalars(
        published_base(Evaluation.fiscal_year).distinct().order_by(Evaluation.fiscal_year.desc())
    ).all()
    units = db.session.execute(
        published_base(Unit.id, Unit.name).distinct().order_by(Unit.name)
    ).all()
    schemes = published_base(Evaluation.grade_scheme_id).distinct().subquery()
    bands = db.session.execute(
        select(GradeBand.name, func.max(GradeBand.min_score).label("top"))
        .join(GradeScheme, GradeScheme.id == GradeBand.scheme_id)
        .where(GradeScheme.id.in_(select(schemes.c.grade_scheme_id)))
        .group_by(GradeBand.name)
        .order_by(func.max(GradeBand.min_score).desc(), GradeBand.name)
    ).all()
    kinds = [(k.value, k.label.removesuffix("绩效自评")) for k in EvaluationKind]
    return {"years": list(years), "units": list(units), "grades": [b.name for b in bands],
            "kinds": kinds}


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
    summary = _summaries.get(report.sha256)
    if summary is None:
        summary = summarise(doc)
        _summaries.put(report.sha256, summary)
    return PublicReport(evaluation, report, revision, doc, summary)


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
