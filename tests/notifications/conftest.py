"""Fixtures of the notification tests: the workflow world and a local SMTP sink."""

from __future__ import annotations

import socket

import pytest

from tests.workflow.helpers import World, build_world


@pytest.fixture
def world(make, db_session) -> World:
    """An evaluation in draft with its people (see tests/workflow/helpers.py)."""
    w = build_world(make)
    for user in (w.preparer, w.leader, w.member1, w.member2, w.finance):
        user.email = f"{user.username}@example.gov.cn"
    return w


@pytest.fixture
def smtp_sink(app):
    """A local SMTP server (aiosmtpd) collecting messages; MAIL_SERVER points at it."""
    from aiosmtpd.controller import Controller

    class Sink:
        def __init__(self):
            self.messages = []

        async def handle_DATA(self, server, session, envelope):  # noqa: N802
            self.messages.append(envelope)
            return "250 OK"

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    handler = Sink()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    old = (app.config.get("MAIL_SERVER"), app.config.get("MAIL_PORT"))
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    try:
        yield handler
    finally:
        app.config.update(MAIL_SERVER=old[0], MAIL_PORT=old[1])
        controller.stop()


@pytest.fixture
def no_publication(monkeypatch):
    """Publishing without rendering a PDF."""
    from workflow_app.workflow import steps

    monkeypatch.setattr(steps, "publish_report", lambda firing: None)
