"""Publication off the request path: the state model.

``publish`` (the machine) moves the evaluation to ``published`` and calls ``request_report``.

- ``JOBS_MODE=sync``: the PDF is rendered and stored in the same transaction, as before.
- ``JOBS_MODE=rq``: the revision is checked now (a refusal is a clear error and changes
  nothing), and after the commit a job ``store_published_report`` renders and stores it.

So a published evaluation is in one of two situations, read from the database alone:

    published, no ``published_reports`` row  -> PENDING  ("正在生成报告")
    published, its ``published_reports`` row -> STORED   (public, verifiable, downloadable)

The report row is inserted once, with its bytes, by the job (the frozen-bytes trigger stays:
there is never an UPDATE). The portal, verification and downloads all require the row, so
nothing is visible before the PDF is stored. The job is idempotent (a stored report is left
alone; two workers racing are settled by the UNIQUE evaluation_id), retried by RQ, and
queued again by ``flask jobs sweep`` for any PENDING evaluation whose job was lost.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable

from flask import current_app, has_request_context, request
from sqlalchemy import select

from workflow_app.evaluations.models import Evaluation
from workflow_app.extensions import db
from workflow_app.jobs.queue import enqueue_after_commit
from workflow_app.public.models import PublishedReport
from workflow_app.public.publication import check_publishable, publish_artifact
from workflow_app.workflow.models import Revision
from workflow_app.workflow.states import EvaluationState

STORE_JOB = "workflow_app.jobs.tasks.store_published_report"


class PublicationState(enum.StrEnum):
    """Where a published evaluation's report stands."""

    PENDING = "pending"
    STORED = "stored"

    @property
    def label(self) -> str:
        return {"pending": "正在生成报告", "stored": "报告已生成"}[self.value]


def job_id(evaluation_id: int) -> str:
    """One queued job per evaluation at a time (RQ job ids are unique)."""
    return f"report-{evaluation_id}"


def request_report(evaluation: Evaluation, revision: Revision) -> PublishedReport | None:
    """Store the report now (sync) and return it, or queue its job for after the commit."""
    base_url = request.host_url if has_request_context() else None
    if current_app.config.get("JOBS_MODE", "sync") == "sync":
        return publish_artifact(evaluation, revision, base_url=base_url)
    check_publishable(evaluation, revision)
    enqueue_after_commit(STORE_JOB, evaluation.id, base_url, job_id=job_id(evaluation.id))
    return None


def publication_state(evaluation: Evaluation) -> PublicationState | None:
    """PENDING or STORED for a published evaluation; None for any other state."""
    if evaluation.state != EvaluationState.PUBLISHED:
        return None
    stored = db.session.scalar(
        select(PublishedReport.id).where(PublishedReport.evaluation_id == evaluation.id))
    return PublicationState.STORED if stored is not None else PublicationState.PENDING


def stored_ids(evaluation_ids: Iterable[int]) -> set[int]:
    """Which of these evaluations have their report stored (one query)."""
    ids = list(evaluation_ids)
    if not ids:
        return set()
    return set(db.session.scalars(select(PublishedReport.evaluation_id)
                                  .where(PublishedReport.evaluation_id.in_(ids))))


def pending_ids(limit: int = 1000) -> list[int]:
    """Published evaluations whose report is not stored yet (what the sweep queues again)."""
    return list(db.session.scalars(
        select(Evaluation.id)
        .outerjoin(PublishedReport, PublishedReport.evaluation_id == Evaluation.id)
        .where(Evaluation.state == EvaluationState.PUBLISHED, PublishedReport.id.is_(None))
        .order_by(Evaluation.id).limit(limit)))
