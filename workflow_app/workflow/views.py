"""Workflow pages: fire a trigger, 转交, 加签, indicator comments, batches, the diagram.

Each handler loads the evaluation (404 when not visible), calls ONE operation, commits once and
redirects; a refused operation rolls back, and the evaluation page is shown again with the
Chinese message and the status (403 / 409 / 422).
"""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from sqlalchemy.orm.exc import StaleDataError

from workflow_app.auth.models import User
from workflow_app.evaluations.access import can_view
from workflow_app.evaluations.operations import OperationError
from workflow_app.evaluations.views import load_visible
from workflow_app.extensions import db
from workflow_app.workflow import diagram, operations
from workflow_app.workflow.machine import trigger_label
from workflow_app.workflow.operations import CONCURRENT_MESSAGE

bp = Blueprint("workflow", __name__)


def _refused(evaluation_id: int, exc: OperationError, trigger: str | None = None):
    """Roll back and show the evaluation again with the message and the right status; the
    refused trigger's form opens again with what was typed and the errors at their fields."""
    db.session.rollback()
    status = getattr(exc, "status", 422)
    flash(str(exc), "error")
    if trigger:
        g.workflow_refused = {"trigger": trigger, "errors": getattr(exc, "errors", {}) or {}}
    page = current_app.view_functions["evaluations.detail"](evaluation_id=evaluation_id)
    return page, status


def _commit(evaluation_id: int):
    """Commit; a concurrent change detected only now is reported like any refusal."""
    try:
        db.session.commit()
    except StaleDataError:
        from workflow_app.workflow.errors import ConcurrentChange

        return _refused(evaluation_id, ConcurrentChange(CONCURRENT_MESSAGE))
    return None


def _reviews_from_form() -> dict[str, dict[str, Any]]:
    reviews: dict[str, dict[str, Any]] = {}
    for key, value in request.form.items():
        for prefix, field in (("review_score_", "score"), ("review_opinion_", "opinion")):
            if key.startswith(prefix) and value.strip():
                reviews.setdefault(key[len(prefix):], {})[field] = value.strip()
    return reviews


def _user_id(name: str) -> int | None:
    return request.form.get(name, type=int)


@bp.route("/evaluations/<int:evaluation_id>/transitions/<trigger>", methods=["POST"])
@login_required
def transition(evaluation_id: int, trigger: str):
    """Fire a trigger from the evaluation page's buttons."""
    evaluation = load_visible(evaluation_id)
    actor = current_user._get_current_object()
    on_behalf = db.session.get(User, _user_id("on_behalf_of") or 0)
    try:
        operations.fire(
            evaluation, trigger, actor,
            reason=request.form.get("reason", ""),
            comment=request.form.get("comment", ""),
            client_address=request.remote_addr or "",
            reviews=_reviews_from_form() if trigger == "accept" else None,
            on_behalf_of=on_behalf,
        )
    except OperationError as exc:
        return _refused(evaluation_id, exc, trigger)
    failed = _commit(evaluation_id)
    if failed:
        return failed
    flash(f"已{trigger_label(trigger)}：《{evaluation.project_name}》现处于"
          f"「{evaluation.state.label}」阶段。", "success")
    if trigger == "publish" and current_app.config.get("JOBS_MODE") == "rq":
        flash("正在生成报告：报告 PDF 生成并保存后才会在公开页面出现。", "info")
    if can_view(actor, evaluation):
        return redirect(url_for("evaluations.detail", evaluation_id=evaluation_id))
    return redirect(url_for("evaluations.home"))


@bp.route("/evaluations/<int:evaluation_id>/delegate", methods=["POST"])
@login_required
def delegate(evaluation_id: int):
    """转交: hand this member's signature on the current revision to another user."""
    evaluation = load_visible(evaluation_id)
    try:
        operations.delegate_signature(evaluation, current_user._get_current_object(),
                                      _user_id("delegate_id"))
    except OperationError as exc:
        return _refused(evaluation_id, exc)
    failed = _commit(evaluation_id)
    if failed:
        return failed
    flash("已转交签字。", "success")
    return redirect(url_for("evaluations.detail", evaluation_id=evaluation_id))


