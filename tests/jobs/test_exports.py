"""Large exports are built by the worker, with progress on the page and the file in the
database (so any instance serves it)."""

from __future__ import annotations

import io
import json
import zipfile

from tests.jobs.conftest import run_jobs_here
from workflow_app.extensions import db
from workflow_app.jobs import tasks
from workflow_app.jobs.models import ExportJob, ExportStatus
from workflow_app.workflow.states import EvaluationState as S


def test_an_export_is_queued_built_by_the_worker_and_downloaded(world, rq_mode, login):
    world.go(S.PUBLISHED)
    db.session.commit()
    run_jobs_here(rq_mode)  # the report PDF is stored
    finance = login(world.finance)

    answer = finance.post("/jobs/exports", data={"fiscal_year": "2024"})
    assert answer.status_code == 302
    status_url = answer.headers["Location"]
    page = finance.get(status_url).get_data(as_text=True)
    assert "排队中" in page and 'http-equiv="refresh"' in page
    assert rq_mode.count == 1

    run_jobs_here(rq_mode)
    done = finance.get(status_url).get_data(as_text=True)
    assert "导出完成：共 1 项" in done
    assert finance.get(status_url + "?format=json").get_json() == {
        "status": "done", "done": 1, "total": 1, "message": ""}
    download = finance.get(status_url + "/download")
    assert download.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(download.data))
    names = sorted(archive.namelist())
    assert [n.rsplit(".", 1)[1] for n in names] == ["json", "pdf"]
    doc = json.loads(archive.read(names[0]))
    assert doc["project_name"] == world.evaluation.project_name
    assert archive.read(names[1]).startswith(b"%PDF-")


def test_an_export_holds_only_what_the_user_may_read(world, make, rq_mode, login):
    world.go(S.TEAM_REVIEW)  # not yet visible to the finance bureau
    db.session.commit()
    finance = login(world.finance)
    status_url = finance.post("/jobs/exports", data={"fiscal_year": "2024"}).headers["Location"]
    run_jobs_here(rq_mode)
    assert finance.get(status_url + "?format=json").get_json()["total"] == 0
    # Someone else's export is not even there for another user.
    assert login(world.preparer).get(status_url).status_code == 404


def test_a_bad_year_is_a_clear_error_and_queues_nothing(world, rq_mode, login):
    finance = login(world.finance)
    answer = finance.post("/jobs/exports", data={"fiscal_year": "明年"}, follow_redirects=True)
    assert "请填写要导出的年度" in answer.get_data(as_text=True)
    assert db.session.query(ExportJob).count() == 0
    assert rq_mode.count == 0


def test_the_export_job_is_idempotent_and_swept(world, rq_mode, login):
    finance = login(world.finance)
    finance.post("/jobs/exports", data={"fiscal_year": "2024"})
    rq_mode.empty()  # the queued job was lost
    assert tasks.sweep() == "queued 1 export(s)"
    run_jobs_here(rq_mode)
    job = db.session.query(ExportJob).one()
    assert job.status == ExportStatus.DONE
    data = job.data
    assert tasks.build_export(job.id).startswith("already done")
    db.session.expire_all()
    assert db.session.query(ExportJob).one().data == data
