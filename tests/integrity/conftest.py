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

from tests.tallies import Tally
from workflow_app.extensions import db


def _line(name: str, c, database: str) -> str:  # noqa: ANN001
    return (f"tamper[{name}] on {database}: {c['tried']} tried, {c['refused']} refused by the "
            f"database, {c['detected']} accepted and detected, {c['undetected']} undetected")


#: {"application" | "owner": Counter(tried=…, refused=…, detected=…)} of this process.
TAMPER_TALLY = Tally("tampering figures", "TAMPER_TALLY_FILE", _line)


def record_tamper(connection: str, *, refused: bool, detected: bool) -> None:
    """Count one tampering case tried on ``connection`` and how it ended."""
    counts = TAMPER_TALLY[connection]
    counts["tried"] += 1
    counts["refused"] += refused
    counts["detected"] += detected
    counts["undetected"] += not (refused or detected)


def pytest_sessionfinish(session):  # noqa: ANN001
    """TAMPER_TALLY_FILE (optional) gets this process's figures appended."""
    TAMPER_TALLY.append_to_file()


def pytest_terminal_summary(terminalreporter):  # noqa: ANN001
    """Print the figures (without xdist; workers' are in TAMPER_TALLY_FILE)."""
    TAMPER_TALLY.print_summary(terminalreporter)


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
    """tamper(sql, *tables, **params): run ``sql`` with the triggers of ``tables`` off.
    ``sql`` may also be a list of ``(sql, params)``, run in order in one transaction."""

    def _tamper(sql, *tables: str, **params) -> None:
        statements = sql if isinstance(sql, list) else [(sql, params)]
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
                for statement, values in statements:
                    conn.execute(text(statement), values)
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
