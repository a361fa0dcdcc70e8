"""The evaluation: header fields, state and the working copy of its content."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflow_app.auth.models import User
from workflow_app.dbtypes import Score, UTCDateTime, enum_column, utcnow
from workflow_app.extensions import db
from workflow_app.units.models import Unit
from workflow_app.workflow.states import EvaluationState

if TYPE_CHECKING:
    from workflow_app.evaluations.models.content import (
        ExpenseLine,
        FundingSource,
        Section,
        SubProject,
        TeamMember,
    )
    from workflow_app.evaluations.models.indicators import Indicator
    from workflow_app.evaluations.models.schemes import GradeScheme


class EvaluationKind(enum.StrEnum):
    """项目支出 or 部门整体支出."""

    PROJECT = "project"
    UNIT_WHOLE = "unit_whole"

    @property
    def label(self) -> str:
        return {"project": "项目支出绩效自评", "unit_whole": "部门整体支出绩效自评"}[self.value]


class EvaluationTiming(enum.StrEnum):
    """事前 / 事中 / 事后."""

    EX_ANTE = "ex_ante"
    IN_PROGRESS = "in_progress"
    EX_POST = "ex_post"

    @property
    def label(self) -> str:
        return {"ex_ante": "事前", "in_progress": "事中", "ex_post": "事后"}[self.value]


class EvaluationMethod(enum.StrEnum):
    """单位自评 / 部门评价 / 第三方评价."""

    SELF = "self"
    DEPARTMENT = "department"
    THIRD_PARTY = "third_party"

    @property
    def label(self) -> str:
        return {"self": "单位自评", "department": "部门评价", "third_party": "第三方评价"}[
            self.value
        ]


class ReportTitleWord(enum.StrEnum):
    """The word the report's title ends with: most units write 自评报告; a 部门评价 or a
    third party's report is a 评价报告."""

    SELF_EVALUATION = "self_evaluation"
    EVALUATION = "evaluation"

    @property
    def label(self) -> str:
        return {"self_evaluation": "自评报告", "evaluation": "评价报告"}[self.value]


