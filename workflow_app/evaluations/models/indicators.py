"""The indicator tree (指标体系) and evidence files attached to indicators."""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflow_app.dbtypes import Score, UTCDateTime, enum_column, utcnow
from workflow_app.evaluations.scoring.labels import RULE_LABELS as _RULE_NAMES
from workflow_app.extensions import db

if TYPE_CHECKING:
    from workflow_app.evaluations.models.evaluation import Evaluation


class RuleType(enum.StrEnum):
    """How an indicator's score follows from its actual value (see evaluations.scoring)."""

    BAND_HIGHER = "band_higher"
    BAND_LOWER = "band_lower"
    STEPS = "steps"
    OVER_CAP = "over_cap"
    RATE = "rate"
    DEDUCTIONS = "deductions"
    PER_MISS = "per_miss"
    SATISFACTION = "satisfaction"
    YES_NO = "yes_no"
    TARGET_RATIO = "target_ratio"
    MANUAL = "manual"

    @property
    def label(self) -> str:
        return RULE_LABELS[self]


# The names live with the scoring rules (their error messages use the same words).
RULE_LABELS = {t: _RULE_NAMES[t.value] for t in RuleType}


class Indicator(db.Model):
    """A node of the three-level indicator tree; leaves carry the scores."""

    __tablename__ = "indicators"
    __table_args__ = (
        CheckConstraint("level BETWEEN 1 AND 3", name="level_range"),
        CheckConstraint("weight >= 0", name="weight_not_negative"),
        CheckConstraint(
            "score IS NULL OR (score >= 0 AND score <= weight)", name="score_within_weight"
        ),
        CheckConstraint("length(name) > 0", name="name_not_empty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(
        ForeignKey("evaluations.id", ondelete="CASCADE"), index=True
    )
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("indicators.id", ondelete="CASCADE"), index=True
    )
    level: Mapped[int] = mapped_column(SmallInteger)
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")  # 指标内容
    standard: Mapped[str] = mapped_column(Text, default="")  # 评价标准
    weight: Mapped[Decimal] = mapped_column(Score, default=Decimal(0))  # 分值
    target: Mapped[str] = mapped_column(String(200), default="")  # 年度指标值
    actual: Mapped[str] = mapped_column(String(200), default="")  # 实际完成值
    score: Mapped[Decimal | None] = mapped_column(Score)  # 自评得分 (the team's)
    score_reason: Mapped[str] = mapped_column(Text, default="")
    deviation_reason: Mapped[str] = mapped_column(Text, default="")  # 偏差原因
    not_applicable: Mapped[bool] = mapped_column(Boolean, default=False)
    rule_type: Mapped[RuleType] = mapped_column(
        enum_column(RuleType, "rule_type"), default=RuleType.MANUAL
    )
    rule_params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    evaluation: Mapped[Evaluation] = relationship(back_populates="indicators")
    parent: Mapped[Indicator | None] = relationship(
        remote_side=[id], back_populates="children"
    )
    children: Mapped[list[Indicator]] = relationship(
        back_populates="parent", order_by="Indicator.position", cascade="all, delete-orphan"
    )
    evidence: Mapped[list[Evidence]] = relationship(
        back_populates="indicator", cascade="all, delete-orphan", order_by="Evidence.id"
    )

    @property
    def is_leaf(self) -> bool:
        return not self.children


class Evidence(db.Model):
    """A supporting file (佐证材料) attached to an indicator; covered by the signatures."""

    __tablename__ = "evidence"
    __table_args__ = (
        CheckConstraint("size > 0", name="size_positive"),
        CheckConstraint("length(sha256) = 64", name="sha256_length"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(
        ForeignKey("indicators.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    # Deferred: documents, editors and scoring need only the metadata, never the bytes.
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    indicator: Mapped[Indicator] = relationship(back_populates="evidence")
