"""Every role × every trigger × every state: allowed exactly where intended.

``may`` (what the UI shows) and ``fire`` (what happens) agree: where a role may, the trigger
fires; where it may not, ``fire`` raises PermissionDenied (403) when the state allows the
trigger for someone else, and TransitionNotAllowed (409) when no one may in that state.
"""

from __future__ import annotations

import pytest

from tests.workflow.helpers import S
from workflow_app.extensions import db
from workflow_app.workflow.errors import PermissionDenied, TransitionNotAllowed
from workflow_app.workflow.machine import TRIGGERS, available_triggers, may
from workflow_app.workflow.operations import fire

ROLES = ["preparer", "leader", "member", "deputy", "colleague", "outsider", "finance",
         "other_finance"]

ALLOWED = {
    (S.DRAFT, "submit"): {"preparer"},
    (S.TEAM_REVIEW, "withdraw"): {"preparer"},
    (S.TEAM_REVIEW, "sign"): {"member", "deputy"},
    (S.TEAM_REVIEW, "return"): {"leader", "member", "deputy"},
    (S.LEADER_SIGNOFF, "approve"): {"leader"},
    (S.LEADER_SIGNOFF, "return"): {"leader"},
    (S.FINANCE_ACCEPTANCE, "accept"): {"finance"},
    (S.FINANCE_ACCEPTANCE, "return"): {"finance"},
    (S.ACCEPTED, "publish"): {"finance"},
    (S.ACCEPTED, "return"): {"finance"},
}


def _user(world, role):
    return {"preparer": world.preparer, "leader": world.leader, "member": world.member1,
            "deputy": world.member2, "colleague": world.colleague, "outsider": world.outsider,
            "finance": world.finance, "other_finance": world.other_finance}[role]


@pytest.mark.parametrize("state", list(S))
def test_matrix(world, no_publication, state):
    evaluation = world.go(state)
    db.session.commit()
    for role in ROLES:
        user = _user(world, role)
        expected = [t for t in TRIGGERS if role in ALLOWED.get((state, t), set())]
        assert available_triggers(evaluation, user) == expected, (state, role)
        for trigger in TRIGGERS:
            allowed = role in ALLOWED.get((state, trigger), set())
            assert may(evaluation, user, trigger) is allowed, (state, role, trigger)
            savepoint = db.session.begin_nested()
            try:
                if allowed:
                    fire(evaluation, trigger, user, reason="矩阵测试")
                    assert evaluation.state != state or trigger == "sign"
                else:
                    error = PermissionDenied if (state, trigger) in ALLOWED \
                        else TransitionNotAllowed
                    with pytest.raises(error):
                        fire(evaluation, trigger, user, reason="矩阵测试")
            finally:
                savepoint.rollback()
            assert evaluation.state == state
