"""Evaluation pages: the home page (工作台), the read view, creation from a template and the
editor (one tab per part of the content), plus the live score preview.

Views are thin: load → check → call ONE operation → commit once → respond. A refused edit
re-renders the form with the user's input and the messages at the fields (200); a stale one
says so (409); nothing is saved in either case.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from urllib.parse import quote

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from sqlalchemy import or_, select

from workflow_app.evaluations import forms, readcache
from workflow_app.evaluations import operations as ops
from workflow_app.evaluations.access import (
    can_create,
    can_edit_content,
    can_view,
    visible_evaluations,
)
from workflow_app.evaluations.findings import review_note
from workflow_app.evaluations.models import (
    Evaluation,
    GradeScheme,
    Indicator,
    IndicatorTemplate,
)
from workflow_app.evaluations.scorecard import (
    build_scorecard,
    load_options,
    preview_scores,
    tree_problems,
)
from workflow_app.evaluations.scoring import ScoringError, describe_rule, format_decimal
from workflow_app.evaluations.scoring.rules import rule_params
from workflow_app.extensions import db
from workflow_app.workflow.states import EvaluationState

bp = Blueprint("evaluations", __name__)

PAGE_SIZE = 25

# (part, tab label) of the editor, in order.
PARTS = [
    ("header", "基本信息"),
    ("funding", "资金与支出"),
    ("subs", "分项项目"),
    ("scores", "指标与评分"),
    ("tree", "指标体系"),
    ("sections", "报告正文"),
    ("team", "评价工作组"),
]
PART_LABELS = dict(PARTS)


def load_visible(evaluation_id: int, *, for_edit: bool = False) -> Evaluation:
    """The evaluation, or 404 when it does not exist or the current user may not read it.

    404 rather than 403 so that URLs do not reveal which evaluations exist in other units.
    ``for_edit`` loads the indicator tree and team eagerly (the editor and scoring walk them).
    """
    options = load_options() if for_edit else []
    evaluation = db.session.get(Evaluation, evaluation_id, options=options)
    if evaluation is None or not can_view(current_user, evaluation):
        abort(404)
    return evaluation


def load_for_editor(evaluation_id: int) -> tuple[Evaluation, str | None]:
    """The evaluation for an editor page, and why it may no longer be edited (the preparer
    after submission: the state and who has it now), or None when it may. Anyone else who
    may not edit gets 403."""
    evaluation = load_visible(evaluation_id, for_edit=True)
    if can_edit_content(current_user, evaluation):
        return evaluation, None
    if evaluation.state == EvaluationState.DRAFT or not (
            current_user.is_preparer and current_user.unit_id == evaluation.unit_id):
        abort(403)
    from workflow_app.workflow.awaiting import not_a_draft_message

    return evaluation, not_a_draft_message(evaluation, typed=request.method == "POST")


def _to_read_view(evaluation_id: int, message: str):
    flash(message, "error")
    return redirect(url_for("evaluations.detail", evaluation_id=evaluation_id))


@bp.route("/")
@login_required
def home():
    """The landing page of every role: what the user can see, newest first.

    An administrator of a finance bureau sees no evaluations; their work is the admin pages.
    """
    admin_only = current_user.is_admin and not current_user.is_finance_officer
    if admin_only and current_user.unit.is_bureau and "admin.index" in current_app.view_functions:
        return redirect(url_for("admin.index"))
    # The security and audit administrators' work is on their own pages (三员分立).
    for flag, endpoint in (("is_security_admin", "security.index"),
                           ("is_audit_admin", "audit.index")):
        if getattr(current_user, flag) and endpoint in current_app.view_functions:
            return redirect(url_for(endpoint))
    from workflow_app.evaluations import listing

    filters = listing.Filters.parse(request.args)
    query = visible_evaluations(current_user)
    pagination = listing.paginate(query, filters, per_page=PAGE_SIZE)
    return render_template(
        "evaluations/home.html",
        pagination=pagination,
        evaluations=pagination.items,
        filters=filters,
        years=listing.year_options(query, current_user),
        units=listing.unit_options(current_user),
        states=listing.STATE_ORDER if not current_user.unit.is_bureau
        else list(listing.BUREAU_STATES),
        sorts=listing.SORTS,
        can_create=can_create(current_user),
    )


@bp.route("/evaluations/<int:evaluation_id>")
@login_required
def detail(evaluation_id: int):
    """Read one evaluation, with the engine's scores beside the team's (the body is rendered
    once per content version: ``report_body``)."""
    evaluation = load_visible(evaluation_id)
    return render_template("evaluations/detail.html", evaluation=evaluation,
                           can_edit=can_edit_content(current_user, evaluation))


# --------------------------------------------------------------------------- create


def _schemes_for(unit) -> list[GradeScheme]:  # noqa: ANN001
    """Global grade schemes and those of the unit's finance bureau."""
    query = select(GradeScheme).order_by(GradeScheme.id)
    if unit is not None and unit.bureau_id:
        query = query.where(or_(GradeScheme.bureau_id.is_(None),
                                GradeScheme.bureau_id == unit.bureau_id))
    else:
        query = query.where(GradeScheme.bureau_id.is_(None))
    return list(db.session.scalars(query))


