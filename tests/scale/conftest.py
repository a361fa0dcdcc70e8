"""A unit with a full team and an evaluation of any size, for the query-count tests."""

from __future__ import annotations

import hashlib
from decimal import Decimal
from types import SimpleNamespace

import pytest

from tests.public.helpers import install_fast_render
from workflow_app.auth.models import ApiToken
from workflow_app.evaluations.models import Evidence
from workflow_app.extensions import db
from workflow_app.workflow.operations import fire
from workflow_app.workflow.states import EvaluationState, TeamRole

S = EvaluationState


@pytest.fixture
def office(make, monkeypatch):
    """A bureau, a unit, its preparer, a four-person team and a finance officer."""
    install_fast_render(monkeypatch)
    bureau = make.bureau()
    unit = make.unit(bureau=bureau)
    people = SimpleNamespace(
        unit=unit,
        bureau=bureau,
        scheme=make.grade_scheme(),
        preparer=make.user(unit, is_preparer=True),
        leader=make.user(unit, name="组长"),
        deputy=make.user(unit, name="副组长"),
        member1=make.user(unit, name="成员一"),
        member2=make.user(unit, name="成员二"),
        finance=make.user(bureau, is_finance_officer=True),
    )
    people.team = [(people.leader, TeamRole.LEADER), (people.deputy, TeamRole.DEPUTY),
                   (people.member1, TeamRole.MEMBER), (people.member2, TeamRole.MEMBER)]
    db.session.commit()
    # Ids, for tests that clear the session between requests.
    people.unit_id, people.preparer_id, people.scheme_id = unit.id, people.preparer.id, \
        people.scheme.id
    people.ids = {name: SimpleNamespace(id=getattr(people, name).id)
                  for name in ("preparer", "leader", "deputy", "member1", "member2", "finance")}
    return people


@pytest.fixture
def build(make, office):
    """build(leaves, state) -> an evaluation with that many scored leaves (one evidence file
    each), brought to ``state`` through the real workflow operations, committed."""

    def _build(leaves: int, state: EvaluationState = S.TEAM_REVIEW):
        evaluation = make.evaluation(
            office.unit, preparer=office.preparer, team=office.team,
            leaves=[(f"指标{i}", "1", "1") for i in range(leaves)])
        evaluation.total_weight = Decimal(leaves)
        evaluation.grade_scheme = office.scheme
        for indicator in evaluation.indicators:
            if indicator.level == 2:
                data = f"佐证{indicator.position}".encode()
                indicator.evidence.append(Evidence(
                    filename=f"e{indicator.position}.txt", content_type="text/plain",
                    size=len(data), sha256=hashlib.sha256(data).hexdigest(), data=data))
        db.session.flush()
        steps = [("submit", office.preparer), ("sign", office.deputy),
                 ("sign", office.member1), ("sign", office.member2), ("approve", office.leader),
                 ("accept", office.finance), ("publish", office.finance)]
        for trigger, actor in steps:
            if evaluation.state == state:
                break
            fire(evaluation, trigger, actor)
        db.session.commit()
        return evaluation

    return _build


@pytest.fixture
def bearer(ctx):
    """bearer(user) -> request headers with a fresh API token of that user."""

    def _headers(user) -> dict[str, str]:  # noqa: ANN001
        from workflow_app.auth.models import User

        _row, token = ApiToken.issue(db.session.get(User, user.id))
        db.session.commit()
        return {"Authorization": f"Bearer {token}"}

    return _headers
