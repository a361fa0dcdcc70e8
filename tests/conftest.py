"""Shared fixtures: one app and database per test session (SQLite file or PostgreSQL), emptied
after every test; factories; logged-in clients.

TEST_DB=sqlite (default) uses a SQLite file in a temp folder, so threads really run
concurrently. TEST_DB=postgresql uses TEST_PG_ADMIN_URL to create a private database per
pytest worker. The schema is built by running the migrations (`upgrade head`), so every test
also exercises them.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import text

from tests.factories import Factory

TEST_DB = os.environ.get("TEST_DB", "sqlite")
# Unique per pytest process, so two suites running at once on one server never share a database.
RUN_ID = uuid.uuid4().hex[:8]


def postgres_database(name: str) -> str:
    """Create (or re-create) an empty PostgreSQL database and return its URL."""
    import psycopg

    admin = os.environ.get("TEST_PG_ADMIN_URL") or "postgresql://postgres@127.0.0.1:5432/test"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}" ENCODING \'UTF8\' TEMPLATE template0')
    base = admin.rsplit("/", 1)[0]
    return f"{base}/{name}"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory, worker_id):
    """The URL of this worker's private, empty database."""
    if TEST_DB.startswith("postgres"):
        url = postgres_database(f"jixiao_test_{worker_id}_{RUN_ID}")
        yield url
        _drop_postgres_database(url)
        return
    yield "sqlite:///" + str(tmp_path_factory.mktemp("db") / f"test-{uuid.uuid4().hex}.sqlite3")


def _drop_postgres_database(url: str) -> None:
    import psycopg

    admin = os.environ.get("TEST_PG_ADMIN_URL") or "postgresql://postgres@127.0.0.1:5432/test"
    name = url.rsplit("/", 1)[1]
    # FORCE ends the pooled connections the app still holds.
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class _Client(FlaskClient):
    """A test client that never inherits another client's logged-in user.

    While a test holds an app context, requests reuse it and its `g`, where Flask-Login caches
    the current user; dropping that cache makes each request load its own session's user.
    """

    def open(self, *args, **kwargs):
        from flask import g, has_app_context

        if has_app_context():
            g.pop("_login_user", None)
        return super().open(*args, **kwargs)


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    """The application, with the schema migrated to head."""
    from flask_migrate import upgrade

    from workflow_app import create_app

    os.environ["INSTANCE_PATH"] = str(tmp_path_factory.mktemp("instance"))
    application = create_app(
        "testing",
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "WTF_CSRF_ENABLED": False,
            "SERVER_NAME": "localhost.test",
        },
    )
    application.test_client_class = _Client
    with application.app_context():
        upgrade()
    return application


@pytest.fixture(autouse=True)
def _clean_database(request):
    """Empty every table after each test that used the database."""
    yield
    if "app" not in request.fixturenames:
        return
    application = request.getfixturevalue("app")
    from workflow_app.auth.limits import reset_limits
    from workflow_app.extensions import db

    reset_limits(application)
    # The integrity check's last result (a file beside the database) described this database.
    Path(application.instance_path, "integrity-last.json").unlink(missing_ok=True)

    with application.app_context():
        db.session.rollback()
        db.session.remove()
        from workflow_app.audit import checkpoints

        checkpoints.path().unlink(missing_ok=True)  # checkpoints of the rows emptied below
        tables = [t.name for t in reversed(db.metadata.sorted_tables)]
        with db.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text("TRUNCATE " + ", ".join(tables) + " RESTART IDENTITY CASCADE"))
            else:
                # SQLite has no TRUNCATE: the triggers that freeze submitted content (and refuse
                # deleting it) are dropped inside this transaction and re-created at its end.
                frozen = conn.execute(text(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND "
                    "(name LIKE '%\\_frozen\\_%' ESCAPE '\\' OR name IN "
                    "('trg_evaluations_transition', 'trg_evaluations_revision_number'))"
                )).all() if conn.execute(text(
                    "SELECT 1 FROM evaluations WHERE state <> 'draft' LIMIT 1")).first() else []
                for name, _sql in frozen:
                    conn.execute(text(f"DROP TRIGGER {name}"))
                for name in tables:  # children first, so foreign keys stay on
                    if name == "units":  # RESTRICT is checked row by row in SQLite
                        conn.execute(text("DELETE FROM units WHERE bureau_id IS NOT NULL"))
                    conn.execute(text(f"DELETE FROM {name}"))
                for _name, sql in frozen:
                    conn.execute(text(sql))


@pytest.fixture
def ctx(app):
    """An application context (the domain layer runs inside one)."""
    with app.app_context():
        yield app


@pytest.fixture
def db_session(ctx):
    """The SQLAlchemy session of the app context."""
    from workflow_app.extensions import db

    return db.session


@pytest.fixture
def make(ctx) -> Factory:
    """Factories for units, users and evaluations (see tests/factories.py)."""
    return Factory()


@pytest.fixture
def client(app):
    """A test client (not logged in)."""
    return app.test_client()


@pytest.fixture
def login(app):
    """login(user) -> a test client whose session belongs to that user."""

    def _login(user):
        from workflow_app.auth.sessions import session_values

        c = app.test_client()
        with c.session_transaction() as session:
            session["_user_id"] = str(user.id)
            session["_fresh"] = True
            session.update(session_values(user))
        return c

    return _login


@pytest.fixture
def count_queries(ctx):
    """``with count_queries() as q: ...`` then ``q.count`` (tests/querycount.py)."""
    from tests.querycount import count_queries as counter

    return counter