@bp.route("/evaluations/new", methods=["GET", "POST"])
@login_required
def create():
    """Choose a template and fill the header; the new draft opens in the editor."""
    if not can_create(current_user):
        abort(403)
    templates = ops.active_templates()
    errors: dict[str, str] = {}
    data = request.form if request.method == "POST" else {
        "template": str(templates[0].id) if templates else "",
        # Self-evaluations are written in spring for the year just ended.
        "fiscal_year": str(date.today().year - 1),
        "supervising_department": current_user.unit.supervising_department,
    }
    if request.method == "POST":
        template = next((t for t in templates if str(t.id) == request.form.get("template")),
                        None)
        try:
            evaluation = ops.create_from_template(
                template, current_user.unit, current_user._get_current_object(),
                forms.header_from_form(request.form))
        except ops.ValidationFailed as exc:
            db.session.rollback()
            errors = exc.errors
        except ops.OperationError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash("已根据模板创建绩效自评草稿，请逐项填写。", "success")
            return redirect(url_for("evaluations.edit", evaluation_id=evaluation.id,
                                    part="header"))
    return render_template("evaluations/create.html", templates=templates, data=data,
                           errors=errors)


# --------------------------------------------------------------------------- editor


def _rows_of(evaluation: Evaluation, prefix: str) -> list[dict[str, str]]:
    """The table's current rows as the strings the form shows."""
    def s(value) -> str:  # noqa: ANN001
        return "" if value is None else format_decimal(value)

    if prefix == "funding":
        return [{"source": f.source.value, "initial": s(f.initial), "planned": s(f.planned),
                 "arrived": s(f.arrived), "spent": s(f.spent)} for f in evaluation.funding]
    if prefix == "expenses":
        return [{"category": x.category, "planned": s(x.planned), "actual": s(x.actual)}
                for x in evaluation.expenses]
    if prefix == "subs":
        return [{"name": x.name, "budget": s(x.budget), "executed": s(x.executed),
                 "returned": s(x.returned), "self_score": s(x.self_score),
                 "target": x.target, "achieved": x.achieved} for x in evaluation.sub_projects]
    if prefix == "sections":
        return [{"key": x.key, "title": x.title, "body": x.body} for x in evaluation.sections]
    if prefix == "team":
        return [{"user_id": str(m.user_id), "role": m.role.value} for m in evaluation.team]
    raise KeyError(prefix)


def _header_of(evaluation: Evaluation) -> dict[str, str]:
    values = {key: getattr(evaluation, key) for key in forms.HEADER_FIELDS
              if key != "grade_scheme_id"}
    values["grade_scheme_id"] = evaluation.grade_scheme_id
    return {k: "" if v is None else str(getattr(v, "value", v)) for k, v in values.items()}


def _save(evaluation: Evaluation, part: str, form) -> None:  # noqa: ANN001
    """Call the one operation of this editor tab."""
    actor = current_user._get_current_object()
    version = form.get("version")
    if part == "header":
        ops.update_header(evaluation, actor, version, forms.header_from_form(form))
    elif part == "funding":
        ops.set_funding_and_expenses(evaluation, actor, version,
                                     forms.rows_from_form(form, "funding"),
                                     forms.rows_from_form(form, "expenses"))
    elif part == "subs":
        ops.set_sub_projects(evaluation, actor, version, forms.rows_from_form(form, "subs"))
    elif part == "sections":
        ops.set_sections(evaluation, actor, version, forms.rows_from_form(form, "sections"))
    elif part == "team":
        ops.set_team(evaluation, actor, version, forms.rows_from_form(form, "team"))
    elif part == "scores":
        ops.set_indicator_values(evaluation, actor, version,
                                 forms.indicator_values_from_form(form))
    else:
        abort(405)


