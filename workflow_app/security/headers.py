"""Security headers on every response (等保 三级: CSP, clickjacking, MIME sniffing, referrer,
HSTS in production) and ``Cache-Control: no-store`` on everything that is not public.

The CSP allows scripts only from the app's own static folder (no inline scripts, no on*
attributes: templates use data-* attributes and static/js). Inline ``<style>`` blocks and
``style=""`` attributes stay allowed: they cannot run code.
"""

from __future__ import annotations

from flask import Flask, Response, request

CSP = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))

# Pages anyone may keep in a cache: the public portal and the static files.
PUBLIC_ENDPOINT_PREFIXES = ("static", "public.")


def _is_public(endpoint: str | None) -> bool:
    return bool(endpoint) and endpoint.startswith(PUBLIC_ENDPOINT_PREFIXES)


def apply(response: Response, *, production: bool, hsts_seconds: int) -> Response:
    """Set the headers on one response (kept separate so it is testable without a request)."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers["X-Content-Type-Options"] = "nosniff"
    headers["X-Frame-Options"] = "DENY"
    headers["Referrer-Policy"] = "same-origin"
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if production and hsts_seconds:
        headers["Strict-Transport-Security"] = f"max-age={hsts_seconds}; includeSubDomains"
    # No version banner from the app (gunicorn's own header names no version).
    headers.pop("Server", None)
    headers.pop("X-Powered-By", None)
    return response


def register(app: Flask) -> None:
    """Add the after-request hook."""

    @app.after_request
    def _security_headers(response: Response) -> Response:
        apply(
            response,
            production=app.config.get("ENV_NAME") == "production"
            or bool(app.config.get("FORCE_HSTS")),
            hsts_seconds=int(app.config.get("HSTS_SECONDS", 31_536_000)),
        )
        if not _is_public(request.endpoint):
            # Private pages (and error pages) must never be kept by a browser or a proxy.
            response.headers["Cache-Control"] = "no-store"
            response.headers["Pragma"] = "no-cache"
        return response
