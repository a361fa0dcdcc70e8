"""The published artifact: the report PDF rendered once at publication, with its hash.

Beside the bytes, the row keeps what the portal lists and filters by, fixed at publication
(a published evaluation never changes again): its year, kind and unit, and the totals and
grade of the published revision as the scoring engine read them then. So the portal sorts,
filters and pages in SQL over one table with fitting indexes and never re-scores a document
per request. ``grade``/``total_score`` are NULL when the document could not be scored (shown
as open, never as 0).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, LargeBinary, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflow_app.dbtypes import Score, UTCDateTime, enum_column, utcnow
from workflow_app.evaluations.models import Evaluation, EvaluationKind
from workflow_app.extensions import db
from workflow_app.workflow.models import Revision


class PublishedReport(db.Model):
    """The exact bytes the public downloads; never re-rendered."""

    __tablename__ = "published_reports"
    __table_args__ = (
        CheckConstraint("length(sha256) = 64", name="sha256_length"),
        # The portal's order (newest year, then publication) and each filter followed by it.
        Index("ix_published_reports_listing", "fiscal_year", "published_at", "id"),
        Index("ix_published_reports_unit_listing", "unit_id", "fiscal_year", "published_at",
              "id"),
        Index("ix_published_reports_grade_listing", "grade", "fiscal_year", "published_at",
              "id"),
        Index("ix_published_reports_kind_listing", "kind", "fiscal_year", "published_at",
              "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(
        ForeignKey("evaluations.id", ondelete="RESTRICT"), unique=True
    )
    revision_id: Mapped[int] = mapped_column(ForeignKey("revisions.id", ondelete="RESTRICT"))
    verification_code: Mapped[str] = mapped_column(String(20), unique=True)
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    published_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Fixed at publication (see the module docstring).
    fiscal_year: Mapped[int] = mapped_column(Integer)
    kind: Mapped[EvaluationKind] = mapped_column(
        enum_column(EvaluationKind, "published_report_kind"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"))
    total_score: Mapped[Decimal | None] = mapped_column(Score)
    computed_total_score: Mapped[Decimal | None] = mapped_column(Score)
    grade: Mapped[str | None] = mapped_column(String(20))

    evaluation: Mapped[Evaluation] = relationship()
    revision: Mapped[Revision] = relationship()


# The portal lists a report only while its evaluation is published (public.queries): this
# partial index answers that semi-join for all 10,000 reports of a province without reading
# a single evaluation row.
Index("ix_evaluations_published", Evaluation.__table__.c.id,
      postgresql_where=text("state = 'published'"), sqlite_where=text("state = 'published'"))
