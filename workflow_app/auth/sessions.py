"""Login sessions: a per-user session epoch, an idle timeout and an absolute lifetime.

The session cookie (signed, client-side) carries the user's ``session_epoch`` at login, the
login time and the time of the last request. On every request the user loader refuses the
session when the user's epoch has moved on (logout, password change, administrator's reset:
``end_all_sessions``), when the user was idle longer than ``SESSION_IDLE_MINUTES`` or logged in
longer ago than ``SESSION_ABSOLUTE_HOURS``. So a cookie copied before logout is dead after it.
"""

from __future__ import annotations

import time

from flask import Flask, current_app, flash, g, jsonify, redirect, request, session, url_for
from flask_login import current_user, login_user
from sqlalchemy import update

from workflow_app.auth.models import User
from workflow_app.extensions import db

EPOCH_KEY, LOGIN_AT_KEY, SEEN_AT_KEY = "_epoch", "_login_at", "_seen_at"
# The last-seen time is rewritten at most this often (seconds), so the cookie is not re-signed
# on every single request.
_TOUCH_EVERY = 30

REASONS = {
    "epoch": "您已退出登录或密码已更改，请重新登录。",
    "idle": "长时间未操作，会话已超时，请重新登录。",
    "absolute": "登录时间已超过上限，请重新登录。",
}


def session_values(user: User, now: float | None = None) -> dict[str, int]:
    """What a fresh session of the user carries besides Flask-Login's keys."""
    now = int(now if now is not None else time.time())
    # A fresh account's epoch is 0 (tests pass id-only stand-ins for users).
    epoch = getattr(user, "session_epoch", None) or 0
    return {EPOCH_KEY: epoch, LOGIN_AT_KEY: now, SEEN_AT_KEY: now}


def start_session(user: User) -> None:
    """Log the user in on this browser: a new session bound to the user's current epoch."""
    session.clear()  # no value of an earlier session (or of an attacker's fixation) survives
    login_user(user, remember=False)
    session.update(session_values(user))
    session.permanent = True  # the cookie expires after the absolute lifetime


def refusal(user: User) -> str | None:
    """Why the current session of `user` is no longer valid ("epoch", "idle", "absolute"),
    or None when it is."""
    epoch = session.get(EPOCH_KEY)
    if not isinstance(epoch, int) or epoch != user.session_epoch:
        return "epoch"
    now = time.time()
    seen, login_at = session.get(SEEN_AT_KEY), session.get(LOGIN_AT_KEY)
    if not isinstance(seen, int) or not isinstance(login_at, int):
        return "epoch"
    if now - seen > current_app.config["SESSION_IDLE_MINUTES"] * 60:
        return "idle"
    if now - login_at > current_app.config["SESSION_ABSOLUTE_HOURS"] * 3600:
        return "absolute"
    return None


def load_session_user(user_id: str) -> User | None:
    """Flask-Login's user loader: the session's user while the session is valid, else None
    (and the session is emptied, so the browser is asked to log in again)."""
    try:
        user = db.session.get(User, int(user_id))
    except (TypeError, ValueError):
        return None
    if user is None:
        return None
    reason = refusal(user)
    if reason is not None:
        session.clear()
        g.session_ended = reason
        return None
    now = int(time.time())
    if now - session[SEEN_AT_KEY] >= _TOUCH_EVERY:
        session[SEEN_AT_KEY] = now
    return user


def end_all_sessions(user: User, *, reason: str) -> int:
    """End every session and API token of the user (flushes; the caller audits and commits).

    Returns the number of tokens revoked. The epoch is bumped in SQL, so two concurrent calls
    never leave it where one of them found it."""
    from workflow_app.auth.tokens import revoke_all_tokens

    db.session.execute(
        update(User).where(User.id == user.id).values(session_epoch=User.session_epoch + 1)
        .execution_options(synchronize_session=False))
    db.session.refresh(user, ["session_epoch"])
    return revoke_all_tokens(user, reason=reason)


def keep_this_session(user: User) -> None:
    """After the user changed their own password: this browser stays logged in (the new
    epoch), every other session has ended."""
    session[EPOCH_KEY] = user.session_epoch


# Endpoints a user who must change the password may still reach.
_OPEN_WHEN_FORCED = frozenset({"auth.change_password", "auth.logout", "auth.login"})


def install_session_checks(app: Flask) -> None:
    """The forced password change (first login, after a reset) and the notice of an ended
    session."""

    @app.before_request
    def _forced_password_change():
        if request.endpoint == "static":  # a static file never loads the session
            return None
        if not current_user.is_authenticated or not current_user.must_change_password:
            return None
        if request.endpoint in _OPEN_WHEN_FORCED:
            return None
        message = "请先修改初始密码（首次登录或密码被重置后须修改）。"
        if request.path.startswith("/api/"):
            return jsonify({"error": {"code": "password_change_required",
                                      "message": message}}), 403
        flash(message, "info")
        return redirect(url_for("auth.change_password"))

    @app.after_request
    def _session_ended_notice(response):  # noqa: ANN001
        reason = g.pop("session_ended", None)
        if reason and not request.path.startswith("/api/"):
            flash(REASONS[reason], "info")
        return response
