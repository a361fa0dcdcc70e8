"""The job functions the worker runs. Each is idempotent: running it twice (a retry after a
crash, a job queued again by the sweep) leaves the same rows as running it once.

They run inside an app context (``flask jobs worker`` provides it; ``job_context`` makes one
when a bare ``rq worker`` calls them), commit their own work and always release the session.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from typing import Any

from flask import current_app, has_app_context

log = logging.getLogger(__name__)


@contextlib.contextmanager
def job_context() -> Iterator[None]:
    """A fresh app context (hence a fresh database session) for one job, always released.

    Under ``flask jobs worker`` (or a caller holding a context) it is a new context of the same
    app, so a job never shares a session with whoever ran it; a bare ``rq worker`` gets an app
    built from the environment.
    """
    if has_app_context():
        context = current_app._get_current_object().app_context()
    else:
        from workflow_app import create_app

        context = create_app().app_context()
    context.push()
    from workflow_app.extensions import db

    try:
        yield
    except BaseException:
        db.session.rollback()
        raise
    finally:
        db.session.remove()
        context.pop()


def integrity_check() -> dict[str, Any]:
    """The nightly integrity check: ``flask integrity verify``'s ``run()`` (which also writes
    the result file the audit page shows); logged as an error when it finds a fault."""
    from workflow_app.integrity import verify

    with job_context():
        from workflow_app.audit import checkpoints

        checkpoints.write_safely()  # the timer's checkpoint of the chain head (logged if not)
        report = verify.run()
        lines = report.lines()
        chain = report.check("chain")
        if report.ok:
            message = "完整性校验通过：" + "；".join(lines)
            log.info(message)
        else:
            message = "完整性校验失败：" + "；".join(line for line in lines if "异常" in line)
            current_app.logger.error(message)
        return {"ok": report.ok, "at": report.at.isoformat(), "message": message,
                "count": chain.checked if chain is not None else None, "lines": lines}


def store_published_report(evaluation_id: int, base_url: str | None = None) -> str:
    """Render and store the published report of an evaluation (PENDING -> STORED).

    Idempotent: a stored report is never touched (no re-render); an evaluation that is not
    published is skipped; two workers racing are settled by the UNIQUE evaluation_id. The
    rendering runs before any lock: the audit append and the insert come last, then commit.
    """
    from sqlalchemy.exc import IntegrityError

    from workflow_app.audit import trail
    from workflow_app.evaluations.models import Evaluation
    from workflow_app.extensions import db
    from workflow_app.public.publication import (
        latest_revision,
        publish_artifact,
        published_report_for,
    )
    from workflow_app.workflow.states import EvaluationState

    with job_context():
        evaluation = db.session.get(Evaluation, evaluation_id)
        if evaluation is None or evaluation.state != EvaluationState.PUBLISHED:
            return f"skipped: evaluation {evaluation_id} is not published"
        if published_report_for(evaluation, with_pdf=False) is not None:
            return f"already stored: evaluation {evaluation_id}"
        revision = latest_revision(evaluation)
        if revision is None:
            raise RuntimeError(f"evaluation {evaluation_id} is published without a revision")
        try:
            report = publish_artifact(evaluation, revision, base_url=base_url)
            trail.record("report_stored", None, evaluation_id=evaluation.id, role="system",
                         from_state=evaluation.state.value, to_state=evaluation.state.value,
                         detail={"revision": revision.number, "sha256": report.sha256,
                                 "verification_code": report.verification_code})
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            if published_report_for(evaluation, with_pdf=False) is not None:
                return f"already stored: evaluation {evaluation_id} (by another worker)"
            raise
        log.info("stored the published report of evaluation %s (%s)", evaluation_id,
                 report.sha256)
        return f"stored: evaluation {evaluation_id} sha256 {report.sha256}"


def build_export(export_id: int) -> str:
    """Build a large export (ZIP) and keep it on its ``ExportJob`` row; retried on failure."""
    from workflow_app.extensions import db
    from workflow_app.jobs.exports import build
    from workflow_app.jobs.models import ExportJob, ExportStatus

    with job_context():
        job = db.session.get(ExportJob, export_id)
        if job is None:
            return f"skipped: export {export_id} does not exist"
        if job.status == ExportStatus.DONE:
            return f"already done: export {export_id}"
        try:
            build(export_id)
        except Exception as exc:
            db.session.rollback()
            failed = db.session.get(ExportJob, export_id)
            failed.status = ExportStatus.FAILED
            failed.message = f"导出失败（系统将自动重试）：{type(exc).__name__}"
            db.session.commit()
            raise
        return f"done: export {export_id}"


def deliver_mail(to: str, subject: str, body: str) -> str:
    """Send one notification e-mail (raises on SMTP failure, so RQ retries it)."""
    from workflow_app.notifications.service import Mail, deliver

    with job_context():
        deliver([Mail(to, subject, body)], raise_errors=True)
        return f"sent to {to}"


def sweep() -> str:
    """Queue again the work the database says is unfinished: reports still PENDING."""
    from sqlalchemy import select

    from workflow_app.extensions import db
    from workflow_app.jobs.exports import BUILD_JOB
    from workflow_app.jobs.models import ExportJob, ExportStatus
    from workflow_app.jobs.publication import STORE_JOB, job_id, pending_ids
    from workflow_app.jobs.queue import Job, enqueue_now

    with job_context():
        ids = pending_ids()
        for evaluation_id in ids:
            enqueue_now(Job(STORE_JOB, (evaluation_id, None), job_id=job_id(evaluation_id)))
        queued = list(db.session.scalars(select(ExportJob.id).where(
            ExportJob.status == ExportStatus.QUEUED)))
        db.session.rollback()
        for export_id in queued:
            enqueue_now(Job(BUILD_JOB, (export_id,), job_id=f"export-{export_id}"))
        parts = []
        if ids:
            parts.append(f"queued {len(ids)} pending report(s)")
        if queued:
            parts.append(f"queued {len(queued)} export(s)")
        return "; ".join(parts) if parts else "没有待处理的任务。"
