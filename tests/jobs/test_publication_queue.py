"""Publishing with the real queue: the report is PENDING (正在生成报告, invisible to the public)
until a worker process renders and stores it, then STORED everywhere at once."""

from __future__ import annotations

import hashlib

from sqlalchemy import func, select

from tests.jobs.conftest import run_jobs_here
from tests.serving.servers import run_worker_burst
from workflow_app.audit.models import AuditEvent
from workflow_app.audit.trail import verify
from workflow_app.extensions import db
from workflow_app.jobs import tasks
from workflow_app.jobs.publication import PublicationState, publication_state
from workflow_app.public.models import PublishedReport
from workflow_app.workflow.states import EvaluationState as S


def _accepted(world):
    evaluation = world.go(S.ACCEPTED)
    db.session.commit()
    return evaluation


def _reports(evaluation_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(PublishedReport)
                             .where(PublishedReport.evaluation_id == evaluation_id))


def test_publish_is_pending_until_a_real_worker_stores_the_pdf(app, database_url, world,
                                                               rq_mode, login):
    evaluation = _accepted(world)
    eid = evaluation.id
    finance = login(world.finance)

    answer = finance.post(f"/evaluations/{eid}/transitions/publish")
    assert answer.status_code == 302
    db.session.expire_all()
    assert evaluation.state == S.PUBLISHED
    assert publication_state(evaluation) == PublicationState.PENDING
    assert _reports(eid) == 0
    assert rq_mode.count == 1  # the render waits in Redis, not in the request

    # Nothing of it is visible yet: portal, public PDF, download, API download.
    client = app.test_client()
    assert client.get(f"/public/reports/{eid}").status_code == 404
    assert client.get(f"/public/reports/{eid}/download.pdf").status_code == 404
    assert str(evaluation.project_name) not in client.get("/public/").get_data(as_text=True)
    pending = finance.get(f"/evaluations/{eid}/report.pdf")
    assert pending.status_code == 202
    assert "正在生成报告" in pending.get_data(as_text=True)
    assert pending.headers["Retry-After"] == "5"
    api = finance.get(f"/api/v1/evaluations/{eid}/report.pdf")
    assert api.status_code == 202
    assert api.get_json()["error"]["code"] == "report_pending"
    assert "正在生成报告" in finance.get(f"/evaluations/{eid}").get_data(as_text=True)

    output = run_worker_burst(database_url, rq_mode.name)
    assert "store_published_report" in output

    db.session.expire_all()
    assert publication_state(evaluation) == PublicationState.STORED
    report = db.session.scalar(select(PublishedReport).where(PublishedReport.evaluation_id == eid))
    assert report.pdf.startswith(b"%PDF-")
    assert hashlib.sha256(report.pdf).hexdigest() == report.sha256
    public = client.get(f"/public/reports/{eid}/download.pdf")
    assert public.status_code == 200 and public.data == report.pdf
    assert finance.get(f"/evaluations/{eid}/report.pdf").data == report.pdf
    assert client.get(f"/public/verify/{report.verification_code}").status_code == 200
    assert evaluation.project_name in client.get("/public/").get_data(as_text=True)
    # The worker's step is on the audit chain, which still verifies.
    stored = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "report_stored"))
    assert stored.detail["sha256"] == report.sha256 and stored.evaluation_id == eid
    assert verify().ok


def test_the_store_job_is_idempotent(world, rq_mode, ctx):
    evaluation = _accepted(world)
    from workflow_app.workflow.operations import fire

    fire(evaluation, "publish", world.finance)
    db.session.commit()
    run_jobs_here(rq_mode)
    first = db.session.scalar(select(PublishedReport).where(
        PublishedReport.evaluation_id == evaluation.id))
    sha, code = first.sha256, first.verification_code
    # A retry, or the sweep queueing it again, changes nothing (no re-render, same bytes).
    assert tasks.store_published_report(evaluation.id).startswith("already stored")
    db.session.expire_all()
    again = db.session.scalar(select(PublishedReport).where(
        PublishedReport.evaluation_id == evaluation.id))
    assert (again.sha256, again.verification_code) == (sha, code)
    assert _reports(evaluation.id) == 1


