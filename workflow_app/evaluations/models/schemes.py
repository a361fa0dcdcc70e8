"""Grade schemes (评价等级) and indicator templates (指标模板), managed by the administrator."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflow_app.dbtypes import Score, UTCDateTime, enum_column, utcnow
from workflow_app.evaluations.models.evaluation import EvaluationKind
from workflow_app.extensions import db
from workflow_app.units.models import Unit


class GradeScheme(db.Model):
    """Named grades by minimum score; global or specific to one finance bureau."""

    __tablename__ = "grade_schemes"
    __table_args__ = (UniqueConstraint("name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    bureau_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"))

    bureau: Mapped[Unit | None] = relationship()
    bands: Mapped[list[GradeBand]] = relationship(
        back_populates="scheme",
        cascade="all, delete-orphan",
        order_by="GradeBand.min_score.desc()",
    )

    def as_dict(self) -> dict[str, Any]:
        """The scheme in the content document's form (decimal strings, highest band first)."""
        return {
            "name": self.name,
            # Sorted here, not only by the relationship's ORDER BY: bands added in this session
            # keep their insertion order, and the content hash must not depend on that.
            "bands": [{"name": b.name, "min": f"{b.min_score.normalize():f}"}
                      for b in sorted(self.bands, key=lambda b: b.min_score, reverse=True)],
        }


class GradeBand(db.Model):
    """One grade: the lowest total that earns it."""

    __tablename__ = "grade_bands"
    __table_args__ = (
        UniqueConstraint("scheme_id", "name"),
        UniqueConstraint("scheme_id", "min_score"),
        CheckConstraint("min_score >= 0", name="min_score_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_id: Mapped[int] = mapped_column(
        ForeignKey("grade_schemes.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(40))
    min_score: Mapped[Decimal] = mapped_column(Score)

    scheme: Mapped[GradeScheme] = relationship(back_populates="bands")


class IndicatorTemplate(db.Model):
    """A framework a new evaluation starts from: an indicator tree as data."""

    __tablename__ = "indicator_templates"
    __table_args__ = (
        UniqueConstraint("key"),
        CheckConstraint("total_weight > 0", name="total_weight_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(60))
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[EvaluationKind] = mapped_column(enum_column(EvaluationKind, "template_kind"))
    total_weight: Mapped[Decimal] = mapped_column(Score, default=Decimal(100))
    grade_scheme_id: Mapped[int] = mapped_column(
        ForeignKey("grade_schemes.id", ondelete="RESTRICT")
    )
    # The tree in the content document's form (docs/evaluation-schema.md, "indicators").
    tree: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    grade_scheme: Mapped[GradeScheme] = relationship()
