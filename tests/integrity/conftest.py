"""Fixtures for the integrity tests: the demo database, and tampering behind the application.

``tamper(sql, *tables)`` runs SQL on an owner connection of its own, committed, with the user
triggers of ``tables`` switched off meanwhile (PostgreSQL: ``ALTER TABLE … DISABLE TRIGGER
USER``; SQLite: the triggers are dropped and re-created exactly as they were) — what someone
holding the database's owner account can do, and the application itself cannot.
"""

from __future__ import annotations

import contextlib

import pytest
from sqlalchemy import create_engine, text

from workflow_app.extensions import db


@pytest.fixture
def demo(ctx):
    """The demo data, committed; the evaluations by state."""
    from sqlalchemy import select

    from workflow_app.demo import load_demo
    from workflow_app.evaluations.models import Evaluation

    load_demo()
    db.session.commit()
    return {e.state.value: e for e in db.session.scalars(select(Evaluation))}


@pytest.fixture
def owner_engine(app, database_url):
    """An engine on the test database as its owner (not the application's connection)."""
    from workflow_app import _normalise_url

    engine = create_engine(_normalise_url(database_url))
    yield engine
    engine.dispose()


@pytest.fixture
def tamper(owner_engine):
    """tamper(sql, *tables, **params): run ``sql`` with the triggers of ``tables`` off."""

    def _tamper(sql: str, *tables: str, **params) -> None:
        saved: list[str] = []
        try:
            with owner_engine.begin() as conn:
                postgres = conn.dialect.name == "postgresql"
                for table in tables:
                    if postgres:  # transactional: a failed statement rolls this back too
                        conn.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))
                        continue
                    rows = conn.execute(text(
                        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                        "AND tbl_name = :t"), {"t": table}).all()
                    for name, body in rows:
                        conn.execute(text(f'DROP TRIGGER "{name}"'))
                        saved.append((name, body))
                conn.execute(text(sql), params)
                for table in tables if postgres else ():
                    conn.execute(text(f"ALTER TABLE {table} ENABLE TRIGGER USER"))
        finally:
            if saved:  # SQLite: put back whatever is missing, whatever happened
                with owner_engine.begin() as conn:
                    present = {r[0] for r in conn.execute(text(
                        "SELECT name FROM sqlite_master WHERE type = 'trigger'"))}
                    for name, body in saved:
                        if name not in present:
                            conn.execute(text(body))
            db.session.expire_all()

    return _tamper


@pytest.fixture
def verify_cli(app):
    """verify_cli() → (exit code, output with stderr) of `flask integrity verify`."""

    def _run():
        result = app.test_cli_runner().invoke(args=["integrity", "verify"])
        output = result.output
        with contextlib.suppress(ValueError, AttributeError):
            output += result.stderr
        return result.exit_code, output

    return _run
