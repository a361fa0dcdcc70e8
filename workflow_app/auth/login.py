"""Checking a login (登录失败处理): lockout after repeated failures, the same work and the same
answer for unknown and real usernames, every failure audited.

``attempt_login`` is the domain operation behind the login page (and usable from tests without
HTTP): it flushes and audits, the view commits.
"""

from __future__ import annotations

import functools
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import select, update
from werkzeug.security import check_password_hash, generate_password_hash

from workflow_app.audit import trail
from workflow_app.auth.models import User
from workflow_app.dbtypes import utcnow
from workflow_app.extensions import db

WRONG = "用户名或密码不正确。"


@dataclass(frozen=True)
class LoginOutcome:
    """The user when the login succeeded; else the Chinese message to show."""

    user: User | None
    message: str = ""
    locked: bool = False

    @property
    def ok(self) -> bool:
        return self.user is not None


@functools.cache
def _dummy_hash(method: str) -> str:
    """A hash of a random password with the configured method: checking a password of an
    unknown username against it costs what a real check costs (no enumeration by timing)."""
    return generate_password_hash(secrets.token_urlsafe(16), method=method)


def _password_matches(user: User | None, password: str) -> bool:
    method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
    stored = user.password_hash if user is not None else _dummy_hash(method)
    matches = check_password_hash(stored, password)
    return matches and user is not None


def failure_hint() -> str:
    """The sentence under every refusal: how many failures lock the account."""
    cfg = current_app.config
    return (f"连续失败 {cfg['LOGIN_MAX_FAILURES']} 次，账号将被锁定 "
            f"{cfg['LOGIN_LOCKOUT_MINUTES']} 分钟。")


def _locked_message(user: User) -> str:
    minutes = max(1, int((user.locked_until - utcnow()).total_seconds() // 60) + 1)
    return (f"该账号因连续登录失败已被锁定，请约 {minutes} 分钟后再试，"
            f"或联系安全管理员解锁。")


def attempt_login(username: str, password: str, *, address: str = "") -> LoginOutcome:
    """Check a username and password. On failure count it (the account locks after
    LOGIN_MAX_FAILURES for LOGIN_LOCKOUT_MINUTES) and audit it; on success clear the count.
    The password hash is checked in every case, for unknown usernames against a dummy hash."""
    username = (username or "").strip()[:64]
    # No account has a NUL in its name, and PostgreSQL refuses one in a query: not looked up.
    lookup = username and "\x00" not in username
    user = db.session.scalar(select(User).where(User.username == username)) if lookup else None
    username = username.replace("\x00", "\\0")
    matches = _password_matches(user, password or "")
    now = utcnow()
    base = {"username": username, "address": address}
    if user is None:
        trail.record("login_failed", None, role="anonymous",
                     detail={**base, "reason": "unknown_user"})
        return LoginOutcome(None, WRONG)
    if user.is_locked(now):
        trail.record("login_failed", user, detail={**base, "reason": "locked"})
        return LoginOutcome(None, _locked_message(user), locked=True)
    if not matches:
        return _count_failure(user, base)
    if not user.active:
        trail.record("login_failed", user, detail={**base, "reason": "inactive"})
        return LoginOutcome(None, "该账号已停用，请联系系统管理员。")
    if user.failed_logins or user.locked_until is not None:
        user.failed_logins, user.locked_until = 0, None
    return LoginOutcome(user)


def _count_failure(user: User, base: dict) -> LoginOutcome:
    cfg = current_app.config
    # In SQL, so concurrent failures (several workers) are all counted.
    failures = db.session.execute(
        update(User).where(User.id == user.id).values(failed_logins=User.failed_logins + 1)
        .returning(User.failed_logins).execution_options(synchronize_session=False)
    ).scalar_one()
    trail.record("login_failed", user, detail={**base, "reason": "wrong_password",
                                               "failures": failures})
    if failures < cfg["LOGIN_MAX_FAILURES"]:
        db.session.refresh(user, ["failed_logins"])
        return LoginOutcome(None, WRONG)
    until = utcnow() + timedelta(minutes=cfg["LOGIN_LOCKOUT_MINUTES"])
    db.session.execute(update(User).where(User.id == user.id).values(
        failed_logins=0, locked_until=until).execution_options(synchronize_session=False))
    db.session.refresh(user, ["failed_logins", "locked_until"])
    trail.record("account_locked", user, detail={
        **base, "failures": failures, "until": until.isoformat(timespec="seconds"),
        "minutes": cfg["LOGIN_LOCKOUT_MINUTES"]})
    return LoginOutcome(None, _locked_message(user), locked=True)


def unlock(user: User, actor: User | None) -> bool:
    """Lift a lockout (a security administrator's action; the caller checks who). Audited;
    False when the account was not locked."""
    was_locked = user.is_locked()
    user.failed_logins, user.locked_until = 0, None
    db.session.flush()
    if was_locked:
        trail.record("account_unlocked", actor, role=None if actor else "cli",
                     detail={"user": user.username, "user_id": user.id})
    return was_locked
