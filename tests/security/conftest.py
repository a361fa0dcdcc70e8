"""Fixtures of the security tests: the demo data and API tokens, shared with the API tests."""

from tests.api.conftest import token_for  # noqa: F401
from tests.exchange.conftest import demo  # noqa: F401
