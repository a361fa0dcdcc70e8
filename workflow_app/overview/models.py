"""抽查: a recorded random draw of accepted evaluations for re-check."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflow_app.auth.models import User
from workflow_app.dbtypes import UTCDateTime, utcnow
from workflow_app.evaluations.models import Evaluation
from workflow_app.extensions import db
from workflow_app.units.models import Unit


class SpotCheck(db.Model):
    """One draw: who drew it, when, from which population, with which seed and size.

    The draw is reproducible: the population is the accepted evaluations of the bureau's units
    in the fiscal year, sorted by id (``population_sha256`` is the SHA-256 of those ids), and
    the items are ``random.Random(seed).sample(population, size)``.
    """

    __tablename__ = "spot_checks"
    __table_args__ = (
        CheckConstraint("size >= 1", name="size_positive"),
        CheckConstraint("population >= size", name="population_covers_size"),
        CheckConstraint("length(seed) > 0", name="seed_not_empty"),
        CheckConstraint("fiscal_year BETWEEN 2000 AND 2100", name="fiscal_year_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    bureau_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"),
                                           index=True)
    fiscal_year: Mapped[int] = mapped_column(Integer)
    drawn_by_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    drawn_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    seed: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    population: Mapped[int] = mapped_column(Integer)
    population_sha256: Mapped[str] = mapped_column(String(64))

    bureau: Mapped[Unit] = relationship()
    drawn_by: Mapped[User] = relationship(lazy="joined")
    items: Mapped[list[SpotCheckItem]] = relationship(
        back_populates="spot_check", cascade="all, delete-orphan",
        order_by="SpotCheckItem.position")


class SpotCheckItem(db.Model):
    """One evaluation drawn, in draw order."""

    __tablename__ = "spot_check_items"
    __table_args__ = (
        UniqueConstraint("spot_check_id", "evaluation_id"),
        UniqueConstraint("spot_check_id", "position"),
        CheckConstraint("position >= 1", name="position_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    spot_check_id: Mapped[int] = mapped_column(
        ForeignKey("spot_checks.id", ondelete="CASCADE"), index=True)
    evaluation_id: Mapped[int] = mapped_column(
        ForeignKey("evaluations.id", ondelete="RESTRICT"), index=True)
    position: Mapped[int] = mapped_column(Integer)

    spot_check: Mapped[SpotCheck] = relationship(back_populates="items")
    evaluation: Mapped[Evaluation] = relationship()
