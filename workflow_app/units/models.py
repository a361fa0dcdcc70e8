"""Units: budget units (预算单位) and the finance bureaus (财政局) that oversee them."""

from __future__ import annotations

import enum

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflow_app.dbtypes import enum_column
from workflow_app.extensions import db


class UnitKind(enum.StrEnum):
    """What a unit is."""

    BUDGET_UNIT = "budget_unit"
    FINANCE_BUREAU = "finance_bureau"

    @property
    def label(self) -> str:
        return {"budget_unit": "预算单位", "finance_bureau": "财政局"}[self.value]


class Unit(db.Model):
    """An organisation: a budget unit, overseen by one finance bureau, or a finance bureau."""

    __tablename__ = "units"
    __table_args__ = (
        # A bureau oversees budget units; it is not overseen itself.
        CheckConstraint(
            "kind = 'budget_unit' OR bureau_id IS NULL", name="bureau_only_for_budget_units"
        ),
        CheckConstraint("length(name) > 0", name="name_not_empty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    short_name: Mapped[str] = mapped_column(String(60), default="")
    kind: Mapped[UnitKind] = mapped_column(enum_column(UnitKind, "unit_kind"))
    supervising_department: Mapped[str] = mapped_column(String(200), default="")
    bureau_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"))

    bureau: Mapped[Unit | None] = relationship(remote_side=[id], back_populates="overseen")
    overseen: Mapped[list[Unit]] = relationship(back_populates="bureau")

    @property
    def is_bureau(self) -> bool:
        return self.kind == UnitKind.FINANCE_BUREAU

    @property
    def display_short_name(self) -> str:
        return self.short_name or self.name

    def __repr__(self) -> str:
        return f"<Unit {self.id} {self.name}>"
