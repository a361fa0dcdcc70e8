"""Who is calling the API: a bearer token (`flask --app workflow_app users token USERNAME`)
or the browser session. Session requests that change state must carry the CSRF token
(`X-CSRFToken` header, as given by GET /api/v1/me); bearer requests need none.
"""

from __future__ import annotations

from flask import current_app, g, request
from flask_login import current_user
from flask_wtf.csrf import ValidationError, validate_csrf

from workflow_app.api.errors import ApiError
from workflow_app.auth.models import User
from workflow_app.auth.tokens import TokenRefused, authenticate_token
from workflow_app.extensions import db

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_WWW_AUTH = {"WWW-Authenticate": 'Bearer realm="api"'}


def _token_user(header: str) -> User:
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise ApiError(401, "Authorization 头格式应为“Bearer <令牌>”。", headers=_WWW_AUTH)
    try:
        user, touched = authenticate_token(token, address=request.remote_addr or "")
    except TokenRefused as exc:
        db.session.commit()  # the refusal's audit event
        raise ApiError(401, exc.message, headers=_WWW_AUTH) from None
    if touched:  # bookkeeping of authentication (last use, its audit), before any change
        db.session.commit()
    return user


def authenticate() -> None:
    """before_request of the API: set g.api_user and g.api_auth ("token" | "session")."""
    if request.method == "OPTIONS":
        return
    if request.endpoint in PUBLIC_ENDPOINTS:
        g.api_user, g.api_auth = None, None
        return
    header = request.headers.get("Authorization")
    if header:
        g.api_user, g.api_auth = _token_user(header), "token"
        return
    if not current_user.is_authenticated:
        raise ApiError(401, headers=_WWW_AUTH)
    g.api_user, g.api_auth = current_user._get_current_object(), "session"
    if request.method in UNSAFE_METHODS and current_app.config.get("WTF_CSRF_ENABLED", True):
        token = request.headers.get("X-CSRFToken") or request.headers.get("X-CSRF-Token")
        try:
            validate_csrf(token)
        except ValidationError:
            raise ApiError(
                403, "使用登录会话修改数据时须在 X-CSRFToken 头中提供 CSRF 令牌"
                "（可从 GET /api/v1/me 取得），或改用访问令牌。", code="csrf_failed",
            ) from None


# Endpoints anyone may read (the API description).
PUBLIC_ENDPOINTS = frozenset({"api.openapi"})
