"""Tampering behind the application's back, as the owner of the tables would."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from sqlalchemy import text

from workflow_app.extensions import db

MIGRATION = next((Path(__file__).resolve().parents[2] / "migrations" / "versions")
                 .glob("*_workflow_guards.py"))
TRIGGER = "trg_audit_events_append_only"


def _migration():
    spec = importlib.util.spec_from_file_location("workflow_guards", MIGRATION)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def tamper(ctx, owner_engine):
    """tamper(sql, **params) or tamper([(sql, params), ...]): run raw SQL with the append-only
    trigger off (PostgreSQL: ``ALTER TABLE … DISABLE TRIGGER``; SQLite: ``DROP TRIGGER``),
    committed, the trigger back on afterwards — as the tables' owner: the application's role
    may not switch a trigger off (docs/deployment.md, "Database roles")."""
    dialect = db.engine.dialect.name

    def _tamper(sql, **params) -> None:
        statements = sql if isinstance(sql, list) else [(sql, params)]
        with owner_engine.begin() as conn:
            if dialect == "postgresql":
                conn.execute(text(f"ALTER TABLE audit_events DISABLE TRIGGER {TRIGGER}"))
            else:
                conn.execute(text(f"DROP TRIGGER IF EXISTS {TRIGGER}"))
            for statement, values in statements:
                conn.execute(text(statement), values)
            if dialect == "postgresql":
                conn.execute(text(f"ALTER TABLE audit_events ENABLE TRIGGER {TRIGGER}"))
            else:
                conn.execute(text(_migration().SQLITE_TRIGGERS[TRIGGER]))

    return _tamper