@bp.route("/evaluations/<int:evaluation_id>/signers", methods=["POST"])
@login_required
def add_signer(evaluation_id: int):
    """加签: the leader adds a signer during team review."""
    evaluation = load_visible(evaluation_id)
    try:
        row = operations.add_signer(evaluation, current_user._get_current_object(),
                                    _user_id("user_id"))
    except OperationError as exc:
        return _refused(evaluation_id, exc)
    name = row.user.name
    failed = _commit(evaluation_id)
    if failed:
        return failed
    flash(f"已加签：{name} 须会签后方可进入组长审定。", "success")
    return redirect(url_for("evaluations.detail", evaluation_id=evaluation_id))


@bp.route("/evaluations/<int:evaluation_id>/comments", methods=["POST"])
@login_required
def comment(evaluation_id: int):
    """A comment in one indicator's thread."""
    evaluation = load_visible(evaluation_id)
    code = request.form.get("indicator_code", "").strip()
    try:
        operations.add_comment(evaluation, current_user._get_current_object(), code,
                               request.form.get("body", ""))
    except OperationError as exc:
        return _refused(evaluation_id, exc)
    db.session.commit()
    flash(f"已在指标 {code} 下发表意见。", "success")
    return redirect(url_for("evaluations.detail", evaluation_id=evaluation_id,
                            _anchor=f"thread-{code}"))


@bp.route("/workflow/batch/<trigger>", methods=["POST"])
@login_required
def batch(trigger: str):
    """The finance bureau accepts or publishes several evaluations at once.

    The first POST (from the inbox) only shows what will happen, item by item, with each
    one's 得分差异 for an acceptance; the confirmation page posts again with ``confirmed``
    (and, to accept without 复核, the explicit "无复核意见").
    """
    ids = [int(v) for v in request.form.getlist("evaluation_id") if v.isdigit()]
    back = redirect(url_for("notifications.inbox"))
    if not ids:
        flash("请至少选择一项评价。", "error")
        return back
    if trigger not in ("accept", "publish"):
        abort(404)
    actor = current_user._get_current_object()
    if request.form.get("confirmed") != "1":
        return _batch_confirmation(ids, trigger, actor)
    try:
        results = operations.fire_many(ids, trigger, actor, can_view=can_view,
                                       client_address=request.remote_addr or "",
                                       no_review=request.form.get("no_review") == "1")
    except OperationError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return _batch_confirmation(ids, trigger, actor, status=getattr(exc, "status", 422))
    db.session.commit()
    done = [r.title for r in results if r.ok]
    if done:
        flash(f"已{trigger_label(trigger)} {len(done)} 项：" + "、".join(done), "success")
    for r in results:
        if not r.ok:
            flash(f"《{r.title}》未{trigger_label(trigger)}：{r.message}", "error")
    if trigger == "publish" and done and "jobs.publication" in current_app.view_functions:
        from workflow_app.jobs.views import publication_progress_url

        return redirect(publication_progress_url([r.evaluation_id for r in results if r.ok]))
    return back


def _batch_confirmation(ids: list[int], trigger: str, actor: User, *, status: int = 200):
    """The page that says what the batch will do and asks to confirm it (nothing changed)."""
    from workflow_app.workflow.batch import consequence, preview_batch

    items = preview_batch(ids, trigger, actor, can_view=can_view)
    return render_template("workflow/batch_confirm.html", trigger=trigger,
                           label=trigger_label(trigger), items=items,
                           consequence=consequence(trigger),
                           ready=[i for i in items if i.ready]), status


@bp.route("/workflow/diagram.svg")
def diagram_svg():
    """The state diagram as SVG (``?state=`` highlights one state)."""
    state = request.args.get("state")
    if state not in diagram.STATES:
        state = None
    return Response(diagram.svg(state), mimetype="image/svg+xml")


@bp.route("/workflow/diagram.mmd")
def diagram_mermaid():
    """The state diagram as mermaid text, for documentation."""
    return Response(diagram.mermaid(), mimetype="text/plain; charset=utf-8")


def register(app: Flask) -> None:
    """Install the model guard, the blueprint and the template helper of the panel."""
    from workflow_app.workflow import guards  # noqa: F401  (installs the before_flush guard)
    from workflow_app.workflow.panel import workflow_panel

    app.register_blueprint(bp)
    app.jinja_env.globals["workflow_panel"] = workflow_panel
    from workflow_app.workflow.awaiting import awaiting, revision_note

    app.jinja_env.globals["revision_note"] = revision_note
    app.jinja_env.globals["awaiting"] = awaiting
