"""Audit events the faces produce without each view writing them (issue 9, item 5):

- every refusal: a response 403 or 409 (who, what, which evaluation);
- every download or export of a report that is not public (PDF, JSON, Excel, evidence files,
  the API's document);
- every command-line action of the project's own commands (``flask users|audit|demo|...``),
  with its arguments (never a password) and whether it succeeded.

The events are written after the view has answered, in their own transaction: a refused
request has nothing to keep, so anything it left unflushed is rolled back first.
"""

from __future__ import annotations

import functools
import logging
from typing import Any

import click
from flask import Flask, g, request
from flask_login import current_user

from workflow_app.audit import trail
from workflow_app.extensions import db

log = logging.getLogger(__name__)

REFUSALS = frozenset({403, 409})
# endpoint → what is downloaded
DOWNLOADS = {
    "reports.download": "report_pdf",
    "reports.api_download": "report_pdf",
    "exchange.export_json": "evaluation_json",
    "exchange.export_xlsx": "evaluation_xlsx",
    "evaluations.evidence_download": "evidence",
    "api.get_document": "evaluation_json",
}
# Project commands audited on the command line (Flask's own and Flask-Migrate's are not).
AUDITED_GROUPS = ("demo", "users", "audit", "workflow", "evaluations", "integrity", "backup",
                  "jobs", "bench")
_SECRET_PARAMS = frozenset({"password", "token", "secret"})
# A backup is recorded before it is taken, so the archive holds its own event and a restored
# database is identical to the source. A restore replaces the whole database (events
# included) and is not recorded into it: its proof is the chain verification it prints.
RECORD_BEFORE = frozenset({"backup create"})
NOT_RECORDED = frozenset({"backup restore"})


def _actor():
    user = getattr(g, "api_user", None)
    if user is not None:
        return user
    try:
        if current_user.is_authenticated:
            return current_user._get_current_object()
    except Exception:  # noqa: BLE001  (no user loaded: an anonymous request)
        return None
    return None


def _evaluation_id() -> int | None:
    value = (request.view_args or {}).get("evaluation_id")
    return value if isinstance(value, int) else None


def _is_public(evaluation_id: int | None) -> bool:
    if evaluation_id is None:
        return False
    from workflow_app.evaluations.models import Evaluation
    from workflow_app.workflow.states import EvaluationState

    state = db.session.get(Evaluation, evaluation_id)
    return state is not None and state.state == EvaluationState.PUBLISHED


def _record_after(response) -> Any:  # noqa: ANN001
    status = response.status_code
    endpoint = request.endpoint or ""
    if status in REFUSALS:
        db.session.rollback()
        actor = _actor()
        trail.record("refused", actor, role=None if actor else "anonymous",
                     evaluation_id=_evaluation_id(), detail={
                         "status": status, "method": request.method, "path": request.path[:300],
                         "endpoint": endpoint, "address": request.remote_addr or ""})
        db.session.commit()
    elif status == 200 and endpoint in DOWNLOADS:
        evaluation_id = _evaluation_id()
        if not _is_public(evaluation_id):
            actor = _actor()
            trail.record("download", actor, evaluation_id=evaluation_id, detail={
                "what": DOWNLOADS[endpoint], "endpoint": endpoint,
                "query": request.query_string.decode("utf-8", "replace")[:200],
                "address": request.remote_addr or ""})
            db.session.commit()
    return response


def install_request_coverage(app: Flask) -> None:
    """Record refusals and non-public downloads after each request."""

    @app.after_request
    def _audit_coverage(response):  # noqa: ANN001
        try:
            return _record_after(response)
        except Exception:  # an audit write must not turn an answer into a 500; it is logged
            db.session.rollback()
            log.exception("audit coverage event could not be written")
            return response


def _params_for_audit(params: dict[str, Any]) -> dict[str, Any]:
    clean = {}
    for key, value in params.items():
        if any(s in key.lower() for s in _SECRET_PARAMS):
            clean[key] = "***"
        elif isinstance(value, str | int | float | bool) or value is None:
            clean[key] = value if not isinstance(value, str) else value[:200]
        else:
            clean[key] = str(value)[:200]
    return clean


def _wrap_command(command: click.Command, path: str) -> None:
    callback = command.callback
    if callback is None or getattr(callback, "_audited", False) or path in NOT_RECORDED:
        return

    @functools.wraps(callback)
    def audited(*args: Any, **kwargs: Any) -> Any:
        if path in RECORD_BEFORE:
            _record_cli(path, kwargs, "started")
            return callback(*args, **kwargs)
        outcome = "ok"
        try:
            return callback(*args, **kwargs)
        except SystemExit as exc:
            outcome = "ok" if exc.code in (0, None) else f"exit {exc.code}"
            raise
        except BaseException as exc:
            outcome = f"failed: {type(exc).__name__}"
            raise
        finally:
            _record_cli(path, kwargs, outcome)

    audited._audited = True  # type: ignore[attr-defined]
    command.callback = audited


def _record_cli(path: str, params: dict[str, Any], outcome: str) -> None:
    try:
        db.session.rollback()
        trail.record("cli", None, role="cli", detail={
            "command": path, "params": _params_for_audit(params), "outcome": outcome})
        db.session.commit()
    except Exception:  # noqa: BLE001  (e.g. the schema is not migrated yet)
        db.session.rollback()
        log.warning("command %s not audited (database unavailable)", path)


def install_cli_coverage(app: Flask) -> None:
    """Wrap the project's commands so each run is recorded."""

    def walk(command: click.Command, path: str) -> None:
        if isinstance(command, click.Group):
            for name, sub in command.commands.items():
                walk(sub, f"{path} {name}")
        else:
            _wrap_command(command, path)

    for name, command in app.cli.commands.items():
        if name in AUDITED_GROUPS:
            walk(command, name)
