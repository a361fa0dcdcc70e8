"""In-app notifications, per-indicator comment threads and fiscal-year due dates."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
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
from workflow_app.dbtypes import UTCDateTime, utcnow
from workflow_app.extensions import db


class Notification(db.Model):
    """A message to one user about a step that waits on them."""

    __tablename__ = "notifications"
    __table_args__ = (
        # The inbox reads a user's newest notifications, unread first (service.recent); the
        # unread ones alone are also what a step marks read (service.done) and a badge counts.
        Index("ix_notifications_user_id_id", "user_id", "id"),
        Index("ix_notifications_user_unread", "user_id", "id",
              sqlite_where=text("read_at IS NULL"), postgresql_where=text("read_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    evaluation_id: Mapped[int | None] = mapped_column(
        ForeignKey("evaluations.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(40))
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()


class IndicatorComment(db.Model):
    """A comment in the thread of one indicator."""

    __tablename__ = "indicator_comments"
    __table_args__ = (CheckConstraint("length(body) > 0", name="body_not_empty"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(
        ForeignKey("evaluations.id", ondelete="CASCADE"), index=True
    )
    indicator_code: Mapped[str] = mapped_column(String(20))
    revision_number: Mapped[int] = mapped_column(Integer)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    author: Mapped[User] = relationship(lazy="joined")


class DueDate(db.Model):
    """The date by which a bureau's units must have their evaluations of a year accepted."""

    __tablename__ = "due_dates"
    __table_args__ = (UniqueConstraint("bureau_id", "fiscal_year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bureau_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    fiscal_year: Mapped[int] = mapped_column(Integer)
    due_on: Mapped[date] = mapped_column(Date)
