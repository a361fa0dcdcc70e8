"""Schemathesis against the API's own OpenAPI document (issue 9 item 9).

Every operation of /api/v1/openapi.json is called with generated requests, bounded and
derandomized (the same examples every run), authenticated by real bearer tokens of the demo's
preparer and finance officer. No answer may be a 5xx, answers must use a documented status and
match their documented schema, and afterwards the audit chain still verifies.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.fuzz.conftest import tally
from workflow_app.api.openapi import openapi_document
from workflow_app.extensions import db

BASE_URL = "http://localhost.test/api/v1"
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]
# FUZZ_EXAMPLES / FUZZ_RANDOM=1: a longer or randomized run by hand (make test: 30, fixed)
FUZZ_SETTINGS = settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", "30")),
                         derandomize=not os.environ.get("FUZZ_RANDOM"), database=None,
                         deadline=None, suppress_health_check=list(HealthCheck),
                         print_blob=False)


@pytest.fixture
def api_schema(app):
    """The app's OpenAPI document as a schemathesis schema sent to the app in process.

    Phases: the schema's examples and the bounded fuzzing (30 per operation). The coverage
    phase (every boundary and negative value of every field) sends ~10x as many requests and
    is run by ``-m`` nowhere in ``make test``; the form fuzzer covers hostile values instead.
    """
    schema = schemathesis.openapi.from_dict(openapi_document())
    schema.app = app
    schema.config.phases.coverage.enabled = False
    return schema


@pytest.fixture(autouse=True)
def _api_quota(app):
    """The fuzzer is one client sending thousands of requests: lift the API quota while it
    runs (the limit itself is tested in tests/auth), so requests reach the handlers."""
    before = app.config.get("RATELIMIT_API")
    app.config["RATELIMIT_API"] = "1000000 per minute"
    yield
    app.config["RATELIMIT_API"] = before


@pytest.fixture
def fuzz_tokens(demo, token_for):
    """Bearer tokens of the demo's preparer and of its finance officer."""
    return {"preparer": token_for(demo.users["preparer"]),
            "finance": token_for(demo.users["finance"])}


schema = schemathesis.pytest.from_fixture("api_schema")


def _call(case, token: str) -> None:  # noqa: ANN001
    response = case.call(base_url=BASE_URL, headers={"Authorization": f"Bearer {token}"})
    # The test's app context (the demo fixture's) outlives the request: end the request's
    # transaction as the server would, so one request's state never leaks into the next.
    db.session.rollback()
    tally("openapi", response.status_code)
    case.validate_response(response, checks=CHECKS)


@schema.parametrize()
@FUZZ_SETTINGS
def test_api_as_a_preparer_never_answers_a_server_error(case, fuzz_tokens):
    """No 5xx; documented status codes, content types and bodies (the demo's preparer)."""
    _call(case, fuzz_tokens["preparer"])


# The finance officer cannot create or edit drafts: the document bodies (the slowest to
# generate) are fuzzed as the preparer; finance fuzzes reading, transitions and the import.
@schema.exclude(operation_id=["createEvaluation", "updateEvaluation"]).parametrize()
@FUZZ_SETTINGS
def test_api_as_finance_never_answers_a_server_error(case, fuzz_tokens):
    """The same as the demo's finance officer (every bureau's evaluations, other actions)."""
    _call(case, fuzz_tokens["finance"])
