"""A request id for every request and one JSON log line per request on stdout.

The id is the client's ``X-Request-ID`` when it is a sane token (nginx sets it with
``proxy_set_header X-Request-ID $request_id``), else a new random one; it is returned in the
response's ``X-Request-ID`` and available as ``g.request_id`` (jobs and error logs carry it).

The line (``JSON_REQUEST_LOG=1``, the production default) has: time, level, request_id,
method, path (no query string: it may carry search terms), status, duration_ms, bytes, remote
address, user id and the gunicorn worker's pid.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
import time
import uuid
from datetime import UTC, datetime

from flask import Flask, g, request

HEADER = "X-Request-ID"
_SANE = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
log = logging.getLogger("workflow_app.requests")


class _StdoutHandler(logging.Handler):
    """Writes each record to the *current* sys.stdout (so captured output sees it too)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            sys.stdout.write(self.format(record) + "\n")
            sys.stdout.flush()
        except Exception:  # noqa: BLE001
            self.handleError(record)


class JsonFormatter(logging.Formatter):
    """The record's ``fields`` (or its message) as one JSON object."""

    def format(self, record: logging.LogRecord) -> str:
        fields = getattr(record, "fields", None) or {"message": record.getMessage()}
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            **fields,
        }
        return json.dumps(line, ensure_ascii=False, separators=(",", ":"))


def request_id() -> str | None:
    """The id of the current request (None outside a request)."""
    return g.get("request_id")


def _incoming_id() -> str:
    given = request.headers.get(HEADER, "").strip()
    return given if _SANE.match(given) else uuid.uuid4().hex


def _install_handler() -> None:
    if any(isinstance(h, _StdoutHandler) for h in log.handlers):
        return
    handler = _StdoutHandler()
    handler.setFormatter(JsonFormatter())
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False


def register(app: Flask) -> None:
    """Give each request an id and, when ``JSON_REQUEST_LOG`` is on, log it as JSON."""
    enabled = bool(app.config.get("JSON_REQUEST_LOG"))
    if enabled:
        _install_handler()

    @app.before_request
    def _start() -> None:
        g.request_id = _incoming_id()
        g.request_started = time.perf_counter()

    @app.after_request
    def _finish(response):
        rid = g.get("request_id") or _incoming_id()
        response.headers[HEADER] = rid
        if enabled:
            started = g.get("request_started")
            duration = (time.perf_counter() - started) * 1000 if started else None
            log.info("request", extra={"fields": {
                "request_id": rid,
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": round(duration, 2) if duration is not None else None,
                "bytes": response.calculate_content_length(),
                "remote": request.remote_addr,
                "user_id": _user_id(),
                "pid": os.getpid(),
            }})
        return response


def _user_id() -> int | None:
    # Only a user the request already loaded: logging must not add a query to every request.
    user = g.get("_login_user")
    try:
        return int(user.get_id()) if user is not None and user.is_authenticated else None
    except Exception:  # noqa: BLE001  (logging never breaks a response)
        return None
