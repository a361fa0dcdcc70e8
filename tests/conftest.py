"""Shared fixtures: one app and database per test session (SQLite file or PostgreSQL), emptied
after every test; factories; logged-in clients.

TEST_DB=sqlite (default) uses a SQLite file in a temp folder, so threads really run
concurrently. TEST_DB=postgresql uses TEST_PG_ADMIN_URL to create a private database per
pytest worker. The schema is built by running the migrations (`upgrade head`), so every test
also exercises them.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import text

from tests.factories import Factory

TEST_DB = os.environ.get("TEST_DB", "sqlite")
# PostgreSQL: the application connects as this role, which owns no table (as in production,
# docs/deployment.md); the migrations and the emptying between tests run as the admin (owner).
APP_ROLE = "jixiao_test_app"
APP_ROLE_PASSWORD = "jixiao-test-app"
# Unique per pytest process, so two suites running at once on one server never share a database.
RUN_ID = uuid.uuid4().hex[:8]


def ensure_app_role() -> None:
    """Create the application's test role once per server (LOGIN, not a superuser)."""
    import psycopg

    admin = os.environ.get("TEST_PG_ADMIN_URL") or "postgresql://postgres@127.0.0.1:5432/test"
    with psycopg.connect(admin, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (APP_ROLE,)).fetchone():
            return
        # Another pytest process may create it at the same moment.
        with contextlib.suppress(psycopg.errors.DuplicateObject, psycopg.errors.UniqueViolation):
            conn.execute(f"CREATE ROLE {APP_ROLE} LOGIN PASSWORD '{APP_ROLE_PASSWORD}'")


def app_role_url(owner_url: str) -> str:
    """The same database, reached as the application's role."""
    from sqlalchemy import make_url

    url = make_url(owner_url).set(username=APP_ROLE, password=APP_ROLE_PASSWORD)
    return url.render_as_string(hide_password=False)


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
    urls = {"SQLALCHEMY_DATABASE_URI": database_url}
    if TEST_DB.startswith("postgres"):
        # Migrations as the owner; `upgrade` then grants the app role its rows (env.py).
        ensure_app_role()
        urls = {"SQLALCHEMY_DATABASE_URI": app_role_url(database_url),
                "MIGRATION_DATABASE_URI": database_url}
    application = create_app(
        "testing",
        {
            **urls,
            "WTF_CSRF_ENABLED": False,
            "SERVER_NAME": "localhost.test",
        },
    )
    application.test_client_class = _Client
    with application.app_context():
        upgrade()
    return application


@pytest.fixture(scope="session")
def owner_engine(app, database_url):
    """An engine connected as the tables' owner (PostgreSQL) — for emptying tables and for
    the tests that tamper on purpose. On SQLite there is only one: the app's."""
    from sqlalchemy import create_engine

    from workflow_app.extensions import db

    if not TEST_DB.startswith("postgres"):
        with app.app_context():
            engine = db.engine
        yield engine
        return
    engine = create_engine(database_url.replace("postgresql://", "postgresql+psycopg://"))
    yield engine
    engine.dispose()


@pytest.fixture(autouse=True)
def _clean_database(request):
    """Empty every table after each test that used the database."""
    if "app" not in request.fixturenames:
        yield
        return
    owner = request.getfixturevalue("owner_engine")
    yield
    application = request.getfixturevalue("app")
    from workflow_app.auth.limits import reset_limits
    from workflow_app.extensions import db

    reset_limits(application)
    from workflow_app.memo import forget_all

    forget_all()  # ids and versions restart below: a remembered key could match the next test's
    # The integrity check's last result (a file beside the database) described this database.
    Path(application.instance_path, "integrity-last.json").unlink(missing_ok=True)

    with application.app_context():
        db.session.rollback()
        db.session.remove()
        from workflow_app.audit import checkpoints

        checkpoints.path().unlink(missing_ok=True)  # checkpoints of the rows emptied below
        tables = [t.name for t in reversed(db.metadata.sorted_tables)]
        with owner.begin() as conn:
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
                    "SELECT 1 FROM evaluations WHERE state <> 'draft' UNION ALL "
                    "SELECT 1 FROM published_reports LIMIT 1")).first() else []
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
