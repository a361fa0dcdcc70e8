"""HTTP hardening and hostile-input limits, registered once on the app (`register(app)`)."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Attach the response headers and the request limits."""
    from workflow_app.security import headers, limits

    headers.register(app)
    limits.register(app)
