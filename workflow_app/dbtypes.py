"""Column types shared by the models: enums guarded by CHECK constraints, money and scores."""

from __future__ import annotations

import enum
from datetime import UTC, datetime

from sqlalchemy import DateTime, Numeric
from sqlalchemy import Enum as SAEnum
from sqlalchemy.types import TypeDecorator

Money = Numeric(14, 4)  # 万元 with up to four decimals (seed 001 has 307.991)
Score = Numeric(7, 2)  # weights and scores, exact


def enum_column(enum_cls: type[enum.Enum], name: str) -> SAEnum:
    """A VARCHAR column holding the enum's *values*, with a named CHECK constraint.

    Non-native enums behave the same on SQLite and PostgreSQL and are easy to migrate.
    """
    return SAEnum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=max(len(m.value) for m in enum_cls) + 4,
        values_callable=lambda cls: [m.value for m in cls],
        validate_strings=True,
    )


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A timestamp stored in UTC and always read back timezone-aware (SQLite drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime; use workflow_app.dbtypes.utcnow()")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value
