"""Evaluation pages: the home page (工作台), the list and the read view."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_login import current_user, login_required

from workflow_app.evaluations.access import can_create, can_view, visible_evaluations
from workflow_app.evaluations.models import Evaluation
from workflow_app.extensions import db

bp = Blueprint("evaluations", __name__)

PAGE_SIZE = 25


def load_visible(evaluation_id: int) -> Evaluation:
    """The evaluation, or 404 when it does not exist or the current user may not read it.

    404 rather than 403 so that URLs do not reveal which evaluations exist in other units.
    """
    evaluation = db.session.get(Evaluation, evaluation_id)
    if evaluation is None or not can_view(current_user, evaluation):
        abort(404)
    return evaluation


@bp.route("/")
@login_required
def home():
    """The landing page of every role: what the user can see, newest first."""
    page = max(request.args.get("page", 1, type=int), 1)
    query = visible_evaluations(current_user)
    pagination = db.paginate(query, page=page, per_page=PAGE_SIZE, error_out=False)
    return render_template(
        "evaluations/home.html",
        pagination=pagination,
        evaluations=pagination.items,
        can_create=can_create(current_user),
    )


@bp.route("/evaluations/<int:evaluation_id>")
@login_required
def detail(evaluation_id: int):
    """Read one evaluation."""
    evaluation = load_visible(evaluation_id)
    return render_template("evaluations/detail.html", evaluation=evaluation)