class Evaluation(db.Model):
    """One annual self-evaluation of a unit: a project or the unit's whole expenditure."""

    __tablename__ = "evaluations"
    __table_args__ = (
        CheckConstraint("fiscal_year BETWEEN 2000 AND 2100", name="fiscal_year_range"),
        CheckConstraint("total_weight > 0", name="total_weight_positive"),
        CheckConstraint("revision_number >= 1", name="revision_number_positive"),
        CheckConstraint(
            "period_start IS NULL OR period_end IS NULL OR period_start <= period_end",
            name="period_ordered",
        ),
        CheckConstraint("length(project_name) > 0", name="project_name_not_empty"),
        CheckConstraint("open_leaves IS NULL OR open_leaves >= 0", name="open_leaves_non_negative"),
        # The lists and inboxes: a unit's evaluations by state and year, and by year. The
        # first index also holds what the lists' first (ids-only) pass sorts on, so that pass
        # is an index-only scan (evaluations.listing.paginate).
        Index("ix_evaluations_unit_state_list", "unit_id", "state", "fiscal_year", "updated_at",
              "id"),
        Index("ix_evaluations_unit_year", "unit_id", "fiscal_year"),
        CheckConstraint("length(postcode) IN (0, 6)", name="postcode_length"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[EvaluationKind] = mapped_column(enum_column(EvaluationKind, "evaluation_kind"))
    fiscal_year: Mapped[int] = mapped_column(Integer)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"), index=True)
    supervising_department: Mapped[str] = mapped_column(String(200), default="")
    project_name: Mapped[str] = mapped_column(String(200))
    project_leader: Mapped[str] = mapped_column(String(64), default="")
    project_leader_phone: Mapped[str] = mapped_column(String(32), default="")
    period_start: Mapped[date | None] = mapped_column(Date)
    period_end: Mapped[date | None] = mapped_column(Date)
    timing: Mapped[EvaluationTiming] = mapped_column(
        enum_column(EvaluationTiming, "evaluation_timing"), default=EvaluationTiming.EX_POST
    )
    method: Mapped[EvaluationMethod] = mapped_column(
        enum_column(EvaluationMethod, "evaluation_method"), default=EvaluationMethod.SELF
    )
    preparer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    preparer_name: Mapped[str] = mapped_column(String(64), default="")
    preparer_phone: Mapped[str] = mapped_column(String(32), default="")
    report_date: Mapped[date | None] = mapped_column(Date)
    # The unit's address and postcode as printed in the report's header (地址 / 邮编).
    address: Mapped[str] = mapped_column(String(200), default="")
    postcode: Mapped[str] = mapped_column(String(6), default="")
    title_word: Mapped[ReportTitleWord] = mapped_column(
        enum_column(ReportTitleWord, "report_title_word"),
        default=ReportTitleWord.SELF_EVALUATION)
    overall_goal: Mapped[str] = mapped_column(Text, default="")
    problems: Mapped[str] = mapped_column(Text, default="")
    measures: Mapped[str] = mapped_column(Text, default="")
    total_weight: Mapped[Decimal] = mapped_column(Score, default=Decimal("100"))
    grade_scheme_id: Mapped[int] = mapped_column(
        ForeignKey("grade_schemes.id", ondelete="RESTRICT")
    )
    template_key: Mapped[str] = mapped_column(String(60), default="")
    state: Mapped[EvaluationState] = mapped_column(
        enum_column(EvaluationState, "evaluation_state"),
        default=EvaluationState.DRAFT,
        index=True,
    )
    # The number of the revision being edited (draft) or under review; a return opens the next.
    revision_number: Mapped[int] = mapped_column(Integer, default=1)
    # Optimistic concurrency: every flush bumps it, a stale editor's save is refused.
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    # Derived scores shown by lists, inboxes, the overview and the portal, stored by the
    # operations (evaluations.derived) at submit / approve / accept and on a draft's save, so
    # no list page re-scores a document. NULL: not computed yet (shown as open, never as 0).
    self_total: Mapped[Decimal | None] = mapped_column(Score, nullable=True)
    computed_total: Mapped[Decimal | None] = mapped_column(Score, nullable=True)
    open_leaves: Mapped[int | None] = mapped_column(Integer, nullable=True)
    grade: Mapped[str | None] = mapped_column(String(40), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    __mapper_args__ = {"version_id_col": version}

    unit: Mapped[Unit] = relationship(lazy="joined")
    preparer: Mapped[User] = relationship()
    grade_scheme: Mapped[GradeScheme] = relationship()
    funding: Mapped[list[FundingSource]] = relationship(
        back_populates="evaluation", cascade="all, delete-orphan", order_by="FundingSource.id"
    )
    expenses: Mapped[list[ExpenseLine]] = relationship(
        back_populates="evaluation", cascade="all, delete-orphan", order_by="ExpenseLine.position"
    )
    sub_projects: Mapped[list[SubProject]] = relationship(
        back_populates="evaluation", cascade="all, delete-orphan", order_by="SubProject.position"
    )
    sections: Mapped[list[Section]] = relationship(
        back_populates="evaluation", cascade="all, delete-orphan", order_by="Section.position"
    )
    team: Mapped[list[TeamMember]] = relationship(
        back_populates="evaluation", cascade="all, delete-orphan", order_by="TeamMember.position"
    )
    indicators: Mapped[list[Indicator]] = relationship(
        back_populates="evaluation", cascade="all, delete-orphan", order_by="Indicator.position"
    )

    @property
    def root_indicators(self) -> list[Indicator]:
        """First-level indicators in order."""
        return [i for i in self.indicators if i.parent_id is None and i.parent is None]

    @property
    def title(self) -> str:
        """The report's title, as printed on its cover."""
        word = (self.title_word or ReportTitleWord.SELF_EVALUATION).label
        if self.kind == EvaluationKind.UNIT_WHOLE:
            return f"{self.unit.name} {self.fiscal_year} 年度整体支出绩效{word}"
        return f"{self.fiscal_year} 年度{self.project_name} 预算绩效{word}"

    @property
    def leader(self) -> User | None:
        """The team leader (组长), if the team has one."""
        for member in self.team:
            if member.role.value == "leader":
                return member.user
        return None

    def member_for(self, user: User) -> TeamMember | None:
        """The team row of this user, if they are on the team."""
        for member in self.team:
            if member.user_id == user.id:
                return member
        return None

    def __repr__(self) -> str:
        return f"<Evaluation {self.id} {self.state}>"
