"""Probes for a load balancer.

- ``GET /healthz``: the process is alive and answers (no I/O) -> 200.
- ``GET /readyz``: the database answers ``SELECT 1`` and Redis answers ``PING`` -> 200,
  otherwise 503 with which dependency failed, so the balancer stops sending traffic here.

Both are JSON, exempt from CSRF and login, and never cached.
"""

from __future__ import annotations

from flask import Blueprint, Flask, current_app, jsonify
from sqlalchemy import text

from workflow_app.extensions import csrf, db

bp = Blueprint("serving", __name__)


def _no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/healthz")
def healthz():
    """The process is up."""
    return _no_store(jsonify({"status": "ok"}))


def check_database() -> str | None:
    """None when the database answers, else a short reason (no connection details)."""
    try:
        db.session.execute(text("SELECT 1"))
        db.session.rollback()
    except Exception as exc:  # noqa: BLE001  (any failure means "not ready")
        db.session.rollback()
        return type(exc).__name__
    return None


def check_redis() -> str | None:
    """None when Redis answers PING within a second, else a short reason."""
    from workflow_app.jobs.queue import redis_connection

    try:
        redis_connection(timeout=1.0).ping()
    except Exception as exc:  # noqa: BLE001
        return type(exc).__name__
    return None


@bp.route("/readyz")
def readyz():
    """Ready to serve: database and Redis reachable (503 otherwise)."""
    checks = {"database": check_database(), "redis": check_redis()}
    ok = all(problem is None for problem in checks.values())
    body = {
        "status": "ok" if ok else "unavailable",
        "checks": {name: problem or "ok" for name, problem in checks.items()},
    }
    if not ok:
        current_app.logger.warning("readiness check failed: %s", body["checks"])
    return _no_store(jsonify(body)), (200 if ok else 503)


def register(app: Flask) -> None:
    """Install the probes."""
    csrf.exempt(bp)
    app.register_blueprint(bp)
