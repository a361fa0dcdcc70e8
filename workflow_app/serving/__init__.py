"""Running the app in production: health probes, request ids and JSON request logs.

``register(app)`` is called by ``workflow_app.web``. Nothing here knows the domain.
"""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Install ``/healthz``, ``/readyz`` and the per-request id and log line."""
    from workflow_app.serving import health, requestlog

    health.register(app)
    requestlog.register(app)
