"""Fixtures of the list, inbox and overview tests: query counting and bulk rows."""

from __future__ import annotations

import pytest

from tests.lists.helpers import QueryCounter
from tests.workflow.helpers import World, build_world


@pytest.fixture
def count_queries(ctx):
    """``with count_queries() as counter: ...`` then ``counter.count`` (statements sent to the
    database, one per cursor execution)."""
    from workflow_app.extensions import db

    def _counter() -> QueryCounter:
        return QueryCounter(db.engine)

    return _counter


@pytest.fixture
def world(make, db_session) -> World:
    """An evaluation in draft with its preparer, a three-person team and finance officers."""
    return build_world(make)


@pytest.fixture
def no_publication(monkeypatch):
    """Publishing without rendering a PDF (the public area's artifact is tested there)."""
    from workflow_app.workflow import steps

    monkeypatch.setattr(steps, "publish_report", lambda firing: None)
