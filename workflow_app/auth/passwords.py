"""The password policy, one's own password change, and an administrator's reset.

Policy: at least 8 characters from at least three of the four classes (lower case, upper case,
digits, other), not the username (nor containing it, either way round), not one of the last
``PASSWORD_HISTORY`` (5) passwords. Changing or resetting a password ends every session and
API token of the user.
"""

from __future__ import annotations

import secrets
import string

from flask import current_app
from sqlalchemy import select
from werkzeug.security import check_password_hash

from workflow_app.audit import trail
from workflow_app.auth.models import PasswordHistory, User
from workflow_app.dbtypes import utcnow
from workflow_app.evaluations.operations import ValidationFailed
from workflow_app.extensions import db

MIN_LENGTH = 8
MAX_LENGTH = 128


def rules_text() -> str:
    """The policy in one Chinese sentence, for the forms."""
    n = current_app.config.get("PASSWORD_HISTORY", 5)
    return (f"至少 {MIN_LENGTH} 位，包含大写字母、小写字母、数字、符号中的至少三类；"
            f"不能与用户名相同或包含用户名；不能与最近 {n} 次使用过的密码相同。")


def _classes(password: str) -> int:
    return sum((
        any(c.islower() for c in password),
        any(c.isupper() for c in password),
        any(c.isdigit() for c in password),
        any(not c.isalnum() for c in password),
    ))


def policy_problems(password: str, username: str) -> list[str]:
    """What is wrong with a new password (Chinese), ignoring history; empty when fine."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(f"密码至少 {MIN_LENGTH} 位")
    if len(password) > MAX_LENGTH:
        problems.append(f"密码不能超过 {MAX_LENGTH} 位")
    if "\x00" in password:
        problems.append("密码不能包含空字符")
    if _classes(password) < 3:
        problems.append("密码须包含大写字母、小写字母、数字、符号中的至少三类")
    name, low = (username or "").lower(), password.lower()
    if name and (low == name or name in low or (len(low) >= 4 and low in name)):
        problems.append("密码不能与用户名相同或包含用户名")
    return problems


def _recent_hashes(user: User) -> list[str]:
    keep = current_app.config.get("PASSWORD_HISTORY", 5)
    rows = db.session.scalars(select(PasswordHistory.password_hash)
                              .where(PasswordHistory.user_id == user.id)
                              .order_by(PasswordHistory.id.desc()).limit(keep)).all()
    return list(rows) or ([user.password_hash] if user.password_hash else [])


def check_new_password(user: User, password: str) -> None:
    """Raise ValidationFailed({"new": ...}) when the password breaks the policy or repeats one
    of the last five."""
    problems = policy_problems(password, user.username)
    if not problems and any(check_password_hash(h, password) for h in _recent_hashes(user)):
        n = current_app.config.get("PASSWORD_HISTORY", 5)
        problems.append(f"新密码不能与最近 {n} 次使用过的密码相同")
    if problems:
        raise ValidationFailed({"new": "；".join(problems)})


def set_password(user: User, password: str, *, must_change: bool) -> None:
    """Store the password (its hash), remember it in the history, mark whether it must be
    changed at the next login. No policy check, no audit: callers do both."""
    user.set_password(password)
    user.password_changed_at = utcnow()
    user.must_change_password = must_change
    if user.id is None:
        db.session.add(user)
        db.session.flush()
    db.session.add(PasswordHistory(user_id=user.id, password_hash=user.password_hash))
    db.session.flush()


def change_password(user: User, new: str, *, current: str | None) -> None:
    """The user changes their own password. `current` must match (None only for the CLI).
    Ends every session and token of the user; the caller keeps its own session alive with
    ``sessions.keep_this_session``."""
    from workflow_app.auth.sessions import end_all_sessions

    if current is not None and not user.check_password(current):
        raise ValidationFailed({"current": "当前密码不正确"})
    if current is not None and current == new:
        raise ValidationFailed({"new": "新密码不能与当前密码相同"})
    check_new_password(user, new)
    if not _history_has(user):
        db.session.add(PasswordHistory(user_id=user.id, password_hash=user.password_hash))
    set_password(user, new, must_change=False)
    user.is_demo = False  # no longer the published demo password
    revoked = end_all_sessions(user, reason="password_changed")
    trail.record("password_changed", user, detail={"user": user.username,
                                                   "tokens_revoked": revoked})


def _history_has(user: User) -> bool:
    return db.session.scalar(select(PasswordHistory.id).where(
        PasswordHistory.user_id == user.id).limit(1)) is not None


def temporary_password() -> str:
    """A random password that meets the policy (shown once to the security administrator)."""
    alphabet = string.ascii_letters + string.digits
    while True:
        body = "".join(secrets.choice(alphabet) for _ in range(12))
        candidate = f"{body[:6]}-{body[6:]}"
        if _classes(candidate) >= 3 and any(c.isdigit() for c in candidate):
            return candidate


def reset_password(actor: User | None, user: User) -> str:
    """A security administrator's reset: a temporary password the user must change at the next
    login; every session and token of the user ends, a lockout is lifted. Returns the temporary
    password. `actor` None means the command line. The caller checks the actor may do it."""
    from workflow_app.auth.sessions import end_all_sessions

    if actor is not None and actor.id == user.id:
        raise ValidationFailed({"user": "不能重置自己的密码，请在“修改密码”页面修改"})
    temporary = temporary_password()
    set_password(user, temporary, must_change=True)
    user.is_demo = False
    user.failed_logins, user.locked_until = 0, None
    revoked = end_all_sessions(user, reason="password_reset")
    trail.record("password_reset", actor, role=None if actor else "cli", detail={
        "user": user.username, "user_id": user.id, "tokens_revoked": revoked})
    return temporary
