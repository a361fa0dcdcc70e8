"""The administrator's pages at /admin (only users with is_admin; 403 otherwise)."""

from __future__ import annotations

import hashlib
import io

from flask import (
    Blueprint,
    Flask,
    abort,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user
from sqlalchemy import func, select
from wtforms.fields.choices import SelectChoice

from workflow_app.admin import bulk_import
from workflow_app.admin import operations as admin_ops
from workflow_app.admin.forms import SchemeForm, TemplateForm, UnitForm, UserForm
from workflow_app.admin.template_tree import (
    LEVEL_NAMES,
    RULE_CHOICES,
    all_rule_params,
    number_rows,
    rows_from_form,
    tree_to_rows,
)
from workflow_app.auth.models import User
from workflow_app.evaluations.models import GradeScheme, IndicatorTemplate
from workflow_app.evaluations.operations import ValidationFailed, install_standard_templates
from workflow_app.evaluations.scoring import format_decimal
from workflow_app.extensions import db
from workflow_app.units.models import Unit, UnitKind

bp = Blueprint("admin", __name__, url_prefix="/admin")

SECTIONS = [("admin.units", "单位"), ("admin.users", "用户"),
            ("admin.directory_import", "批量导入"), ("admin.schemes", "评价等级方案"),
            ("admin.templates", "指标模板")]


@bp.before_request
def require_admin():
    """Every page here is for administrators only."""
    if not current_user.is_authenticated:
        from workflow_app.extensions import login_manager

        return login_manager.unauthorized()
    if not current_user.is_admin:
        abort(403)
    return None


def _render(template_name: str, **context):
    return render_template(template_name, sections=SECTIONS, **context)


def _apply_errors(form, errors: dict[str, str]) -> None:  # noqa: ANN001
    """Put an operation's messages on the form's fields (``bands-0-name`` → form.bands[0].name)."""
    for key, message in errors.items():
        field = form
        for part in key.split("-"):
            if part.isdigit() and hasattr(field, "entries"):
                field = field.entries[int(part)] if int(part) < len(field.entries) else None
            elif field is not None and hasattr(field, "form"):  # FormField
                field = getattr(field.form, part, None)
            elif field is not None:
                field = getattr(field, part, None) if not hasattr(field, "_fields") \
                    else field._fields.get(part)
            if field is None:
                break
        target = field if field is not None and hasattr(field, "errors") else None
        if target is None or hasattr(target, "entries") or isinstance(target.errors, dict):
            form.form_errors.append(message)
        else:
            target.errors = [*target.errors, message]


def _bureau_choices(blank: str) -> list[SelectChoice]:
    bureaus = db.session.scalars(select(Unit).where(Unit.kind == UnitKind.FINANCE_BUREAU)
                                 .order_by(Unit.name))
    return [SelectChoice("", blank)] + [SelectChoice(str(b.id), b.name) for b in bureaus]


@bp.route("/")
def index():
    """Overview with counts."""
    counts = {
        "units": db.session.scalar(select(func.count()).select_from(Unit)),
        "users": db.session.scalar(select(func.count()).select_from(User)),
        "schemes": db.session.scalar(select(func.count()).select_from(GradeScheme)),
        "templates": db.session.scalar(select(func.count()).select_from(IndicatorTemplate)),
    }
    return _render("admin/index.html", counts=counts)


# --------------------------------------------------------------------------- units


@bp.route("/units")
def units():
    """All units, bureaus first."""
    rows = db.session.scalars(select(Unit).order_by(Unit.kind.desc(), Unit.name)).all()
    return _render("admin/units.html", units=rows)


@bp.route("/units/new", methods=["GET", "POST"])
@bp.route("/units/<int:unit_id>", methods=["GET", "POST"])
def unit_edit(unit_id: int | None = None):
    """Create or edit a unit."""
    unit = db.session.get(Unit, unit_id) if unit_id else None
    if unit_id and unit is None:
        abort(404)
    form = UnitForm(obj=unit if request.method == "GET" else None)
    form.bureau_id.choices = _bureau_choices("（无：财政局不填）")
    if request.method == "GET" and unit is not None:
        form.bureau_id.data = str(unit.bureau_id or "")
        form.kind.data = unit.kind.value
    if form.validate_on_submit():
        try:
            saved = admin_ops.save_unit(current_user, unit, form.data)
        except ValidationFailed as exc:
            db.session.rollback()
            _apply_errors(form, exc.errors)
        else:
            db.session.commit()
            flash(f"单位“{saved.name}”已保存。", "success")
            return redirect(url_for("admin.units"))
    return _render("admin/form.html", form=form, title="编辑单位" if unit else "新建单位",
                   back=url_for("admin.units"), active="admin.units")


# --------------------------------------------------------------------------- users


@bp.route("/users")
def users():
    """All users by unit."""
    rows = db.session.scalars(select(User).join(User.unit).order_by(Unit.name, User.username))
    return _render("admin/users.html", users=rows.all())


@bp.route("/users/new", methods=["GET", "POST"])
@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def user_edit(user_id: int | None = None):
    """Create or edit a user; the password field changes the password only when filled."""
    user = db.session.get(User, user_id) if user_id else None
    if user_id and user is None:
        abort(404)
    form = UserForm(obj=user if request.method == "GET" else None)
    if user is not None:
        del form.password  # resets are the security administrator's (三员分立)
    form.unit_id.choices = [SelectChoice("", "— 选择单位 —")] + [
        SelectChoice(str(u.id), u.name)
        for u in db.session.scalars(select(Unit).order_by(Unit.name))]
    if request.method == "GET":
        if user is None:
            form.password.data = ""
        else:
            form.unit_id.data = str(user.unit_id)
    if form.validate_on_submit():
        try:
            saved = admin_ops.save_user(current_user, user, form.data)
        except ValidationFailed as exc:
            db.session.rollback()
            _apply_errors(form, exc.errors)
        else:
            db.session.commit()
            flash(f"用户“{saved.name}”已保存。", "success")
            return redirect(url_for("admin.users"))
    hint = "" if user else ("至少 8 位，含大写字母、小写字母、数字、符号中的至少三类；"
                            "用户首次登录时须修改。角色由安全管理员授予。")
    return _render("admin/form.html", form=form, title="编辑用户" if user else "新建用户",
                   back=url_for("admin.users"), active="admin.users",
                   hints={"password": hint})


# --------------------------------------------------------------------------- schemes


@bp.route("/schemes")
def schemes():
    """Grade schemes with their bands and use."""
    rows = db.session.scalars(select(GradeScheme).order_by(GradeScheme.id)).all()
    return _render("admin/schemes.html", schemes=[(s, admin_ops.scheme_in_use(s)) for s in rows])


@bp.route("/schemes/new", methods=["GET", "POST"])
@bp.route("/schemes/<int:scheme_id>", methods=["GET", "POST"])
def scheme_edit(scheme_id: int | None = None):
    """Create a scheme (custom bands), or edit one that nothing uses yet."""
    scheme = db.session.get(GradeScheme, scheme_id) if scheme_id else None
    if scheme_id and scheme is None:
        abort(404)
    form = SchemeForm()
    form.bureau_id.choices = _bureau_choices("— 选择财政局 —")
    if request.method == "GET" and scheme is not None:
        form.name.data = scheme.name
        form.bureau_id.data = str(scheme.bureau_id or "")
        for entry, band in zip(form.bands.entries, scheme.bands, strict=False):
            entry.form.name.data, entry.form.min_score.data = band.name, band.min_score
    if form.validate_on_submit():
        try:
            saved = admin_ops.save_scheme(current_user, scheme, form.data)
        except ValidationFailed as exc:
            db.session.rollback()
            _apply_errors(form, exc.errors)
        else:
            db.session.commit()
            flash(f"评价等级方案“{saved.name}”已保存。", "success")
            return redirect(url_for("admin.schemes"))
    in_use = admin_ops.scheme_in_use(scheme) if scheme else 0
    return _render("admin/scheme.html", form=form, scheme=scheme, in_use=in_use)


# --------------------------------------------------------------------------- templates


@bp.route("/templates")
def templates():
    """Indicator templates, in the order preparers see them."""
    rows = db.session.scalars(select(IndicatorTemplate).order_by(
        IndicatorTemplate.position, IndicatorTemplate.id)).all()
    return _render("admin/templates.html", templates=rows)


@bp.route("/templates/install", methods=["POST"])
def templates_install():
    """Create the standard frameworks that are missing."""
    created = install_standard_templates()
    for template in created:
        admin_ops._audit(current_user, "indicator_template", "install", template.id,
                         key=template.key)
    db.session.commit()
    flash(f"已导入 {len(created)} 个标准模板。" if created else "标准模板均已存在。", "success")
    return redirect(url_for("admin.templates"))


@bp.route("/templates/new", methods=["GET", "POST"])
@bp.route("/templates/<int:template_id>", methods=["GET", "POST"])
def template_edit(template_id: int | None = None):
    """Create or edit a template: name, kind, total, scheme, active flag and the tree (JSON)."""
    template = db.session.get(IndicatorTemplate, template_id) if template_id else None
    if template_id and template is None:
        abort(404)
    copy_of = db.session.get(IndicatorTemplate, request.args.get("copy", type=int) or 0)
    form = TemplateForm()
    form.grade_scheme_id.choices = [SelectChoice("", "— 选择等级方案 —")] + [
        SelectChoice(str(s.id), s.name) for s in db.session.scalars(select(GradeScheme).order_by(
            GradeScheme.id))]
    source = template or copy_of
    if request.method == "GET" and source is not None:
        form.key.data = source.key if template else f"{source.key}_copy"
        form.name.data = source.name if template else f"{source.name}（副本）"
        form.kind.data = source.kind.value
        form.total_weight.data = source.total_weight
        form.grade_scheme_id.data = str(source.grade_scheme_id)
        form.position.data = source.position
        form.active.data = source.active
    rows = tree_to_rows(source.tree if source is not None else [])
    row_errors: dict[str, str] = {}
    if request.method == "POST":
        posted = rows_from_form(request.form)
        rows = posted if posted is not None else rows
    if form.validate_on_submit():
        data = {**form.data, "total_weight": format_decimal(form.total_weight.data),
                "rows": None if form.tree.data else rows}
        try:
            saved = admin_ops.save_template(current_user, template, data)
        except ValidationFailed as exc:
            db.session.rollback()
            row_errors = {k: v for k, v in exc.errors.items() if k.startswith("nodes-")}
            _apply_errors(form, {k: v for k, v in exc.errors.items() if k not in row_errors})
        else:
            db.session.commit()
            flash(f"指标模板“{saved.name}”已保存。", "success")
            return redirect(url_for("admin.templates"))
    return _render("admin/template.html", form=form, template=template,
                   rows=number_rows(rows), row_errors=row_errors, levels=LEVEL_NAMES,
                   rule_choices=RULE_CHOICES, rule_params=all_rule_params())


# --------------------------------------------------------------------------- bulk import


@bp.route("/import", methods=["GET", "POST"])
def directory_import():
    """Units and users from an Excel workbook: first a dry run (检查), then the import itself,
    which must be the very file that was checked (its SHA-256)."""
    report = None
    if request.method == "POST":
        upload = request.files.get("file")
        data = upload.read(bulk_import.MAX_BYTES + 1) if upload else b""
        commit = request.form.get("mode") == "import"
        try:
            if commit and request.form.get("checked") != hashlib.sha256(data).hexdigest():
                raise bulk_import.ImportRefused(
                    "请先检查文件；导入的文件须与检查过的文件完全相同（内容摘要不一致）。")
            report = bulk_import.import_directory(current_user, data, dry_run=not commit)
        except bulk_import.ImportRefused as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(report.summary(), "success" if not report.problems else "warning")
    checked = hashlib.sha256(data).hexdigest() if report and report.dry_run else None
    return _render("admin/import.html", report=report, checked=checked)


@bp.route("/import/template.xlsx")
def directory_template():
    """The workbook to fill in (sheets 单位 and 用户 with an example row each)."""
    return send_file(io.BytesIO(bulk_import.directory_template()), as_attachment=True,
                     download_name="单位与用户导入模板.xlsx",
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def register(app: Flask) -> None:
    """Called by workflow_app.web: mount the administrator's pages."""
    app.register_blueprint(bp)
