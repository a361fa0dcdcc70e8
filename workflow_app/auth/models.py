"""Users, their global roles, and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from workflow_app.dbtypes import UTCDateTime, utcnow
from workflow_app.extensions import db
from workflow_app.units.models import Unit


class User(UserMixin, db.Model):
    """A person who logs in. Belongs to exactly one unit."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("length(username) >= 2", name="username_length"),
        CheckConstraint("length(name) > 0", name="name_not_empty"),
        # 三员分立: at most one of the three administrator roles, and none of them together
        # with a role that prepares or accepts evaluations.
        CheckConstraint(
            "(CASE WHEN is_admin THEN 1 ELSE 0 END) + (CASE WHEN is_security_admin THEN 1 ELSE 0"
            " END) + (CASE WHEN is_audit_admin THEN 1 ELSE 0 END)"
            " + (CASE WHEN is_preparer OR is_finance_officer THEN 1 ELSE 0 END) <= 1",
            name="admin_roles_separate",
        ),
        CheckConstraint("failed_logins >= 0", name="failed_logins_not_negative"),
        CheckConstraint("session_epoch >= 0", name="session_epoch_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"), index=True)
    position: Mapped[str] = mapped_column(String(64), default="")  # 职务
    title: Mapped[str] = mapped_column(String(64), default="")  # 职称
    phone: Mapped[str] = mapped_column(String(32), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    password_hash: Mapped[str] = mapped_column(String(256))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    is_preparer: Mapped[bool] = mapped_column(Boolean, default=False)
    is_finance_officer: Mapped[bool] = mapped_column(Boolean, default=False)
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)  # 系统管理员
    is_security_admin: Mapped[bool] = mapped_column(Boolean, default=False)  # 安全管理员
    is_audit_admin: Mapped[bool] = mapped_column(Boolean, default=False)  # 审计管理员
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)  # a demo account (flask demo)
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Bumped by logout, a password change or reset: sessions carrying an older value are dead.
    session_epoch: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    unit: Mapped[Unit] = relationship(lazy="joined")

    def set_password(self, password: str) -> None:
        """Store a salted hash of the password, never the password."""
        from flask import current_app, has_app_context

        # scrypt in production; the test settings pick a cheap method so suites stay fast.
        method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt") if (
            has_app_context()
        ) else "scrypt"
        self.password_hash = generate_password_hash(password, method=method)

    def check_password(self, password: str) -> bool:
        """True when the password matches the stored hash."""
        return check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    @property
    def role_labels(self) -> list[str]:
        """The user's global roles in Chinese, for display."""
        labels = []
        if self.is_preparer:
            labels.append("填报人")
        if self.is_finance_officer:
            labels.append("财政局审核员")
        if self.is_admin:
            labels.append("系统管理员")
        if self.is_security_admin:
            labels.append("安全管理员")
        if self.is_audit_admin:
            labels.append("审计管理员")
        return labels

    @property
    def is_administrator(self) -> bool:
        """One of the three administrators (三员): they never prepare, sign or accept."""
        return bool(self.is_admin or self.is_security_admin or self.is_audit_admin)

    def is_locked(self, now: datetime | None = None) -> bool:
        """True while a lockout after repeated failed logins lasts."""
        return self.locked_until is not None and self.locked_until > (now or utcnow())

    @property
    def primary_role(self) -> str:
        """The role the audit trail records for actions without a more specific one."""
        if self.is_finance_officer:
            return "finance_officer"
        if self.is_admin:
            return "admin"
        if self.is_security_admin:
            return "security_admin"
        if self.is_audit_admin:
            return "audit_admin"
        if self.is_preparer:
            return "preparer"
        return "member"

    def __repr__(self) -> str:
        return f"<User {self.username}>"


class PasswordHistory(db.Model):
    """The hashes of a user's earlier passwords (a new one may not repeat the last five)."""

    __tablename__ = "password_history"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ApiToken(db.Model):
    """A bearer token for the JSON API; only its SHA-256 is stored.

    A token works until it expires or is revoked (by its owner, a CLI command, or because the
    owner logged out, changed the password or had it reset)."""

    __tablename__ = "api_tokens"
    __table_args__ = (
        CheckConstraint("expires_at > created_at", name="expires_after_created"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_reason: Mapped[str] = mapped_column(String(40), default="")

    user: Mapped[User] = relationship()

    def is_valid(self, now: datetime | None = None) -> bool:
        """Neither expired nor revoked."""
        now = now or utcnow()
        return self.revoked_at is None and self.expires_at > now

    @property
    def status_label(self) -> str:
        """有效 / 已过期 / 已吊销, for the token pages."""
        if self.revoked_at is not None:
            return "已吊销"
        return "有效" if self.is_valid() else "已过期"

    @staticmethod
    def hash_token(token: str) -> str:
        """The stored form of a token."""
        return hashlib.sha256(token.encode()).hexdigest()

    @classmethod
    def issue(cls, user: User, *, days: int = 90, label: str = "") -> tuple[ApiToken, str]:
        """Create a token row for the user valid `days` days; returns the row and the clear
        token (shown once). Callers audit the issue (`auth.tokens.issue_token`)."""
        token = "jx_" + secrets.token_urlsafe(32)
        now = utcnow()
        row = cls(user=user, token_hash=cls.hash_token(token), label=label[:64],
                  created_at=now, expires_at=now + timedelta(days=days))
        db.session.add(row)
        return row, token