@bp.route("/evaluations/<int:evaluation_id>/edit", methods=["GET", "POST"])
@bp.route("/evaluations/<int:evaluation_id>/edit/<part>", methods=["GET", "POST"])
@login_required
def edit(evaluation_id: int, part: str = "scores"):
    """The editor: one tab per part of the content; each tab saves on its own."""
    if part not in PART_LABELS:
        abort(404)
    evaluation, refused = load_for_editor(evaluation_id)
    errors: dict[str, str] = {}
    data = None
    status = 200
    if refused and (request.method == "GET" or part == "tree"):
        return _to_read_view(evaluation_id, refused)
    if refused:  # typed after submission: keep the input on the page, change nothing
        flash(refused, "error")
        data, status = request.form, 409
    elif request.method == "POST":
        if part == "tree":
            abort(405)
        try:
            _save(evaluation, part, request.form)
        except ops.ValidationFailed as exc:
            db.session.rollback()
            errors, data = exc.errors, request.form
            flash(f"有 {len(errors)} 处填写有误，未保存，请按提示修改。", "error")
        except ops.StaleVersion as exc:
            db.session.rollback()
            data, status = request.form, 409
            flash(str(exc), "error")
        except ops.EditNotAllowed as exc:
            db.session.rollback()
            flash(str(exc), "error")
            return redirect(url_for("evaluations.detail", evaluation_id=evaluation_id))
        except ops.OperationError as exc:
            db.session.rollback()
            data = request.form
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(f"{PART_LABELS[part]}已保存。", "success")
            note = review_note(evaluation)
            if note:
                flash(note, "warning")
            return redirect(url_for("evaluations.edit", evaluation_id=evaluation_id, part=part))
    return render_template(f"evaluations/edit_{part}.html", **_editor_context(
        evaluation, part, data, errors)), status


def _rate(part: str | None, whole: str | None) -> str:
    """part ÷ whole as a percentage for a table cell (exact decimals), or "—"."""
    try:
        a, b = Decimal(str(part).strip()), Decimal(str(whole).strip())
    except (InvalidOperation, ValueError):
        return "—"
    if not b.is_finite() or not a.is_finite() or b <= 0:
        return "—"
    return f"{(a / b * 100).quantize(Decimal('0.01')).normalize():f}%"


def _editor_context(evaluation: Evaluation, part: str, data, errors) -> dict:  # noqa: ANN001
    """What every editor tab needs: the evaluation, tabs, scores, and the form's values
    (the submitted ones after a refusal, else the stored ones)."""
    context = {
        "evaluation": evaluation, "parts": PARTS, "part": part, "errors": errors,
        "version": (data.get("version") if data is not None else None) or evaluation.version,
        "scorecard": build_scorecard(evaluation, forms.indicator_values_from_form(data)
                                     if data is not None and part == "scores" else None),
        "forms": forms,
    }
    if part == "header":
        context["values"] = forms.header_from_form(data) if data is not None \
            else _header_of(evaluation)
        context["scheme_choices"] = [(s.id, s.name) for s in _schemes_for(evaluation.unit)]
    elif part == "funding":
        for prefix in ("funding", "expenses"):
            context[prefix] = forms.rows_from_form(data, prefix) if data is not None \
                else _rows_of(evaluation, prefix)
        context["funding_totals"] = ops.funding_rates(evaluation)
        context["rate"] = _rate
    elif part in ("subs", "sections", "team"):
        context["rows"] = forms.rows_from_form(data, part) if data is not None \
            else _rows_of(evaluation, part)
        if part == "team":
            context["unit_users"] = ops.team_candidates(evaluation.unit)
    elif part == "scores":
        context["data"] = data
    elif part == "tree":
        context["parents"] = [r for r in context["scorecard"].rows if r.level < 3]
    return context


# --------------------------------------------------------------------------- tree


