"""Trying a migration on a database of its own, filled as it was before the migration.

A migration test takes a new, empty database of the suite's kind (``scratch_database``),
binds an app to it (``app_on``), upgrades to the revision before the one under test
(``revision_before``), writes rows as the old schema had them, upgrades and checks the rows.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from pathlib import Path

from flask import Flask

from tests.conftest import RUN_ID, TEST_DB, _drop_postgres_database, postgres_database


@contextlib.contextmanager
def scratch_database(tmp_path: Path, worker_id: str, slug: str) -> Iterator[str]:
    """The URL of a new, empty database of the suite's kind (``TEST_DB``), named after
    ``slug`` and the xdist worker; a PostgreSQL one is dropped afterwards."""
    if TEST_DB.startswith("postgres"):
        url = postgres_database(f"jixiao_{slug}_{worker_id}_{RUN_ID}")
        try:
            yield url
        finally:
            _drop_postgres_database(url)
        return
    yield "sqlite:///" + str(tmp_path / f"{slug}-{uuid.uuid4().hex}.sqlite3")


def app_on(url: str) -> Flask:
    """A testing app of its own bound to ``url`` (the session's app is left alone)."""
    from workflow_app import create_app

    return create_app("testing", {"SQLALCHEMY_DATABASE_URI": url})


def revision_before(app: Flask, revision: str) -> str:
    """The revision ``revision`` follows (its ``down_revision``); call in ``app``'s context."""
    from alembic.script import ScriptDirectory

    config = app.extensions["migrate"].migrate.get_config()
    return ScriptDirectory.from_config(config).get_revision(revision).down_revision
