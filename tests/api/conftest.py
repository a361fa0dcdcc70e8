"""Fixtures of the API tests: the demo data, bearer-token and session clients."""

from __future__ import annotations

from typing import Any

import pytest

from tests.exchange.conftest import demo  # noqa: F401  (the same demo fixture)
from workflow_app.auth.models import ApiToken
from workflow_app.extensions import db


class ApiClient:
    """A test client that sends the same headers (e.g. a bearer token) with every request."""

    def __init__(self, client, headers: dict[str, str]):  # noqa: ANN001
        self.client = client
        self.headers = headers

    def _call(self, method: str, url: str, **kwargs: Any):
        headers = {**self.headers, **kwargs.pop("headers", {})}
        return getattr(self.client, method)(url, headers=headers, **kwargs)

    def get(self, url: str, **kwargs: Any):
        return self._call("get", url, **kwargs)

    def post(self, url: str, **kwargs: Any):
        return self._call("post", url, **kwargs)

    def put(self, url: str, **kwargs: Any):
        return self._call("put", url, **kwargs)


@pytest.fixture
def token_for(ctx):
    """token_for(user) -> a fresh clear bearer token of that user (committed)."""

    def _issue(user) -> str:  # noqa: ANN001
        _row, token = ApiToken.issue(user)
        db.session.commit()
        return token

    return _issue


@pytest.fixture
def api(app, token_for):
    """api(user) -> a client authenticated by a bearer token of that user."""

    def _client(user) -> ApiClient:  # noqa: ANN001
        return ApiClient(app.test_client(), {"Authorization": f"Bearer {token_for(user)}"})

    return _client