@bp.route("/evaluations/<int:evaluation_id>/tree", methods=["POST"])
@login_required
def tree_action(evaluation_id: int):
    """One change of the indicator tree: add, rename, move up/down, move, remove."""
    evaluation, refused = load_for_editor(evaluation_id)
    if refused:
        return _to_read_view(evaluation_id, refused)
    actor = current_user._get_current_object()
    form = request.form
    version, action, target = form.get("version"), form.get("action", ""), form.get("id")
    try:
        if action == "add":
            ops.add_indicator(evaluation, actor, version, parent_id=form.get("parent_id"),
                              name=form.get("name", ""), weight=form.get("weight") or "0")
        elif action == "rename":
            ops.rename_indicator(evaluation, actor, version, target, form.get("name", ""))
        elif action in ("up", "down"):
            ops.reorder_indicator(evaluation, actor, version, target,
                                  -1 if action == "up" else 1)
        elif action == "move":
            ops.move_indicator(evaluation, actor, version, target, form.get("parent_id"))
        elif action == "remove":
            ops.remove_indicator(evaluation, actor, version, target)
        else:
            abort(400)
    except ops.ValidationFailed as exc:
        db.session.rollback()
        context = _editor_context(evaluation, "tree", None, exc.errors)
        context.update(failed_id=target, failed_action=action, submitted=form)
        flash("未保存：" + "；".join(exc.errors.values()), "error")
        return render_template("evaluations/edit_tree.html", **context)
    except ops.EditNotAllowed as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("evaluations.detail", evaluation_id=evaluation_id))
    except ops.OperationError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        status = 409 if isinstance(exc, ops.StaleVersion) else 200
        return render_template("evaluations/edit_tree.html",
                               **_editor_context(evaluation, "tree", None, {})), status
    db.session.commit()
    flash("指标体系已更新。", "success")
    return redirect(url_for("evaluations.edit", evaluation_id=evaluation_id, part="tree")
                    + (f"#ind-{target}" if target else ""))


@bp.route("/evaluations/<int:evaluation_id>/indicators/<int:indicator_id>",
          methods=["GET", "POST"])
@login_required
def indicator(evaluation_id: int, indicator_id: int):
    """An indicator's definition (name, explanation, standard, weight, target, rule) and
    its evidence files. Whoever may read the evaluation but not edit it gets the read view
    (definition, scores and links to the evidence)."""
    evaluation = load_visible(evaluation_id, for_edit=True)
    node = next((i for i in evaluation.indicators if i.id == indicator_id), None)
    if node is None:
        abort(404)
    if request.method == "GET" and not can_edit_content(current_user, evaluation):
        context = _indicator_context(evaluation, node, None, {})
        return render_template("evaluations/indicator_view.html", **context)
    evaluation, refused = load_for_editor(evaluation_id)
    errors: dict[str, str] = {}
    data = None
    status = 200
    if refused:
        flash(refused, "error")
        data, status = request.form, 409
    elif request.method == "POST":
        form = request.form
        params = forms.rule_params_from_form(
            form, node.rule_params, same_rule=form.get("rule_type") == node.rule_type.value)
        if params is not None:
            form = {**form.to_dict(), "rule_params": params}
        try:
            ops.update_indicator(evaluation, current_user._get_current_object(),
                                 request.form.get("version"), node.id, form)
        except ops.ValidationFailed as exc:
            db.session.rollback()
            errors, data = exc.errors, request.form
        except ops.EditNotAllowed as exc:
            db.session.rollback()
            flash(str(exc), "error")
            return redirect(url_for("evaluations.detail", evaluation_id=evaluation_id))
        except ops.OperationError as exc:
            db.session.rollback()
            data = request.form
            status = 409 if isinstance(exc, ops.StaleVersion) else 200
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash("指标已保存。", "success")
            return redirect(url_for("evaluations.indicator", evaluation_id=evaluation_id,
                                    indicator_id=indicator_id))
    return render_template("evaluations/indicator.html",
                           **_indicator_context(evaluation, node, data, errors)), status


def _indicator_context(evaluation: Evaluation, node: Indicator, data, errors) -> dict:  # noqa: ANN001
    card = build_scorecard(evaluation)
    row = next(r for r in card.rows if r.indicator is node)
    values = {
        "name": node.name, "description": node.description, "standard": node.standard,
        "target": node.target, "weight": format_decimal(node.weight),
        "rule_type": node.rule_type.value, "rule_params": forms.params_text(node.rule_params),
    }
    if data is not None:
        values.update({k: data.get(k, "") for k in values})
    # The rule's parameters one per field, named in words (满分线 …), not "full_at=95".
    stored = node.rule_params or {}
    param_fields = [
        {"name": name, "label": label, "unit": unit, "default": default,
         "value": data.get(f"p_{name}", "") if data is not None
         else ("" if isinstance(stored.get(name), list | dict) else str(stored.get(name) or ""))}
        for name, label, unit, default in rule_params(values["rule_type"])]
    try:
        rule_text = describe_rule({"type": node.rule_type.value,
                                   "params": node.rule_params or {}}, node.weight)
    except ScoringError as exc:
        rule_text = str(exc)
    return {"evaluation": evaluation, "node": node, "row": row, "values": values,
            "errors": errors, "rule_text": rule_text, "forms": forms, "parts": PARTS,
            "part": "tree", "scorecard": card, "accept": ops.EVIDENCE_ACCEPT,
            "param_fields": param_fields,
            "version": (data.get("version") if data is not None else None)
            or evaluation.version}


# --------------------------------------------------------------------------- evidence


