"""The published artifact: the report PDF rendered once at publication, with its hash."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflow_app.dbtypes import UTCDateTime, utcnow
from workflow_app.evaluations.models import Evaluation
from workflow_app.extensions import db
from workflow_app.workflow.models import Revision


class PublishedReport(db.Model):
    """The exact bytes the public downloads; never re-rendered."""

    __tablename__ = "published_reports"
    __table_args__ = (
        CheckConstraint("length(sha256) = 64", name="sha256_length"),
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

    evaluation: Mapped[Evaluation] = relationship()
    revision: Mapped[Revision] = relationship()
