"""``flask --app workflow_app jobs ...``: the worker, the scheduler and the sweep."""

from __future__ import annotations

import gc

import click
from flask import current_app
from flask.cli import AppGroup

jobs_cli = AppGroup("jobs", help="后台任务（Redis 上的 RQ 队列）")

NIGHTLY_CRON = "0 2 * * *"  # 02:00 every night (the worker's local time)
SWEEP_SECONDS = 300


@jobs_cli.command("worker")
@click.option("--burst", is_flag=True, help="处理完队列中的任务后退出（测试与一次性运行）")
def worker_command(burst: bool) -> None:
    """Run an RQ worker for the app's queue (SIGTERM: finish the current job, then exit)."""
    from rq import SimpleWorker

    from workflow_app.jobs.queue import redis_connection, rq_queue

    connection = redis_connection(timeout=None)
    queue = rq_queue(connection)
    # SimpleWorker runs each job in this process, inside this app context: no fork, so no
    # database connection is ever shared between a parent and a child process.
    worker = SimpleWorker([queue], connection=connection)
    click.echo(f"RQ worker on queue {queue.name!r} ({current_app.config['REDIS_URL']})")
    gc.freeze()  # the loaded app lives as long as the worker: out of the collector's sight
    worker.work(burst=burst, with_scheduler=True, logging_level="INFO")


@jobs_cli.command("cron")
def cron_command() -> None:
    """Schedule the nightly integrity check (02:00) and the sweep (every 5 minutes)."""
    from rq.cron import CronScheduler

    from workflow_app.jobs import tasks
    from workflow_app.jobs.queue import redis_connection, rq_queue

    connection = redis_connection(timeout=None)
    queue = rq_queue(connection)
    scheduler = CronScheduler(connection=connection)
    scheduler.register(tasks.integrity_check, queue.name, cron=NIGHTLY_CRON,
                       job_timeout=3600, name="nightly-integrity")
    scheduler.register(tasks.sweep, queue.name, interval=SWEEP_SECONDS, name="sweep")
    click.echo(f"cron: integrity check at {NIGHTLY_CRON!r}, sweep every {SWEEP_SECONDS} s")
    scheduler.start()


@jobs_cli.command("sweep")
def sweep_command() -> None:
    """Queue again whatever the database says is unfinished (e.g. reports not yet stored)."""
    from workflow_app.jobs import tasks

    click.echo(tasks.sweep())


@jobs_cli.command("integrity")
@click.option("--now", "run_now", is_flag=True, help="在本进程中立即执行，而不是放入队列")
def integrity_command(run_now: bool) -> None:
    """Queue the integrity check (what the nightly schedule does), or run it here."""
    from workflow_app.jobs import tasks
    from workflow_app.jobs.queue import Job, enqueue_now

    if run_now:
        result = tasks.integrity_check()
        click.echo(result["message"])
        if not result["ok"]:
            raise SystemExit(1)
        return
    enqueue_now(Job("workflow_app.jobs.tasks.integrity_check"))
    click.echo("已将完整性校验放入队列。")
