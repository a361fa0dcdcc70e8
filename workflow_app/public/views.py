"""The public portal (信息公开, no login): published reports, their PDFs and verification.

Only published evaluations exist here: every lookup goes through ``public.queries``, which
requires state ``published`` and a stored ``PublishedReport``; anything else is a 404 that
says nothing about the row. The downloads are the stored bytes, never re-rendered.
"""

from __future__ import annotations

import hashlib
import io

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)

from workflow_app.public import pagecache, queries
from workflow_app.public.forms import VerifyUploadForm
from workflow_app.public.publication import normalise_code, review_records
from workflow_app.reports.record import content_disposition, report_filename, report_title
from workflow_app.workflow.models import Signature

bp = Blueprint("public", __name__, url_prefix="/public")

GENUINE = "真实有效：与公开的报告文件完全一致"
NOT_GENUINE = "不一致：该文件不是公开发布的原件（可能被修改）"
KIND_LABELS = {"project": "项目支出", "unit_whole": "部门整体支出"}
ROLE_LABELS = {"leader": "组长", "deputy": "副组长", "member": "成员"}
TIMING_LABELS = {"ex_ante": "事前评价", "in_progress": "事中评价", "ex_post": "事后评价"}
METHOD_LABELS = {"self": "单位自评", "department": "部门评价", "third_party": "第三方评价"}
SOURCE_LABELS = {"central": "中央财政", "provincial": "省级(自治区)财政", "local": "市县财政",
                 "other": "其他"}


def register(app: Flask) -> None:
    """Install the portal's blueprint (called by ``workflow_app.web``)."""
    app.register_blueprint(bp)


def _max_upload_mb() -> int:
    limit = current_app.config.get("MAX_CONTENT_LENGTH") or 25 * 1024 * 1024
    return max(1, limit // (1024 * 1024))


@bp.errorhandler(413)
def _too_large(_exc):  # noqa: ANN001
    message = f"上传的文件过大：核验文件不能超过 {_max_upload_mb()} MB。"
    return render_template("public/message.html", title="文件过大", message=message,
                           back=url_for("public.verify_start")), 413


# --------------------------------------------------------------------------- list and detail


@bp.route("/")
def index():
    """Published reports, filtered by year, unit, kind and grade, searchable by name."""
    return pagecache.anonymous_page("index", _render_index)


def _render_index() -> str:
    filters = queries.Filters.from_args(request.args)
    page = min(max(request.args.get("page", 1, type=int), 1), 1_000_000)
    result = queries.list_published(filters, page=page, per_page=queries.PAGE_SIZE,
                                    after=request.args.get("after", ""),
                                    before=request.args.get("before", ""))
    return render_template(
        "public/index.html",
        page=result,
        filters=filters,
        choices=queries.filter_choices(),
        unit_label=queries.unit_name(filters.unit),
        kind_labels=KIND_LABELS,
    )


def _by_ref(ref: str) -> queries.PublicReport:
    found = (queries.public_report_by_evaluation(int(ref)) if ref.isdigit()
             else queries.public_report_by_code(normalise_code(ref)))
    if found is None:
        abort(404)
    return found


def _signatures(found: queries.PublicReport) -> list[Signature]:
    return list(found.revision.signatures)


def _rows(nodes: list[dict], level: int = 1) -> list[dict]:
    """The indicator tree flattened for the scores table (with depth)."""
    out: list[dict] = []
    for node in nodes or []:
        children = node.get("children") or []
        out.append({**node, "level": level, "is_leaf": not children})
        out.extend(_rows(children, level + 1))
    return out


_subtotals = queries.Memo(2048)


def _node_scores(doc: dict, sha256: str = "") -> dict[str, str]:
    """Entered subtotal per non-leaf indicator code (leaves show their own score).

    A published snapshot never changes: its subtotals are scored once per process (keyed by
    the report's SHA-256), not on every view."""
    from workflow_app.evaluations.scoring import ScoringError, format_decimal, score_document

    cached = _subtotals.get(sha256) if sha256 else None
    if cached is not None:
        return cached
    try:
        result = score_document(doc)
    except (ScoringError, ValueError, TypeError):
        return {}
    scores = {code: format_decimal(n.entered) for code, n in result.nodes.items()}
    if sha256:
        _subtotals.put(sha256, scores)
    return scores


@bp.route("/reports/<ref>")
def detail(ref: str):
    """One published report: header, scores (from the published snapshot), signatures."""
    return pagecache.anonymous_page("detail", lambda: _render_detail(ref))


def _render_detail(ref: str) -> str:
    found = _by_ref(ref)
    return render_template(
        "public/detail.html",
        r=found,
        doc=found.doc,
        rows=_rows(found.doc.get("indicators") or []),
        node_scores=_node_scores(found.doc, found.report.sha256),
        signatures=_signatures(found),
        reviews=review_records(found.revision),
        title=report_title(found.doc),
        labels={"kind": KIND_LABELS, "role": ROLE_LABELS, "timing": TIMING_LABELS,
                "method": METHOD_LABELS, "source": SOURCE_LABELS},
    )


@bp.route("/reports/<int:evaluation_id>/download.pdf")
def download(evaluation_id: int):
    """Exactly the stored bytes of the published PDF (ETag = their SHA-256)."""
    found = queries.published_pdf(evaluation_id)
    if found is None:
        abort(404)
    pdf, sha256, evaluation = found
    response = send_file(
        io.BytesIO(pdf),
        mimetype="application/pdf",
        as_attachment=True,
        download_name=report_filename(evaluation),
        etag=sha256,
        conditional=True,
        max_age=3600,
    )
    response.headers["Content-Disposition"] = content_disposition(
        report_filename(evaluation), f"report-{evaluation.id}.pdf")
    response.headers["X-Content-SHA256"] = sha256
    return response


# --------------------------------------------------------------------------- verification


@bp.route("/verify")
def verify_start():
    """Enter a verification code (or arrive with ``?code=``)."""
    code = normalise_code(request.args.get("code", ""))
    if code:
        return redirect(url_for("public.verify", code=code))
    return render_template("public/verify_start.html")


@bp.route("/verify/<code>", methods=["GET", "POST"])
def verify(code: str):
    """The public record of a verification code; POST a PDF to check it is the original."""
    canonical = normalise_code(code)
    if canonical != code and request.method == "GET":
        return redirect(url_for("public.verify", code=canonical))
    found = queries.public_report_by_code(canonical)
    if found is None:
        return render_template("public/message.html", title="核验码无效",
                               message=f"未找到核验码“{canonical[:20]}”对应的公开报告。"
                                       "请核对核验码是否输入正确。",
                               back=url_for("public.verify_start")), 404
    form = VerifyUploadForm()
    result = None
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            data = form.pdf.data.read()
            uploaded = hashlib.sha256(data).hexdigest()
            genuine = uploaded == found.report.sha256
            result = {
                "genuine": genuine,
                "message": GENUINE if genuine else NOT_GENUINE,
                "sha256": uploaded,
                "size": len(data),
                "filename": form.pdf.data.filename or "",
                "is_pdf": data.startswith(b"%PDF-"),
            }
        else:
            status = 400
    return render_template(
        "public/verify.html",
        r=found,
        doc=found.doc,
        form=form,
        result=result,
        signatures=_signatures(found),
        max_mb=_max_upload_mb(),
        labels={"kind": KIND_LABELS, "role": ROLE_LABELS},
    ), status
