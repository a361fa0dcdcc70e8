"""Fixtures of the notification tests: the workflow world and a local SMTP sink."""

from __future__ import annotations

import pytest

from tests.mailsink import smtp_sink  # noqa: F401 - the fixture, for the mail tests
from tests.workflow.helpers import World, build_world


@pytest.fixture
def world(make, db_session) -> World:
    """An evaluation in draft with its people (see tests/workflow/helpers.py)."""
    w = build_world(make)
    for user in (w.preparer, w.leader, w.member1, w.member2, w.finance):
        user.email = f"{user.username}@example.gov.cn"
    return w


@pytest.fixture
def no_publication(monkeypatch):
    """Publishing without rendering a PDF."""
    from workflow_app.workflow import steps

    monkeypatch.setattr(steps, "publish_report", lambda firing: None)
