"""The delegate of a signature (转交) and a signer added by 加签 are never the preparer nor the
leader: the author does not sign the review of their own report, the leader approves alone.
The rule is a guard of the state machine's ``sign`` rows; the operations and pickers use it."""

from __future__ import annotations

import pytest

from tests.workflow.helpers import S
from workflow_app.extensions import db
from workflow_app.workflow import revisions as rv
from workflow_app.workflow.errors import WorkflowError
from workflow_app.workflow.models import SignatureDelegation
from workflow_app.workflow.operations import add_signer, delegate_signature, fire
from workflow_app.workflow.panel import build_panel


def test_delegating_to_the_preparer_or_the_leader_is_refused(world):
    e = world.go(S.TEAM_REVIEW)
    with pytest.raises(WorkflowError, match="填报人"):
        delegate_signature(e, world.member1, world.preparer.id)
    with pytest.raises(WorkflowError, match="组长"):
        delegate_signature(e, world.member1, world.leader.id)
    assert rv.delegations_of(rv.current_revision(e)) == []


def test_adding_the_preparer_as_a_signer_is_refused(world):
    e = world.go(S.TEAM_REVIEW)
    with pytest.raises(WorkflowError, match="填报人"):
        add_signer(e, world.leader, world.preparer.id)
    assert e.member_for(world.preparer) is None


def test_the_machine_refuses_a_preparer_signing_for_a_member(world):
    """Even with a delegation row written past the operation, ``sign`` refuses."""
    e = world.go(S.TEAM_REVIEW)
    revision = rv.current_revision(e)
    db.session.add(SignatureDelegation(revision_id=revision.id, member_id=world.member1.id,
                                       delegate_id=world.preparer.id))
    db.session.flush()
    with pytest.raises(WorkflowError, match="填报人"):
        fire(e, "sign", world.preparer, on_behalf_of=world.member1)
    assert rv.signatures_of(revision) == []
    assert "sign" not in build_panel(e, world.preparer).triggers


def test_pickers_omit_the_preparer_and_the_leader(world):
    e = world.go(S.TEAM_REVIEW)
    member_panel = build_panel(e, world.member1)
    assert world.colleague in member_panel.unit_users
    assert world.preparer not in member_panel.unit_users
    assert world.leader not in member_panel.unit_users
    leader_panel = build_panel(e, world.leader)
    assert world.colleague in leader_panel.addable
    assert world.preparer not in leader_panel.addable
