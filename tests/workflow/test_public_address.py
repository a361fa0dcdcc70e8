"""Publishing in production refuses a verification address nobody outside can reach: the QR
code of a published report must never point at the server itself (127.0.0.1, localhost)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.workflow.helpers import S
from workflow_app.extensions import db
from workflow_app.public.models import PublishedReport
from workflow_app.public.publication import public_address_problem
from workflow_app.workflow.errors import WorkflowError
from workflow_app.workflow.operations import fire
from workflow_app.workflow.states import EvaluationState


@pytest.mark.parametrize("base", ["", "  ", "http://127.0.0.1:5000", "http://localhost:8000/",
                                  "http://[::1]/", "http://0.0.0.0", "http://app.localhost"])
def test_production_refuses_missing_or_loopback_addresses(base: str) -> None:
    problem = public_address_problem({"ENV_NAME": "production", "PUBLIC_BASE_URL": base})
    assert problem and "暂不能公开" in problem


@pytest.mark.parametrize("base", ["https://jixiao.czj.sjz.gov.cn", "http://10.1.2.3:8080"])
def test_production_accepts_a_public_address(base: str) -> None:
    assert public_address_problem({"ENV_NAME": "production", "PUBLIC_BASE_URL": base}) is None


def test_development_and_tests_may_use_the_local_fallback() -> None:
    assert public_address_problem({"ENV_NAME": "development", "PUBLIC_BASE_URL": ""}) is None
    assert public_address_problem({"ENV_NAME": "testing"}) is None


def test_publish_is_refused_and_nothing_changes(world, app, monkeypatch):
    evaluation = world.go(S.ACCEPTED)
    monkeypatch.setitem(app.config, "ENV_NAME", "production")
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "http://127.0.0.1:5000")
    with pytest.raises(WorkflowError, match="指向服务器本机") as refused:
        fire(evaluation, "publish", world.finance)
    assert refused.value.status == 422
    db.session.rollback()
    assert evaluation.state == EvaluationState.ACCEPTED
    assert db.session.scalar(select(func.count()).select_from(PublishedReport)) == 0
