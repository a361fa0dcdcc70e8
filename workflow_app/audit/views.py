"""The audit administrator's pages at /audit (审计管理员): the audit log with filters (who, what,
when, evaluation) paginated in SQL, its CSV and Excel export, and the integrity check.

Reading changes nothing; exports and checks are themselves recorded in the trail.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_login import current_user
from sqlalchemy import select

from workflow_app.audit import integrity_status, trail
from workflow_app.audit.models import AuditEvent
from workflow_app.audit.query import (
    ACTION_LABELS,
    EXPORT_COLUMNS,
    action_label,
    export_row,
    filtered,
    parse_filter,
)
from workflow_app.auth.roles import can_read_audit
from workflow_app.extensions import db, login_manager

bp = Blueprint("audit", __name__, url_prefix="/audit")
PAGE_SIZE = 50
MAX_PAGE = 100_000
EXPORT_LIMIT = 200_000  # rows per export; narrow the filter for more


@bp.before_request
def require_audit_admin():
    """Only the audit administrator."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if not can_read_audit(current_user):
        abort(403)
    return None


@bp.route("/")
def index():
    """The log, newest first, filtered; the last integrity result."""
    audit_filter, errors = parse_filter(request.args)
    page = min(max(request.args.get("page", 1, type=int) or 1, 1), MAX_PAGE)
    pagination = db.paginate(filtered(audit_filter), page=page, per_page=PAGE_SIZE,
                             error_out=False)
    actions = sorted(set(ACTION_LABELS) | set(db.session.scalars(
        select(AuditEvent.action).distinct())))
    return render_template(
        "audit/index.html", pagination=pagination, f=audit_filter, args=audit_filter.as_args(),
        errors=errors, actions=[(a, action_label(a)) for a in actions],
        action_label=action_label, integrity=integrity_status.last_result(),
        detail_text=lambda d: json.dumps(d, ensure_ascii=False, sort_keys=True))


@bp.route("/verify", methods=["POST"])
def verify():
    """Run the integrity check now and record its result."""
    result = integrity_status.run_check(current_user._get_current_object())
    db.session.commit()
    flash(result.summary, "success" if result.ok else "error")
    return redirect(url_for("audit.index"))


def _sanitise(value):  # noqa: ANN001
    """Text that a spreadsheet would take for a formula is written as text."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _export_rows() -> Iterator[list]:
    audit_filter, _errors = parse_filter(request.args)
    query = filtered(audit_filter).limit(EXPORT_LIMIT).execution_options(yield_per=500)
    for event in db.session.scalars(query):
        yield [_sanitise(v) for v in export_row(event)]


def _record_export(fmt: str) -> None:
    audit_filter, _errors = parse_filter(request.args)
    trail.record("audit_exported", current_user._get_current_object(),
                 detail={"format": fmt, "filter": audit_filter.as_args()})
    db.session.commit()


@bp.route("/export.csv")
def export_csv():
    """The filtered log as CSV (UTF-8 with BOM, so Excel reads the Chinese)."""
    _record_export("csv")

    def generate():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        buffer.write("\ufeff")
        writer.writerow(EXPORT_COLUMNS)
        for row in _export_rows():
            writer.writerow(row)
            if buffer.tell() > 64_000:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    return Response(stream_with_context(generate()), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=audit-log.csv"})


@bp.route("/export.xlsx")
def export_xlsx():
    """The filtered log as an Excel workbook (openpyxl write-only)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    _record_export("xlsx")
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("审计日志")
    sheet.append(EXPORT_COLUMNS)
    for row in _export_rows():
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # never a formula
            cells.append(cell)
        sheet.append(cells)
    out = io.BytesIO()
    workbook.save(out)
    return current_app.response_class(
        out.getvalue(),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": "attachment; filename=audit-log.xlsx"})


def register(app: Flask) -> None:
    """Called by workflow_app.web: mount the audit administrator's pages."""
    app.register_blueprint(bp)
