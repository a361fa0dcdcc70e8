"""A large export built by the job worker and kept in the database until downloaded.

The row is the shared truth about the job (any app instance shows its progress and serves the
file); RQ only carries the request to build it.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from workflow_app.dbtypes import UTCDateTime, enum_column, utcnow
from workflow_app.extensions import db


class ExportStatus(enum.StrEnum):
    """Where an export stands."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"

    @property
    def label(self) -> str:
        return {"queued": "排队中", "running": "正在导出", "done": "已完成",
                "failed": "导出失败"}[self.value]


class ExportJob(db.Model):
    """One requested export: who asked, what, how far it got, and the file when done."""

    __tablename__ = "export_jobs"
    __table_args__ = (
        CheckConstraint("done >= 0 AND total >= 0 AND done <= total", name="progress_bounds"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    requested_by_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[ExportStatus] = mapped_column(
        enum_column(ExportStatus, "export_status"), default=ExportStatus.QUEUED)
    total: Mapped[int] = mapped_column(Integer, default=0)
    done: Mapped[int] = mapped_column(Integer, default=0)
    filename: Mapped[str] = mapped_column(String(200), default="")
    # Deferred: progress pages never load the file.
    data: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    message: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
