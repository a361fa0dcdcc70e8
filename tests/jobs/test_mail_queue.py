"""Notification e-mail leaves the request: one job per message, sent by the worker."""

from __future__ import annotations

from tests.jobs.conftest import run_jobs_here
from workflow_app.extensions import db
from workflow_app.workflow.operations import fire


def test_mail_is_sent_by_the_worker_not_in_the_request(world, rq_mode, smtp_sink, ctx):
    for user in (world.member1, world.member2):
        user.email = f"{user.username}@example.gov.cn"
    fire(world.evaluation, "submit", world.preparer)
    db.session.commit()
    assert smtp_sink.messages == []  # nothing sent during the step
    jobs = rq_mode.jobs
    assert {j.func_name for j in jobs} == {"workflow_app.jobs.tasks.deliver_mail"}
    assert sorted(j.args[0] for j in jobs) == sorted(
        [world.member1.email, world.member2.email])

    run_jobs_here(rq_mode)
    assert sorted(m.rcpt_tos[0] for m in smtp_sink.messages) == sorted(
        [world.member1.email, world.member2.email])
    assert rq_mode.count == 0


def test_a_rolled_back_step_queues_no_mail(world, rq_mode, smtp_sink, ctx):
    world.member1.email = "m1@example.gov.cn"
    db.session.commit()
    fire(world.evaluation, "submit", world.preparer)
    db.session.rollback()
    assert rq_mode.count == 0
    assert smtp_sink.messages == []


def test_the_integrity_check_runs_as_a_job(world, rq_mode, ctx, app):
    from workflow_app.jobs.queue import Job, enqueue_now

    world.go(world.evaluation.state.__class__("team_review"))
    db.session.commit()
    enqueue_now(Job("workflow_app.jobs.tasks.integrity_check"))
    job = rq_mode.jobs[0]
    run_jobs_here(rq_mode)
    job.refresh()
    result = job.latest_result().return_value
    assert result["ok"] is True and result["count"] >= 1
    assert "完整性校验通过" in result["message"]
