"""Fixtures of the queue tests: the app in ``JOBS_MODE=rq`` on a private RQ queue."""

from __future__ import annotations

import uuid

import pytest

from tests.mailsink import smtp_sink  # noqa: F401 - the fixture, for the mail job tests
from tests.workflow.helpers import World, build_world


@pytest.fixture
def rq_mode(app, monkeypatch):
    """Jobs go to a real Redis queue of this test's own (deleted afterwards)."""
    from workflow_app.jobs.queue import rq_queue

    name = f"test-{uuid.uuid4().hex[:10]}"
    monkeypatch.setitem(app.config, "JOBS_MODE", "rq")
    monkeypatch.setitem(app.config, "RQ_QUEUE", name)
    with app.app_context():
        queue = rq_queue()
    yield queue
    for registry in (queue.failed_job_registry, queue.finished_job_registry,
                     queue.started_job_registry, queue.scheduled_job_registry):
        for job_id in registry.get_job_ids():
            registry.remove(job_id, delete_job=True)
    queue.delete(delete_jobs=True)


@pytest.fixture
def world(make, db_session) -> World:
    """An evaluation in draft with its people (see tests/workflow/helpers.py)."""
    return build_world(make)


def run_jobs_here(queue) -> None:  # noqa: ANN001
    """Drain the queue with an RQ worker inside this process (the test's app context)."""
    from rq import SimpleWorker

    SimpleWorker([queue], connection=queue.connection).work(burst=True)
