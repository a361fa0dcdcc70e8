"""我的待办 (the inbox), notifications and the finance bureau's due dates."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Flask, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select, update

from workflow_app.dbtypes import utcnow
from workflow_app.evaluations import listing
from workflow_app.evaluations.access import visible_evaluations
from workflow_app.evaluations.operations import OperationError
from workflow_app.extensions import db
from workflow_app.notifications.inbox import KIND_LABELS, inbox_count, inbox_page
from workflow_app.notifications.models import DueDate, Notification
from workflow_app.notifications.service import recent

bp = Blueprint("notifications", __name__)


@bp.route("/inbox")
@login_required
def inbox():
    """What awaits the current user, their notifications and (finance) the due dates."""
    user = current_user._get_current_object()
    notes = recent(user, 50)
    due_dates = []
    if user.is_finance_officer and user.unit.is_bureau:
        due_dates = list(db.session.scalars(select(DueDate).where(
            DueDate.bureau_id == user.unit_id).order_by(DueDate.fiscal_year.desc())))
    filters = listing.Filters.parse(request.args, default_sort="default", todo_kinds=KIND_LABELS)
    page = inbox_page(user, filters)
    return render_template("notifications/inbox.html", page=page, items=page.items,
                           filters=filters, notifications=notes, due_dates=due_dates,
                           today=date.today(), todo_kinds=KIND_LABELS, sorts=listing.SORTS,
                           units=listing.unit_options(user),
                           years=listing.year_options(visible_evaluations(user), user),
                           states=listing.STATE_ORDER if not user.unit.is_bureau
                           else [listing.S.FINANCE_ACCEPTANCE, listing.S.ACCEPTED])


@bp.route("/notifications/<int:notification_id>/read", methods=["POST"])
@login_required
def mark_read(notification_id: int):
    """Mark one notification as read, then open its evaluation (or go back)."""
    note = db.session.get(Notification, notification_id)
    if note is None or note.user_id != current_user.id:
        abort(404)
    if note.read_at is None:
        note.read_at = utcnow()
        db.session.commit()
    if note.evaluation_id:
        return redirect(url_for("evaluations.detail", evaluation_id=note.evaluation_id))
    return redirect(url_for("notifications.inbox"))


@bp.route("/notifications/read-all", methods=["POST"])
@login_required
def mark_all_read():
    """Mark every notification of the current user as read."""
    db.session.execute(update(Notification).where(
        Notification.user_id == current_user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow()))
    db.session.commit()
    flash("已全部标为已读。", "success")
    return redirect(url_for("notifications.inbox"))


@bp.route("/due-dates", methods=["POST"])
@login_required
def set_due_date():
    """A finance officer sets (or, with an empty date, clears) a fiscal year's due date."""
    from workflow_app.workflow.operations import set_due_date as set_due

    year = request.form.get("fiscal_year", type=int)
    raw = (request.form.get("due_on") or "").strip()
    try:
        if year is None:
            raise OperationError("请填写年度。")
        try:
            due_on = date.fromisoformat(raw) if raw else None
        except ValueError:
            raise OperationError(f"截止日期格式不正确：{raw}（应为 YYYY-MM-DD）") from None
        set_due(current_user._get_current_object(), year, due_on)
    except OperationError as exc:
        db.session.rollback()
        status = getattr(exc, "status", 422)
        flash(str(exc), "error")
        if status == 403:
            abort(403)
        return redirect(url_for("notifications.inbox"))
    db.session.commit()
    flash(f"{year} 年度截止日期已{'设为 ' + raw if raw else '清除'}。", "success")
    return redirect(url_for("notifications.inbox"))


def register(app: Flask) -> None:
    """The inbox blueprint and the navigation badge."""
    app.register_blueprint(bp)
    app.extensions["nav_badges"] = lambda user: {"inbox": inbox_count(user)}