@bp.route("/evaluations/<int:evaluation_id>/indicators/<int:indicator_id>/evidence",
          methods=["POST"])
@login_required
def evidence_upload(evaluation_id: int, indicator_id: int):
    """Attach a 佐证材料 file to a leaf."""
    evaluation, refused = load_for_editor(evaluation_id)
    if refused:
        return _to_read_view(evaluation_id, refused)
    node = next((i for i in evaluation.indicators if i.id == indicator_id), None)
    if node is None:
        abort(404)
    upload = request.files.get("file")
    try:
        ops.add_evidence(evaluation, current_user._get_current_object(),
                         request.form.get("version"), node.id,
                         upload.filename if upload else "", upload.read() if upload else b"")
    except ops.ValidationFailed as exc:
        db.session.rollback()
        return render_template("evaluations/indicator.html", **_indicator_context(
            evaluation, node, None, {"file": exc.errors.get("file", str(exc))}))
    except ops.OperationError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return render_template("evaluations/indicator.html", **_indicator_context(
            evaluation, node, None, {})), 409 if isinstance(exc, ops.StaleVersion) else 200
    db.session.commit()
    flash("佐证材料已上传。", "success")
    return redirect(url_for("evaluations.indicator", evaluation_id=evaluation_id,
                            indicator_id=indicator_id) + "#evidence")


@bp.route("/evaluations/<int:evaluation_id>/evidence/<int:evidence_id>/delete",
          methods=["POST"])
@login_required
def evidence_delete(evaluation_id: int, evidence_id: int):
    """Remove a 佐证材料 file."""
    evaluation, refused = load_for_editor(evaluation_id)
    if refused:
        return _to_read_view(evaluation_id, refused)
    evidence = ops.find_evidence(evaluation, evidence_id)
    if evidence is None:
        abort(404)
    indicator_id = evidence.indicator_id
    try:
        ops.remove_evidence(evaluation, current_user._get_current_object(),
                            request.form.get("version"), evidence_id)
    except ops.OperationError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash("佐证材料已删除。", "success")
    return redirect(url_for("evaluations.indicator", evaluation_id=evaluation_id,
                            indicator_id=indicator_id) + "#evidence")


@bp.route("/evaluations/<int:evaluation_id>/evidence/<int:evidence_id>")
@login_required
def evidence_download(evaluation_id: int, evidence_id: int):
    """Download a 佐证材料 file (anyone who may read the evaluation)."""
    evaluation = load_visible(evaluation_id)
    evidence = ops.find_evidence(evaluation, evidence_id)
    if evidence is None:
        abort(404)
    response = Response(evidence.data, mimetype=evidence.content_type)
    response.headers["Content-Disposition"] = (
        f"attachment; filename*=UTF-8''{quote(evidence.filename)}")
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Content-SHA256"] = evidence.sha256
    return response


# --------------------------------------------------------------------------- preview


@bp.route("/evaluations/<int:evaluation_id>/score-preview", methods=["POST"])
@login_required
def score_preview(evaluation_id: int):
    """Scores for the scoring table's current (unsaved) values, as JSON; nothing is saved
    (a read: the stored document and indicator ids are remembered, ``readcache``)."""
    readcache.reads_only()
    evaluation = load_visible(evaluation_id)
    result, rows = preview_scores(evaluation, forms.indicator_values_from_form(request.form))
    leaves, nodes = {}, {}
    for row in rows:
        key = str(row.indicator_id)
        if row.node is not None:
            nodes[key] = {"entered": format_decimal(row.node.entered),
                          "computed": format_decimal(row.node.computed)}
        if row.leaf is not None:
            leaves[key] = {
                "computed": None if row.leaf.computed is None
                else format_decimal(row.leaf.computed),
                "flagged": row.leaf.flagged, "explanation": row.leaf.explanation,
                "status": row.leaf.status, "reason": row.leaf.reason,
                "problems": [p.message for p in row.problems],
            }
    return jsonify({
        "version": evaluation.version,
        "entered_total": format_decimal(result.entered_total),
        "computed_total": format_decimal(result.computed_total),
        "entered_grade": result.entered_grade, "computed_grade": result.computed_grade,
        "flagged": len(result.flagged), "problems": len(result.problems),
        "computed_summary": result.computed_summary, "open_count": result.open_count,
        "open": [{"code": code, "name": name, "reason": reason}
                 for code, name, reason in result.open_reasons],
        "tree_problems": [p.message for p in tree_problems(result)],
        "leaves": leaves, "nodes": nodes,
    })


__all__ = ["bp", "IndicatorTemplate"]
