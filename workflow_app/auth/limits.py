"""Rate limits (Flask-Limiter on Redis; memory in tests) and the failed-login address throttle.

Each app gets its own `Limiter` (``init_limits``), so two apps in one process (the test of the
real Redis) never share state. Limits are attached to endpoints from one table, so the areas
that own the views need no decorator:

- login (POST), the public verification page, uploads, and the whole JSON API;
- failed logins per address (``LOGIN_ADDRESS_LIMIT``, counted by ``count_failed_login``): when an
  address has failed that often, further logins from it are refused with 429 for the window.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable

from flask import Flask, current_app, jsonify, render_template, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from limits import parse

log = logging.getLogger(__name__)

FAILED_LOGIN_SCOPE = "login-failures"


def _config(name: str) -> Callable[[], str]:
    return lambda: current_app.config[name]


def api_key() -> str:
    """The API is limited per bearer token (its hash), else per address."""
    header = request.headers.get("Authorization", "")
    if header:
        return "token:" + hashlib.sha256(header.encode()).hexdigest()[:32]
    return "addr:" + get_remote_address()


# endpoint → (setting holding the limit, methods or None for all)
ROUTE_LIMITS: dict[str, tuple[str, list[str] | None]] = {
    "auth.login": ("RATELIMIT_LOGIN", ["POST"]),
    "public.verify": ("RATELIMIT_VERIFY", None),
    "public.verify_start": ("RATELIMIT_VERIFY", None),
    "evaluations.evidence_upload": ("RATELIMIT_UPLOAD", ["POST"]),
    "exchange.import_page": ("RATELIMIT_UPLOAD", ["POST"]),
    "exchange.import_xlsx_into": ("RATELIMIT_UPLOAD", ["POST"]),
}


def init_limits(app: Flask) -> Limiter:
    """Create this app's limiter, attach the route and API limits and the 429 page."""
    limiter = Limiter(key_func=get_remote_address)
    limiter.init_app(app)
    app.extensions["jx_limiter"] = limiter
    for endpoint, (setting, methods) in ROUTE_LIMITS.items():
        view = app.view_functions.get(endpoint)
        if view is not None:
            app.view_functions[endpoint] = limiter.limit(
                _config(setting), methods=methods, scope=endpoint)(view)
    if "api" in app.blueprints:
        limiter.limit(_config("RATELIMIT_API"), key_func=api_key)(app.blueprints["api"])

    @app.errorhandler(429)
    def too_many(exc):  # noqa: ANN001
        message = "请求过于频繁，请稍后再试。"
        retry = getattr(exc, "retry_after", None)
        if request.path.startswith("/api/"):
            response = jsonify({"error": {"code": "too_many_requests", "message": message}})
        else:
            response = render_template("error.html", code=429, message=message)
        response = app.make_response((response, 429))
        if retry:
            response.headers["Retry-After"] = str(retry)
        return response

    return limiter


def _limiter() -> Limiter:
    return current_app.extensions["jx_limiter"]


def _failure_limit():
    return parse(current_app.config["LOGIN_ADDRESS_LIMIT"])


def _failure_key(address: str) -> tuple[str, str, str]:
    return current_app.config.get("RATELIMIT_KEY_PREFIX", ""), FAILED_LOGIN_SCOPE, address


def address_throttled(address: str) -> bool:
    """True while the address has used up its failed logins for the window.

    If the limit store cannot be reached, the address is not throttled: the per-account
    lockout (in the database) still holds, and the outage is logged."""
    try:
        return not _limiter().limiter.test(_failure_limit(), *_failure_key(address))
    except Exception:  # noqa: BLE001  (any storage error: fail open, loudly)
        log.exception("rate-limit storage unavailable; address throttle skipped")
        return False


def count_failed_login(address: str) -> bool:
    """Count one failed login of the address; True when this failure used up its allowance
    (the address is throttled from now on)."""
    try:
        strategy = _limiter().limiter
        limit = _failure_limit()
        strategy.hit(limit, *_failure_key(address))
        return not strategy.test(limit, *_failure_key(address))
    except Exception:  # noqa: BLE001
        log.exception("rate-limit storage unavailable; failed login not counted per address")
        return False


def reset_limits(app: Flask) -> None:
    """Forget every counter (tests, between cases)."""
    limiter = app.extensions.get("jx_limiter")
    if limiter is not None:
        limiter.reset()
