"""Users, their global roles, and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, ForeignKey, String
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
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
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
        return labels

    @property
    def primary_role(self) -> str:
        """The role the audit trail records for actions without a more specific one."""
        if self.is_finance_officer:
            return "finance_officer"
        if self.is_admin:
            return "admin"
        if self.is_preparer:
            return "preparer"
        return "member"

    def __repr__(self) -> str:
        return f"<User {self.username}>"


class ApiToken(db.Model):
    """A bearer token for the JSON API; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()

    @staticmethod
    def hash_token(token: str) -> str:
        """The stored form of a token."""
        return hashlib.sha256(token.encode()).hexdigest()

    @classmethod
    def issue(cls, user: User) -> tuple[ApiToken, str]:
        """Create a token row for the user; returns the row and the clear token (shown once)."""
        token = "jx_" + secrets.token_urlsafe(32)
        row = cls(user=user, token_hash=cls.hash_token(token))
        db.session.add(row)
        return row, token
