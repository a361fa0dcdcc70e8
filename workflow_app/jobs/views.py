"""Pages for background work: the progress of a bulk publication (正在生成报告 n / m) and the
large exports (批量导出: request, progress, download).

``GET /jobs/publication?ids=1,2,3`` lists the evaluations the user may read among those ids
with their situation (正在生成报告 / 报告已生成 / not published); while any is pending the page
refreshes itself every few seconds (a meta refresh: no script). ``?format=json`` gives the
same for scripts. Progress is read from the database, so any instance answers it.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from sqlalchemy import select

from workflow_app.evaluations.access import can_view
from workflow_app.evaluations.models import Evaluation
from workflow_app.evaluations.operations import OperationError
from workflow_app.extensions import db
from workflow_app.jobs import exports
from workflow_app.jobs.models import ExportJob, ExportStatus
from workflow_app.jobs.publication import PublicationState, publication_state, stored_ids
from workflow_app.workflow.states import EvaluationState

bp = Blueprint("jobs", __name__)
MAX_IDS = 500
REFRESH_SECONDS = 3


def publication_progress_url(evaluation_ids: list[int]) -> str:
    """The progress page of a bulk publication."""
    return url_for("jobs.publication", ids=",".join(str(i) for i in evaluation_ids))


def _ids() -> list[int]:
    raw = request.args.get("ids", "")
    ids = [int(part) for part in raw.split(",") if part.strip().isdigit()]
    return list(dict.fromkeys(ids))[:MAX_IDS]


@bp.route("/jobs/publication")
@login_required
def publication():
    """Progress of publishing several evaluations (their reports rendered by the worker)."""
    user = current_user._get_current_object()
    rows = db.session.scalars(select(Evaluation).where(Evaluation.id.in_(_ids()))
                              .order_by(Evaluation.id)) if _ids() else []
    visible = [e for e in rows if can_view(user, e)]
    stored = stored_ids(e.id for e in visible)
    items = []
    for evaluation in visible:
        if evaluation.state != EvaluationState.PUBLISHED:
            situation, label = "not_published", f"未公开（{evaluation.state.label}）"
        elif evaluation.id in stored:
            situation, label = PublicationState.STORED.value, PublicationState.STORED.label
        else:
            situation, label = PublicationState.PENDING.value, PublicationState.PENDING.label
        items.append({"id": evaluation.id, "title": evaluation.project_name,
                      "state": situation, "label": label})
    published = [i for i in items if i["state"] != "not_published"]
    done = sum(1 for i in published if i["state"] == PublicationState.STORED.value)
    finished = done == len(published)
    if request.args.get("format") == "json":
        return jsonify({"total": len(published), "stored": done, "finished": finished,
                        "items": items})
    return render_template("jobs/publication.html", items=items, total=len(published),
                           done=done, finished=finished, refresh=REFRESH_SECONDS)


@bp.route("/jobs/exports", methods=["GET", "POST"])
@login_required
def export_list():
    """My exports, and the form that asks for a new one (one fiscal year)."""
    user = current_user._get_current_object()
    if request.method == "POST":
        try:
            job = exports.request_export(user, request.form.get("fiscal_year", ""))
        except OperationError as exc:
            db.session.rollback()
            flash(str(exc), "error")
            return redirect(url_for("jobs.export_list")), 303
        db.session.commit()
        return redirect(url_for("jobs.export_status", export_id=job.id))
    jobs = db.session.scalars(select(ExportJob).where(ExportJob.requested_by_id == user.id)
                              .order_by(ExportJob.id.desc()).limit(20))
    return render_template("jobs/exports.html", jobs=list(jobs))


def _own_export(export_id: int) -> ExportJob:
    job = db.session.get(ExportJob, export_id)
    if job is None or job.requested_by_id != current_user.id:
        abort(404)
    return job


@bp.route("/jobs/exports/<int:export_id>")
@login_required
def export_status(export_id: int):
    """Progress of one export; the download once it is done."""
    job = _own_export(export_id)
    running = job.status in (ExportStatus.QUEUED, ExportStatus.RUNNING)
    if request.args.get("format") == "json":
        return jsonify({"status": job.status.value, "done": job.done, "total": job.total,
                        "message": job.message})
    return render_template("jobs/export.html", job=job, running=running,
                           refresh=REFRESH_SECONDS)


@bp.route("/jobs/exports/<int:export_id>/download")
@login_required
def export_download(export_id: int):
    """The finished ZIP."""
    job = _own_export(export_id)
    if job.status != ExportStatus.DONE or job.data is None:
        abort(404)
    from workflow_app.reports.record import content_disposition

    response = Response(job.data, mimetype="application/zip")
    response.headers["Content-Disposition"] = content_disposition(
        job.filename, f"export-{job.id}.zip")
    response.headers["Cache-Control"] = "private, no-store"
    return response


def register(app: Flask) -> None:
    """Install the blueprint and the template helper ``publication_state(evaluation)``."""
    app.register_blueprint(bp)
    app.jinja_env.globals["publication_state"] = publication_state
