"""Pages of the exchange area: export an evaluation (Excel 自评表, JSON) and import one."""

from __future__ import annotations

import io
from typing import Any

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user, login_required
from sqlalchemy.orm.exc import StaleDataError

from workflow_app.evaluations.access import can_create, can_edit_content
from workflow_app.evaluations.document import DocumentError
from workflow_app.evaluations.frameworks import framework_choices
from workflow_app.evaluations.operations import OperationError
from workflow_app.evaluations.views import load_visible
from workflow_app.exchange import excel, json_io
from workflow_app.extensions import db

bp = Blueprint("exchange", __name__)


def _filename(evaluation, suffix: str) -> str:  # noqa: ANN001
    return f"{evaluation.fiscal_year}-{evaluation.project_name}-{evaluation.id}{suffix}"


@bp.get("/evaluations/<int:evaluation_id>/export.xlsx")
@login_required
def export_xlsx(evaluation_id: int):
    """Download the evaluation's 自评表 as Excel."""
    evaluation = load_visible(evaluation_id)
    return send_file(io.BytesIO(excel.export_xlsx(evaluation)), mimetype=excel.XLSX_MIMETYPE,
                     as_attachment=True, download_name=_filename(evaluation, "-自评表.xlsx"))


@bp.get("/evaluations/<int:evaluation_id>/export.json")
@login_required
def export_json(evaluation_id: int):
    """Download the evaluation's content as the exchange JSON."""
    evaluation = load_visible(evaluation_id)
    data = json_io.dumps(json_io.export_document(evaluation)).encode("utf-8")
    return send_file(io.BytesIO(data), mimetype="application/json", as_attachment=True,
                     download_name=_filename(evaluation, ".json"))


def _upload() -> tuple[str, bytes]:
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise DocumentError(["请选择要导入的文件（.json 或 .xlsx）"])
    return upload.filename.lower(), upload.read()


def _year(raw: str | None) -> int | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    if not raw.isdigit() or not 2000 <= int(raw) <= 2100:
        raise DocumentError([f"评价年度应为 2000 至 2100 之间的整数：{raw}"])
    return int(raw)


@bp.route("/evaluations/import", methods=["GET", "POST"])
@login_required
def import_page():
    """Upload a JSON or .xlsx file; a new draft in the user's unit (errors in Chinese)."""
    if not can_create(current_user):
        abort(403)
    problems: list[str] = []
    form: dict[str, Any] = {"template": "", "fiscal_year": "", "project_name": ""}
    if request.method == "POST":
        form.update({k: request.form.get(k, "") for k in form})
        try:
            name, data = _upload()
            if name.endswith(".json"):
                evaluation = json_io.import_bytes(data, preparer=current_user)
            elif name.endswith(".xlsx"):
                evaluation = excel.create_from_xlsx(
                    data, current_user, template_key=form["template"] or None,
                    fiscal_year=_year(form["fiscal_year"]),
                    project_name=form["project_name"].strip() or None)
            else:
                raise DocumentError(["只能导入 .json（交换格式）或 .xlsx（自评表）文件"])
        except DocumentError as exc:
            db.session.rollback()
            problems = exc.problems
        except OperationError as exc:
            db.session.rollback()
            problems = [str(exc)]
        else:
            db.session.commit()
            flash(f"已导入为新的草稿：{evaluation.project_name}", "success")
            return redirect(url_for("evaluations.detail", evaluation_id=evaluation.id))
    return render_template("exchange/import.html", problems=problems, form=form,
                           templates=framework_choices()), (400 if problems else 200)


@bp.route("/evaluations/<int:evaluation_id>/import.xlsx", methods=["GET", "POST"])
@login_required
def import_xlsx_into(evaluation_id: int):
    """Upload a filled-in 自评表 to update this draft's indicator values and scores."""
    evaluation = load_visible(evaluation_id)
    if not can_edit_content(current_user, evaluation):
        abort(403)
    problems: list[str] = []
    if request.method == "POST":
        try:
            name, data = _upload()
            if not name.endswith(".xlsx"):
                raise DocumentError(["请上传本系统导出的自评表（.xlsx）"])
            excel.import_into(evaluation, data, current_user)
            db.session.commit()
        except DocumentError as exc:
            db.session.rollback()
            problems = exc.problems
        except StaleDataError:
            db.session.rollback()
            problems = ["该评价已被他人修改，请重新导出 Excel 后再填写"]
        except OperationError as exc:
            db.session.rollback()
            problems = [str(exc)]
        else:
            flash("已从 Excel 更新指标值和得分", "success")
            return redirect(url_for("evaluations.detail", evaluation_id=evaluation.id))
    return render_template("exchange/import_into.html", evaluation=evaluation,
                           problems=problems), (400 if problems else 200)
