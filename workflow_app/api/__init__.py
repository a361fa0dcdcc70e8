"""The JSON API at /api/v1 (docs/api.md; OpenAPI at /api/v1/openapi.json).

`register(app)` is called by `workflow_app.web`; it also registers the exchange pages
(`workflow_app.exchange.views`: Excel/JSON export and the import page).
"""

from __future__ import annotations

from flask import Blueprint, Flask, g, jsonify, request
from flask_wtf.csrf import generate_csrf

from workflow_app.api import directory, evaluations, openapi, transitions
from workflow_app.api.auth import authenticate
from workflow_app.api.errors import error_response, register_error_handlers
from workflow_app.extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")
bp.before_request(authenticate)
register_error_handlers(bp)

bp.add_url_rule("/openapi.json", "openapi", openapi.openapi_view, methods=["GET"])
bp.add_url_rule("/evaluations", "list_evaluations", evaluations.list_evaluations,
                methods=["GET"])
bp.add_url_rule("/evaluations", "create_evaluation", evaluations.create_evaluation,
                methods=["POST"])
bp.add_url_rule("/evaluations/<int:evaluation_id>", "get_evaluation",
                evaluations.get_evaluation, methods=["GET"])
bp.add_url_rule("/evaluations/<int:evaluation_id>", "update_evaluation",
                evaluations.update_evaluation, methods=["PUT"])
bp.add_url_rule("/evaluations/<int:evaluation_id>/document", "get_document",
                evaluations.get_document, methods=["GET"])
bp.add_url_rule("/evaluations/<int:evaluation_id>/transitions/<trigger>", "fire_transition",
                transitions.fire_transition, methods=["POST"])
bp.add_url_rule("/directory/import", "import_directory", directory.import_directory,
                methods=["POST"])


@bp.get("/me")
def me():
    """The caller; with session authentication also the CSRF token for changing requests."""
    user = g.api_user
    body = {
        "username": user.username, "name": user.name,
        "unit": {"id": user.unit_id, "name": user.unit.name},
        "roles": {"preparer": user.is_preparer, "finance_officer": user.is_finance_officer,
                  "admin": user.is_admin},
        "auth": g.api_auth,
    }
    if g.api_auth == "session":
        body["csrf_token"] = generate_csrf()
    return jsonify(body)


# Bearer requests carry no cookie to forge; session requests are checked in `authenticate`.
csrf.exempt(bp)


def register(app: Flask) -> None:
    """Attach the API and the exchange pages to the app."""
    from workflow_app.exchange.views import bp as exchange_bp

    app.register_blueprint(bp)
    app.register_blueprint(exchange_bp)

    def _method_not_allowed(exc):  # noqa: ANN001
        if request.path.startswith(bp.url_prefix + "/"):
            return error_response(405)
        return exc

    app.register_error_handler(405, _method_not_allowed)
