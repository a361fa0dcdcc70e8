"""Report PDF downloads for those who may read an evaluation (in-app and JSON API).

- ``GET /evaluations/<id>/report.pdf`` (``reports.download``): logged-in readers.
- ``GET /api/v1/evaluations/<id>/report.pdf`` (``reports.api_download``): a session or an
  ``Authorization: Bearer`` token; errors are JSON ``{"error": {"code", "message"}}``.

A published evaluation gives the stored, published bytes; any other gives the current report
(latest submitted revision or the working copy, watermarked 草稿 until the leader approves).
Both are 404 for evaluations the user may not read, so URLs reveal nothing.
"""

from __future__ import annotations

import hashlib
import io

from flask import Blueprint, Flask, abort, jsonify, request, send_file
from flask_login import current_user, login_required
from sqlalchemy import select

from workflow_app.auth.models import ApiToken, User
from workflow_app.evaluations.access import can_view
from workflow_app.evaluations.models import Evaluation
from workflow_app.extensions import db
from workflow_app.public.publication import CurrentReport, ReportPending, current_report
from workflow_app.reports.record import content_disposition, report_filename

bp = Blueprint("reports", __name__)


def register(app: Flask) -> None:
    """Install the blueprint (called by ``workflow_app.web``)."""
    app.register_blueprint(bp)


def _send(evaluation: Evaluation, report: CurrentReport):
    if report.published:
        suffix = ""
    elif report.draft:
        suffix = f"（第{report.revision}版 草稿）"
    else:
        suffix = f"（第{report.revision}版）"
    sha256 = hashlib.sha256(report.pdf).hexdigest()
    filename = report_filename(evaluation, suffix=suffix)
    response = send_file(
        io.BytesIO(report.pdf),
        mimetype="application/pdf",
        as_attachment=True,
        download_name=filename,
        etag=sha256,
        conditional=True,
        max_age=0,
    )
    response.headers["Content-Disposition"] = content_disposition(
        filename, f"report-{evaluation.id}.pdf")
    response.headers["Cache-Control"] = "private, no-cache"
    response.headers["X-Content-SHA256"] = sha256
    return response


@bp.route("/evaluations/<int:evaluation_id>/report.pdf")
@login_required
def download(evaluation_id: int):
    """The evaluation's report PDF for a logged-in reader."""
    evaluation = db.session.get(Evaluation, evaluation_id)
    if evaluation is None or not can_view(current_user, evaluation):
        abort(404)
    try:
        report = current_report(evaluation)
    except ReportPending as exc:
        return _pending_page(evaluation, str(exc))
    return _send(evaluation, report)


def _pending_page(evaluation: Evaluation, message: str):
    """202: the report is being generated; the page refreshes itself until it exists."""
    from flask import render_template

    response = render_template("reports/pending.html", evaluation=evaluation, message=message)
    return response, 202, {"Retry-After": "5", "Cache-Control": "no-store"}


def _api_error(status: int, code: str, message: str):
    response = jsonify({"error": {"code": code, "message": message}})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


def _api_user() -> User | None:
    """The bearer token's user, else the session's; None when neither is valid.

    A request that sends an Authorization header is judged by it alone.
    """
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, token = header.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            return None
        row = db.session.scalar(
            select(ApiToken).where(ApiToken.token_hash == ApiToken.hash_token(token))
        )
        if row is None or not row.user.is_active:
            return None
        return row.user
    if current_user.is_authenticated:
        return current_user
    return None


@bp.route("/api/v1/evaluations/<int:evaluation_id>/report.pdf")
def api_download(evaluation_id: int):
    """The report PDF through the API (session or bearer token)."""
    user = _api_user()
    if user is None:
        return _api_error(401, "unauthorized", "未登录或访问令牌无效。")
    evaluation = db.session.get(Evaluation, evaluation_id)
    if evaluation is None or not can_view(user, evaluation):
        return _api_error(404, "not_found", "绩效自评不存在，或您无权查看。")
    try:
        report = current_report(evaluation)
    except ReportPending as exc:
        response = _api_error(202, "report_pending", str(exc))
        response.headers["Retry-After"] = "5"
        return response
    return _send(evaluation, report)
