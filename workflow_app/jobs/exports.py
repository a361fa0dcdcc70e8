"""Large exports (批量导出): every evaluation a user may read for one fiscal year, as a ZIP of
their JSON documents (docs/evaluation-schema.md) and, when published, the stored report PDFs.

``request_export`` (an operation: flush, never commit) records an ``ExportJob`` and queues
``build_export`` for after the commit. ``build_export`` runs in the worker: it is idempotent
(a finished export is left alone; a retry rebuilds the file from the database) and writes its
progress to the row, which the progress page reads.
"""

from __future__ import annotations

import io
import json
import re
import zipfile

from sqlalchemy import select

from workflow_app.auth.models import User
from workflow_app.dbtypes import utcnow
from workflow_app.evaluations.access import visible_evaluations
from workflow_app.evaluations.operations import OperationError
from workflow_app.extensions import db
from workflow_app.jobs.models import ExportJob, ExportStatus
from workflow_app.jobs.queue import enqueue_after_commit

KIND = "evaluations_zip"
BUILD_JOB = "workflow_app.jobs.tasks.build_export"
PROGRESS_EVERY = 20  # rows between progress commits


def request_export(user: User, fiscal_year: object) -> ExportJob:
    """Queue the export of the user's readable evaluations of ``fiscal_year``."""
    try:
        year = int(str(fiscal_year).strip())
    except (TypeError, ValueError):
        raise OperationError("请填写要导出的年度，例如 2024。") from None
    if not 2000 <= year <= 2100:
        raise OperationError("年度应在 2000–2100 之间。")
    job = ExportJob(requested_by_id=user.id, kind=KIND, params={"fiscal_year": year},
                    status=ExportStatus.QUEUED, total=0, done=0, filename="", message="")
    db.session.add(job)
    db.session.flush()
    enqueue_after_commit(BUILD_JOB, job.id, job_id=f"export-{job.id}")
    return job


def _safe(name: str) -> str:
    return re.sub(r'[\\/:*?"<>|\x00-\x1f]', "_", name)[:80] or "评价"


def build(job_id: int) -> None:
    """Build the ZIP for the job, committing progress as it goes (the worker's part)."""
    from workflow_app.evaluations.models import Evaluation
    from workflow_app.exchange.json_io import export_document
    from workflow_app.public.models import PublishedReport

    job = db.session.get(ExportJob, job_id)
    user = db.session.get(User, job.requested_by_id)
    year = int(job.params["fiscal_year"])
    ids = list(db.session.scalars(
        visible_evaluations(user).where(Evaluation.fiscal_year == year)
        .with_only_columns(Evaluation.id)))
    job.status = ExportStatus.RUNNING
    job.total, job.done, job.message = len(ids), 0, ""
    db.session.commit()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for n, evaluation_id in enumerate(ids, 1):
            evaluation = db.session.get(Evaluation, evaluation_id)
            stem = f"{evaluation.id}-{_safe(evaluation.project_name)}"
            archive.writestr(f"{stem}.json", json.dumps(
                export_document(evaluation), ensure_ascii=False, indent=2))
            pdf = db.session.scalar(select(PublishedReport.pdf).where(
                PublishedReport.evaluation_id == evaluation.id))
            if pdf is not None:
                archive.writestr(f"{stem}.pdf", pdf)
            if n % PROGRESS_EVERY == 0:
                db.session.get(ExportJob, job_id).done = n
                db.session.commit()
                db.session.expunge_all()  # memory stays flat over thousands of evaluations
    job = db.session.get(ExportJob, job_id)
    job.done = len(ids)
    job.data = buffer.getvalue()
    job.filename = f"绩效自评导出-{year}年-{len(ids)}项.zip"
    job.status = ExportStatus.DONE
    job.finished_at = utcnow()
    db.session.commit()