def test_a_job_for_an_unpublished_evaluation_stores_nothing(world, rq_mode, ctx):
    evaluation = _accepted(world)
    assert tasks.store_published_report(evaluation.id).startswith("skipped")
    assert _reports(evaluation.id) == 0


def test_the_sweep_queues_again_a_lost_job(world, rq_mode, ctx):
    evaluation = _accepted(world)
    from workflow_app.workflow.operations import fire

    fire(evaluation, "publish", world.finance)
    db.session.commit()
    assert rq_mode.count == 1
    rq_mode.empty()  # Redis lost the job (restart without persistence)
    assert tasks.sweep() == "queued 1 pending report(s)"
    assert tasks.sweep() == "queued 1 pending report(s)"  # still one job: ids are unique
    assert rq_mode.count == 1
    run_jobs_here(rq_mode)
    db.session.expire_all()
    assert publication_state(evaluation) == PublicationState.STORED
    assert tasks.sweep() == "没有待处理的任务。"


def test_jobs_are_queued_with_retries(world, rq_mode, ctx):
    evaluation = _accepted(world)
    from workflow_app.workflow.operations import fire

    fire(evaluation, "publish", world.finance)
    db.session.commit()
    job = rq_mode.jobs[0]
    assert job.func_name == "workflow_app.jobs.tasks.store_published_report"
    assert job.retries_left == 3
    assert job.args[0] == evaluation.id


def test_a_refused_publish_queues_nothing(world, rq_mode, ctx):
    evaluation = world.go(S.FINANCE_ACCEPTANCE)  # not accepted yet
    db.session.commit()
    from workflow_app.workflow.errors import WorkflowError
    from workflow_app.workflow.operations import fire

    try:
        fire(evaluation, "publish", world.finance)
    except WorkflowError:
        db.session.rollback()
    db.session.commit()
    assert rq_mode.count == 0


def test_bulk_publish_shows_progress_until_every_report_is_stored(make, world, rq_mode, login):
    from tests.workflow.helpers import build_world

    other = build_world(make)
    # Same bureau's officer publishes both.
    first = _accepted(world)
    other.finance = world.finance
    other.evaluation.unit.bureau = world.evaluation.unit.bureau
    db.session.flush()
    second = other.go(S.ACCEPTED)
    db.session.commit()
    finance = login(world.finance)

    answer = finance.post("/workflow/batch/publish",
                          data={"evaluation_id": [str(first.id), str(second.id)],
                                "confirmed": "1"})  # after the confirmation page
    assert answer.status_code == 302
    assert "/jobs/publication?ids=" in answer.headers["Location"]
    progress = finance.get(answer.headers["Location"])
    page = progress.get_data(as_text=True)
    assert "正在生成报告：已完成 0 / 2" in page
    assert 'http-equiv="refresh"' in page
    assert finance.get(answer.headers["Location"] + "&format=json").get_json()["stored"] == 0

    run_jobs_here(rq_mode)
    done = finance.get(answer.headers["Location"]).get_data(as_text=True)
    assert "报告已全部生成：共 2 份" in done
    assert 'http-equiv="refresh"' not in done
    status = finance.get(answer.headers["Location"] + "&format=json").get_json()
    assert (status["stored"], status["total"], status["finished"]) == (2, 2, True)


def test_progress_shows_only_what_the_user_may_read(make, world, rq_mode, login):
    evaluation = _accepted(world)
    stranger = login(world.outsider)
    page = stranger.get(f"/jobs/publication?ids={evaluation.id}&format=json").get_json()
    assert page["items"] == []


def test_the_default_queue_is_per_database(app, monkeypatch, ctx):
    from workflow_app.jobs.queue import queue_name

    monkeypatch.setitem(app.config, "RQ_QUEUE", None)
    mine = queue_name()
    assert mine.startswith("jixiao-")
    monkeypatch.setitem(app.config, "SQLALCHEMY_DATABASE_URI", "postgresql://u:pw@db/other")
    other = queue_name()
    monkeypatch.setitem(app.config, "SQLALCHEMY_DATABASE_URI", "postgresql://u:secret@db/other")
    assert other != mine and queue_name() == other  # the password is not part of it
    monkeypatch.setitem(app.config, "RQ_QUEUE", "explicit")
    assert queue_name() == "explicit"
