"""The queue: a Redis connection from ``REDIS_URL`` and the RQ queue ``RQ_QUEUE``.

Jobs are queued *after* the database commit (``after_commit`` on the session), so a worker
never looks for rows that are not there yet and a rolled-back step queues nothing. With
``JOBS_MODE=sync`` (development server, unit tests) the same job functions run in-process
right after the commit instead; with ``JOBS_MODE=rq`` (production, ``make serve``) they go to
Redis for ``make worker``.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from typing import Any

from flask import current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)
_PENDING_KEY = "pending_jobs"
# Retried with a growing pause; every job is idempotent, so a retry after a crash is safe.
RETRY_INTERVALS = [5, 30, 120]
JOB_TIMEOUT = 600


def redis_connection(timeout: float | None = 5.0):
    """A Redis client for ``REDIS_URL`` (RQ needs raw bytes: no response decoding)."""
    from redis import Redis

    return Redis.from_url(current_app.config["REDIS_URL"], socket_timeout=timeout,
                          socket_connect_timeout=timeout)


def queue_name() -> str:
    """``RQ_QUEUE``, else ``jixiao-`` and a digest of the database URL (password left out).

    Every instance and worker of one deployment reaches the same database, hence the same
    queue; another deployment or a developer's checkout sharing the Redis gets its own, so a
    worker never takes a job meant for another database.
    """
    configured = current_app.config.get("RQ_QUEUE")
    if configured:
        return configured
    from sqlalchemy.engine import make_url

    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])._replace(password=None)
    digest = hashlib.sha256(url.render_as_string(hide_password=False).encode()).hexdigest()
    return f"jixiao-{digest[:10]}"


def rq_queue(connection=None):
    """The app's RQ queue."""
    from rq import Queue

    return Queue(queue_name(), connection=connection or redis_connection(timeout=None))


@dataclass(frozen=True)
class Job:
    """One job waiting for the commit: a function path and its (JSON-able) arguments."""

    func: str
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)
    job_id: str | None = None


def enqueue_after_commit(func: str, *args: Any, job_id: str | None = None,
                         session: Session | None = None, **kwargs: Any) -> None:
    """Queue ``func(*args, **kwargs)`` to run once the current transaction commits.

    ``func`` is a dotted path (``workflow_app.jobs.tasks.store_report``). A ``job_id`` makes
    the queueing idempotent: RQ keeps one job per id while it is queued or running.
    """
    from workflow_app.extensions import db

    target = session if session is not None else db.session()
    target.info.setdefault(_PENDING_KEY, []).append(Job(func, args, kwargs, job_id))


def enqueue_now(job: Job) -> None:
    """Put the job on the queue (rq) or run it here and now (sync)."""
    if current_app.config.get("JOBS_MODE", "sync") == "sync":
        run_inline(job)
        return
    from rq import Retry

    queue = rq_queue()
    # Job ids are global in Redis: prefix the queue's name so two apps sharing a Redis (or two
    # test runs) never mistake each other's jobs for their own.
    full_id = f"{queue.name}-{job.job_id}" if job.job_id else None
    if full_id:
        existing = queue.fetch_job(full_id)
        if existing is not None and existing.get_status(refresh=True) in (
                "queued", "started", "deferred", "scheduled"):
            return
    queue.enqueue(job.func, *job.args, **job.kwargs, job_id=full_id,
                  retry=Retry(max=len(RETRY_INTERVALS), interval=RETRY_INTERVALS),
                  job_timeout=JOB_TIMEOUT, result_ttl=24 * 3600, failure_ttl=7 * 24 * 3600)


def resolve(func: str):
    """The function named by a dotted path."""
    import importlib

    module, _, name = func.rpartition(".")
    return getattr(importlib.import_module(module), name)


def run_inline(job: Job) -> None:
    """Run a job function in this process (sync mode).

    It runs in a fresh app context, hence its own database session: the session that just
    committed may not emit SQL inside its ``after_commit`` hook.
    """
    with current_app.app_context():
        try:
            resolve(job.func)(*job.args, **job.kwargs)
        finally:
            from workflow_app.extensions import db

            db.session.remove()


@event.listens_for(Session, "after_commit")
def _enqueue_after_commit(session: Session) -> None:
    jobs = session.info.pop(_PENDING_KEY, None)
    if not jobs or not has_app_context():
        return
    for job in jobs:
        try:
            enqueue_now(job)
        except Exception:  # noqa: BLE001  (the step is saved; the sweeper queues it again)
            log.exception("queueing %s failed; `flask jobs sweep` will queue it again", job.func)


@event.listens_for(Session, "after_rollback")
def _drop_on_rollback(session: Session) -> None:
    session.info.pop(_PENDING_KEY, None)
