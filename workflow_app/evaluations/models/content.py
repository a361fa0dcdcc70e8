"""The tabular parts of an evaluation's content: funding, expenses, sub-projects, sections, team."""

from __future__ import annotations

import enum
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflow_app.auth.models import User
from workflow_app.dbtypes import Money, Score, enum_column
from workflow_app.extensions import db
from workflow_app.workflow.states import TeamRole

if TYPE_CHECKING:
    from workflow_app.evaluations.models.evaluation import Evaluation


class FundingSourceKind(enum.StrEnum):
    """Where the money came from."""

    CENTRAL = "central"
    PROVINCIAL = "provincial"
    LOCAL = "local"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {
            "central": "中央财政",
            "provincial": "省级(自治区)财政",
            "local": "市县财政",
            "other": "其他",
        }[self.value]


def _evaluation_fk() -> Mapped[int]:
    return mapped_column(ForeignKey("evaluations.id", ondelete="CASCADE"), index=True)


class FundingSource(db.Model):
    """Planned, arrived and spent money of one source (万元)."""

    __tablename__ = "funding_sources"
    __table_args__ = (
        UniqueConstraint("evaluation_id", "source"),
        CheckConstraint(
            "planned >= 0 AND arrived >= 0 AND spent >= 0 AND (initial IS NULL OR initial >= 0)",
            name="amounts_not_negative",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = _evaluation_fk()
    source: Mapped[FundingSourceKind] = mapped_column(
        enum_column(FundingSourceKind, "funding_source_kind")
    )
    initial: Mapped[Decimal | None] = mapped_column(Money)  # 年初预算数
    planned: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))  # 全年预算数（调整后）
    arrived: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    spent: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))

    evaluation: Mapped[Evaluation] = relationship(back_populates="funding")


class ExpenseLine(db.Model):
    """Planned against actual spending of one economic category (办公费, 差旅费, …)."""

    __tablename__ = "expense_lines"
    __table_args__ = (
        # A NULL plan passes (NULL >= 0 is not false); a negative one is refused.
        CheckConstraint("planned >= 0 AND actual >= 0", name="amounts_not_negative"),
        CheckConstraint("length(category) > 0", name="category_not_empty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = _evaluation_fk()
    position: Mapped[int] = mapped_column(Integer, default=0)
    category: Mapped[str] = mapped_column(String(100))
    # Blank in many real reports (no plan per category): NULL, never 0.
    planned: Mapped[Decimal | None] = mapped_column(Money)
    actual: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))

    evaluation: Mapped[Evaluation] = relationship(back_populates="expenses")


class SubProject(db.Model):
    """One line of the 分项绩效项目清单."""

    __tablename__ = "sub_projects"
    __table_args__ = (
        CheckConstraint(
            "budget >= 0 AND executed >= 0 AND returned >= 0", name="amounts_not_negative"
        ),
        CheckConstraint(
            "self_score IS NULL OR (self_score >= 0 AND self_score <= 100)",
            name="self_score_range",
        ),
        CheckConstraint("length(name) > 0", name="name_not_empty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = _evaluation_fk()
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(200))
    budget: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    executed: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    returned: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    self_score: Mapped[Decimal | None] = mapped_column(Score)
    target: Mapped[str] = mapped_column(Text, default="")
    achieved: Mapped[str] = mapped_column(Text, default="")

    evaluation: Mapped[Evaluation] = relationship(back_populates="sub_projects")


class Section(db.Model):
    """A narrative section of the report outline."""

    __tablename__ = "sections"
    __table_args__ = (UniqueConstraint("evaluation_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = _evaluation_fk()
    key: Mapped[str] = mapped_column(String(40))
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")

    evaluation: Mapped[Evaluation] = relationship(back_populates="sections")


class TeamMember(db.Model):
    """A member of the evaluation team (评价工作组). One row per user; one leader per team."""

    __tablename__ = "team_members"
    __table_args__ = (
        UniqueConstraint("evaluation_id", "user_id"),
        Index(
            "uq_team_members_one_leader",
            "evaluation_id",
            unique=True,
            sqlite_where=text("role = 'leader'"),
            postgresql_where=text("role = 'leader'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = _evaluation_fk()
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    role: Mapped[TeamRole] = mapped_column(enum_column(TeamRole, "team_role"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    # 加签: added by the leader during team review; must sign like everyone else.
    added_in_review: Mapped[bool] = mapped_column(Boolean, default=False)

    evaluation: Mapped[Evaluation] = relationship(back_populates="team")
    user: Mapped[User] = relationship(lazy="joined")
