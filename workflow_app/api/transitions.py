"""POST /api/v1/evaluations/{id}/transitions/{trigger}: fire a workflow trigger.

The workflow engine (`workflow_app.workflow.operations.fire`) decides; this face maps its
errors: PermissionDenied → 403, TransitionNotAllowed → 409, WorkflowError → 422.

The answer is the evaluation in its new state (scores, findings, indicators: what GET
returns). A client firing many steps — a signing tool, a bureau's batch — that needs only
the new state asks for it with ``Prefer: return=minimal`` (RFC 7240) and gets the list
form (``EvaluationSummary``), with ``Preference-Applied: return=minimal``: the full form
costs scoring and the consistency review of the whole document, most of the request.
"""

from __future__ import annotations

import re

from flask import g, jsonify, request

from workflow_app.api.errors import ApiError
from workflow_app.api.evaluations import (
    _etag,
    _read_response,
    evaluation_summary,
    json_body,
    load_visible,
)
from workflow_app.extensions import db

_TRIGGER = re.compile(r"^[a-z_]{1,40}$")
_FIELDS = {"reason", "comment"}
_PREFER = re.compile(r"(?:^|[,;\s])return\s*=\s*\"?minimal\"?(?:$|[,;\s])", re.IGNORECASE)


def wants_minimal() -> bool:
    """True when the request says ``Prefer: return=minimal`` (among other preferences)."""
    return any(_PREFER.search(value) for value in request.headers.getlist("Prefer"))


def _optional_body() -> dict[str, str]:
    if not request.get_data(cache=True).strip():
        return {}
    body = json_body()
    unknown = sorted(set(body) - _FIELDS)
    if unknown:
        raise ApiError(400, f"请求体中有未知字段：{'、'.join(unknown)}（只接受 reason、comment）",
                       code="invalid_body")
    for key in _FIELDS & set(body):
        if body[key] is not None and not isinstance(body[key], str):
            raise ApiError(400, f"“{key}”应为文本。", code="invalid_body")
        if body[key] and len(body[key]) > 2000:
            raise ApiError(400, f"“{key}”不能超过 2000 个字。", code="invalid_body")
    return {k: v or "" for k, v in body.items()}


def fire_transition(evaluation_id: int, trigger: str):
    """Fire `trigger` on the evaluation as the caller; 200 with the evaluation's new state."""
    from workflow_app.workflow.errors import (
        PermissionDenied,
        TransitionNotAllowed,
        WorkflowError,
    )
    from workflow_app.workflow.operations import fire

    if not _TRIGGER.match(trigger):
        raise ApiError(404, f"未知的操作：{trigger}")
    body = _optional_body()
    # Only submit reads the whole content (to freeze it); the others answer with a reload.
    evaluation = load_visible(evaluation_id, for_update=True, eager=trigger == "submit")
    try:
        fire(evaluation, trigger, g.api_user, reason=body.get("reason", ""),
             comment=body.get("comment", ""), client_address=request.remote_addr or "")
    except PermissionDenied as exc:
        db.session.rollback()
        raise ApiError(403, str(exc) or None) from None
    except TransitionNotAllowed as exc:
        db.session.rollback()
        raise ApiError(409, str(exc) or None, code="transition_not_allowed") from None
    except WorkflowError as exc:
        db.session.rollback()
        raise ApiError(422, str(exc) or None) from None
    db.session.commit()
    if wants_minimal():
        response = jsonify(evaluation_summary(evaluation))
        response.headers["ETag"] = _etag(evaluation)
        response.headers["Preference-Applied"] = "return=minimal"
        response.vary.add("Prefer")
        return response
    return _read_response(evaluation)
