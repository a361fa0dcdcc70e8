"""三员分立 in the domain: the three administrators are different people, none of them prepares,
signs, approves or accepts, nobody grants roles to themselves, every role change is audited.

The attack of issue 9: one administrator role granted itself 财政局 rights, accepted
evaluations, created other administrators and reset anyone's password, unaudited.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from tests.workflow.helpers import S, build_world
from workflow_app.audit.models import AuditEvent
from workflow_app.auth.roles import set_business_roles, set_roles
from workflow_app.evaluations.operations import ValidationFailed
from workflow_app.workflow.errors import PermissionDenied, WorkflowError
from workflow_app.workflow.machine import may
from workflow_app.workflow.operations import fire


@pytest.mark.parametrize("roles", [
    "is_admin = true, is_finance_officer = true",
    "is_admin = true, is_security_admin = true",
    "is_security_admin = true, is_audit_admin = true",
    "is_audit_admin = true, is_preparer = true",
])
def test_the_database_refuses_two_roles_in_one_person(make, db_session, roles):
    user = make.user(make.bureau())
    with pytest.raises(IntegrityError), db_session.begin_nested():
        db_session.execute(text(f"UPDATE users SET {roles} WHERE id = {user.id}"))


def test_only_a_security_administrator_grants_roles_and_never_to_themselves(make, db_session):
    bureau = make.bureau()
    system = make.user(bureau, is_admin=True)
    security = make.user(bureau, is_security_admin=True)
    target = make.user(bureau)
    with pytest.raises(ValidationFailed, match="只有安全管理员"):
        set_roles(system, system, {"finance_officer": True})  # the attack: self-grant 财政局
    with pytest.raises(ValidationFailed, match="只有安全管理员"):
        set_roles(system, target, {"admin": True})  # nor create other administrators
    with pytest.raises(ValidationFailed, match="不能修改自己的角色"):
        set_business_roles(system, system, {"finance_officer": True})
    with pytest.raises(ValidationFailed, match="不能修改自己的角色"):
        set_roles(security, security, {"security_admin": True, "admin": True})
    with pytest.raises(ValidationFailed, match="三员分立"):
        set_roles(security, target, {"admin": True, "audit_admin": True})
    with pytest.raises(ValidationFailed, match="不能同时担任"):
        set_roles(security, target, {"audit_admin": True, "finance_officer": True})
    assert set_roles(security, target, {"finance_officer": True})
    assert not set_roles(security, target, {"finance_officer": True})  # no change, no event
    (event,) = db_session.scalars(select(AuditEvent).where(
        AuditEvent.action == "roles_changed")).all()
    assert event.actor_id == security.id
    assert event.detail["before"] == [] and event.detail["after"] == ["finance_officer"]
    assert event.detail["user"] == target.username
    assert not system.is_finance_officer


def test_an_administrator_on_a_team_cannot_sign_or_approve(make, db_session):
    world = build_world(make)
    world.go(S.TEAM_REVIEW)
    # A member is made an administrator while the report waits for signatures.
    world.member1.is_preparer = False
    world.member1.is_audit_admin = True
    world.leader.is_admin = True
    db_session.flush()
    assert not may(world.evaluation, world.member1, "sign")
    with pytest.raises(PermissionDenied, match="管理员"):
        fire(world.evaluation, "sign", world.member1)
    with pytest.raises(PermissionDenied, match="管理员"):
        fire(world.evaluation, "return", world.leader, reason="x")


def test_a_team_with_an_administrator_cannot_be_submitted(make, db_session):
    world = build_world(make)
    world.member2.is_security_admin = True
    db_session.flush()
    with pytest.raises(WorkflowError, match="三员分立"):
        fire(world.evaluation, "submit", world.preparer)
    assert world.evaluation.state == S.DRAFT


def test_an_administrator_cannot_prepare_or_accept(make, db_session):
    world = build_world(make)
    world.go(S.FINANCE_ACCEPTANCE)
    admin = make.user(world.finance.unit, is_admin=True)
    assert not may(world.evaluation, admin, "accept")
    with pytest.raises(PermissionDenied):
        fire(world.evaluation, "accept", admin)
    assert world.evaluation.state == S.FINANCE_ACCEPTANCE


def test_the_first_security_administrator_is_granted_on_the_command_line(app, make,
                                                                         db_session):
    user = make.user(make.bureau(), username="first_sec")
    db_session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "grant", "first_sec", "security_admin"])
    assert result.exit_code == 0, result.output
    both = runner.invoke(args=["users", "grant", "first_sec", "security_admin", "admin"])
    assert both.exit_code != 0 and "三员分立" in both.output
    assert runner.invoke(args=["users", "grant", "first_sec", "root"]).exit_code != 0
    db_session.expire_all()
    assert user.is_security_admin and not user.is_admin
    event = db_session.scalars(select(AuditEvent).where(
        AuditEvent.action == "roles_changed")).one()
    assert event.actor_role == "cli" and event.detail["after"] == ["security_admin"]
