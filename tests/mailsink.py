"""A local SMTP server for the mail tests: aiosmtpd on a free port, collecting what it gets.

Both the job tests and the notification tests send real mail through Flask-Mail; the conftests
of those folders import the ``smtp_sink`` fixture from here.
"""

from __future__ import annotations

import pytest

from tests.serving.servers import free_port


class Sink:
    """The aiosmtpd handler: keeps every envelope received, in order, in ``messages``."""

    def __init__(self) -> None:
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd hook name
        """Accept the message and keep its envelope."""
        self.messages.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp_sink(app, monkeypatch):
    """A local SMTP server (aiosmtpd) collecting messages; MAIL_SERVER points at it."""
    from aiosmtpd.controller import Controller

    port = free_port()
    handler = Sink()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", port)
    try:
        yield handler
    finally:
        controller.stop()
