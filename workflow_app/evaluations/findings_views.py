"""The review's faces on the web: the findings panel of the editor and the read page (a
template global), and the live preview of findings for a tab's unsaved values (JSON)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, abort, jsonify, request
from flask_login import current_user, login_required

from workflow_app.evaluations.access import can_edit_content
from workflow_app.evaluations.findings import (
    document_for,
    findings_for,
    locate,
    review,
    signing_of,
    summary,
)
from workflow_app.evaluations.models import Evaluation

bp = Blueprint("findings", __name__)

PREVIEW_PARTS = ("header", "funding", "subs", "scores", "sections")


def _panel(evaluation: Evaluation, editable: bool | None = None) -> dict[str, Any]:
    """What templates/evaluations/_findings.html shows: the located findings and counts."""
    if editable is None:
        editable = can_edit_content(current_user, evaluation)
    found = findings_for(evaluation)
    return {"items": locate(evaluation, found, editable=editable), "counts": summary(found),
            "editable": editable}


def _json(located) -> dict[str, Any]:  # noqa: ANN001
    return {**located.finding.as_dict(), "href": located.href,
            "where_label": located.where_label,
            "severity_label": located.finding.severity.label}


@bp.route("/evaluations/<int:evaluation_id>/review-preview", methods=["POST"])
@login_required
def preview(evaluation_id: int):
    """Findings for one editor tab's current (unsaved) values, as JSON; nothing is saved."""
    from workflow_app.evaluations.views import load_visible

    part = request.args.get("part", "")
    if part not in PREVIEW_PARTS:
        abort(404)
    evaluation = load_visible(evaluation_id, for_edit=True)
    doc = document_for(evaluation, part=part, form=request.form)
    found = review(doc, signing_of(evaluation))
    editable = can_edit_content(current_user, evaluation)
    located = locate(evaluation, found, editable=editable, doc=doc)
    return jsonify({"counts": summary(found), "findings": [_json(x) for x in located]})


def register(app: Flask) -> None:
    """The blueprint and the ``review_panel(evaluation)`` template global."""
    app.register_blueprint(bp)
    app.jinja_env.globals["review_panel"] = _panel
