"""Helpers of the login-security tests."""

from __future__ import annotations

import pytest


@pytest.fixture
def settings(app):
    """settings(KEY=value, ...) changes app.config for one test, restored afterwards."""
    saved: dict = {}

    def _set(**values):
        for key, value in values.items():
            saved.setdefault(key, app.config.get(key))
            app.config[key] = value

    yield _set
    app.config.update(saved)


def post_login(client, username, password):
    """One login attempt through the form."""
    return client.post("/login", data={"username": username, "password": password})
