"""Fixtures of the portal's tests (the shared ones are in tests/conftest.py)."""

from __future__ import annotations

import pytest

from tests.public.helpers import install_fast_render


@pytest.fixture
def fast_render(monkeypatch):
    """The renderer replaced by a tiny deterministic stand-in; yields the records it got."""
    return install_fast_render(monkeypatch)
