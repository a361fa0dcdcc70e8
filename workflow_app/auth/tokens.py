"""API bearer tokens: issue, use, revoke; each step audited.

A token has a term (``API_TOKEN_DAYS``, at most ``API_TOKEN_MAX_DAYS``), a last-used time and
can be revoked by its owner (page /account/tokens), on the command line, and whenever the owner's
sessions end (logout, password change, reset). Only the SHA-256 of a token is stored.
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from workflow_app.audit import trail
from workflow_app.auth.models import ApiToken, User
from workflow_app.dbtypes import utcnow
from workflow_app.evaluations.operations import ValidationFailed
from workflow_app.extensions import db

# last_used_at is bookkeeping: written (and audited as a use) at most once a minute per token.
TOUCH_EVERY = timedelta(minutes=1)


class TokenRefused(Exception):
    """The bearer token is unknown, expired, revoked or its owner inactive (HTTP 401)."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason
        self.message = message


def issue_token(user: User, actor: User | None, *, days: int | None = None, label: str = "",
                via: str = "web") -> tuple[ApiToken, str]:
    """Issue a token for `user` valid `days` days (default API_TOKEN_DAYS); returns the row
    and the clear token, shown once. `actor` is None on the command line."""
    max_days = current_app.config["API_TOKEN_MAX_DAYS"]
    days = current_app.config["API_TOKEN_DAYS"] if days in (None, "") else days
    if not isinstance(days, int) or not 1 <= days <= max_days:
        raise ValidationFailed({"days": f"有效期应为 1 至 {max_days} 天"})
    label = (label or "").strip()
    if len(label) > 64:
        raise ValidationFailed({"label": "用途说明不能超过 64 个字"})
    row, clear = ApiToken.issue(user, days=days, label=label)
    db.session.flush()
    trail.record("token_issued", actor, role=None if actor else "cli", detail={
        "token_id": row.id, "user": user.username, "label": label, "via": via,
        "expires_at": row.expires_at.isoformat(timespec="seconds")})
    return row, clear


def revoke_token(token: ApiToken, actor: User | None, *, reason: str = "revoked") -> bool:
    """Revoke one token (flushes, audits); False when it was already revoked."""
    if token.revoked_at is not None:
        return False
    token.revoked_at, token.revoked_reason = utcnow(), reason[:40]
    db.session.flush()
    trail.record("token_revoked", actor, role=None if actor else "cli", detail={
        "token_id": token.id, "user": token.user.username, "reason": reason})
    return True


def revoke_all_tokens(user: User, *, reason: str) -> int:
    """Revoke every live token of the user (sessions ended); one audit event names them."""
    now = utcnow()
    rows = db.session.scalars(select(ApiToken).where(
        ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None),
        ApiToken.expires_at > now)).all()
    for row in rows:
        row.revoked_at, row.revoked_reason = now, reason[:40]
    if rows:
        db.session.flush()
        trail.record("token_revoked", user, detail={
            "token_ids": [r.id for r in rows], "user": user.username, "reason": reason})
    return len(rows)


def tokens_of(user: User) -> list[ApiToken]:
    """The user's tokens, newest first."""
    return list(db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)
                                   .order_by(ApiToken.id.desc())))


def authenticate_token(clear: str, *, address: str = "") -> tuple[User, bool]:
    """(the active user owning a valid token, whether a use was recorded); raises
    TokenRefused (audited) otherwise.

    A use is recorded (last_used_at and a ``token_used`` event) at most once a minute; the
    caller commits."""
    row = db.session.scalar(select(ApiToken).where(
        ApiToken.token_hash == ApiToken.hash_token(clear)))
    now = utcnow()
    problem = None
    if row is None:
        problem = ("unknown", "访问令牌无效。")
    elif row.revoked_at is not None:
        problem = ("revoked", "访问令牌已吊销。")
    elif row.expires_at <= now:
        problem = ("expired", "访问令牌已过期，请重新申请。")
    elif not row.user.active:
        problem = ("inactive", "访问令牌的用户已停用。")
    if problem is not None:
        trail.record("token_refused", row.user if row else None,
                     role=None if row else "anonymous",
                     detail={"token_id": row.id if row else None, "reason": problem[0],
                             "address": address})
        raise TokenRefused(*problem)
    if row.last_used_at is None or now - row.last_used_at > TOUCH_EVERY:
        row.last_used_at = now
        trail.record("token_used", row.user, detail={"token_id": row.id, "address": address})
        return row.user, True
    return row.user, False
