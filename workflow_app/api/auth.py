"""Who is calling the API: a bearer token (`flask --app workflow_app users token USERNAME`)
or the browser session. Session requests that change state must carry the CSRF token
(`X-CSRFToken` header, as given by GET /api/v1/me); bearer requests need none.
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app, g, request
from flask_login import current_user
from flask_wtf.csrf import ValidationError, validate_csrf
from sqlalchemy import select

from workflow_app.api.errors import ApiError
from workflow_app.auth.models import ApiToken, User
from workflow_app.dbtypes import utcnow
from workflow_app.extensions import db

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# last_used_at is bookkeeping: write it at most once a minute per token.
_TOUCH_EVERY = timedelta(minutes=1)
_WWW_AUTH = {"WWW-Authenticate": 'Bearer realm="api"'}


def _token_user(header: str) -> User:
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise ApiError(401, "Authorization 头格式应为“Bearer <令牌>”。", headers=_WWW_AUTH)
    row = db.session.scalar(
        select(ApiToken).where(ApiToken.token_hash == ApiToken.hash_token(token))
    )
    if row is None or not row.user.active:
        raise ApiError(401, "访问令牌无效或已停用。", headers=_WWW_AUTH)
    now = utcnow()
    if row.last_used_at is None or now - row.last_used_at > _TOUCH_EVERY:
        row.last_used_at = now
        db.session.commit()  # bookkeeping of authentication, before any content change
    return row.user


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
