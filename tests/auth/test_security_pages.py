"""The security administrator's pages: grant roles (never their own), unlock, reset passwords;
nobody else reaches them, and they reach nothing of the other administrators."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.auth.conftest import post_login
from workflow_app.audit.models import AuditEvent
from workflow_app.auth.login import attempt_login


@pytest.fixture
def people(make):
    bureau = make.bureau()
    return {
        "security": make.user(bureau, is_security_admin=True, username="sec"),
        "admin": make.user(bureau, is_admin=True, username="sys"),
        "auditor": make.user(bureau, is_audit_admin=True, username="aud"),
        "officer": make.user(bureau, username="officer"),
        "preparer": make.user(is_preparer=True, username="prep"),
    }


@pytest.mark.parametrize("who", ["admin", "auditor", "preparer"])
def test_only_the_security_administrator(login, db_session, people, who):
    db_session.commit()
    target = people["officer"]
    client = login(people[who])
    assert client.get("/security/").status_code == 403
    assert client.post(f"/security/users/{target.id}", data={"finance_officer": "y"}
                       ).status_code == 403
    assert client.post(f"/security/users/{target.id}/reset").status_code == 403
    assert client.post(f"/security/users/{target.id}/unlock").status_code == 403
    db_session.expire_all()
    assert not target.is_finance_officer


def test_the_security_administrator_reaches_neither_admin_nor_audit(login, db_session, people):
    db_session.commit()
    client = login(people["security"])
    assert client.get("/admin/").status_code == 403
    assert client.get("/audit/").status_code == 403
    assert client.get("/").headers["Location"].endswith("/security/")


def test_grant_roles_on_the_page_audited_with_before_and_after(login, db_session, people):
    db_session.commit()
    client = login(people["security"])
    target = people["officer"]
    assert "officer" in client.get("/security/").get_data(as_text=True)
    page = client.post(f"/security/users/{target.id}",
                       data={"finance_officer": "y", "audit_admin": "y"})
    assert "不能同时担任" in page.get_data(as_text=True)
    assert client.post(f"/security/users/{target.id}", data={"finance_officer": "y"}
                       ).status_code == 302
    db_session.expire_all()
    assert target.is_finance_officer
    own = client.post(f"/security/users/{people['security'].id}", data={"admin": "y"})
    assert "不能修改自己的角色" in own.get_data(as_text=True)
    (event,) = db_session.scalars(select(AuditEvent).where(
        AuditEvent.action == "roles_changed")).all()
    assert event.detail["before"] == [] and event.detail["after"] == ["finance_officer"]


def test_unlock_and_reset(app, login, db_session, people):
    target = people["officer"]
    for _ in range(5):
        attempt_login("officer", "wrong")
    db_session.commit()
    assert target.is_locked()
    client = login(people["security"])
    assert "已锁定" in client.get("/security/?locked=1").get_data(as_text=True)
    assert client.post(f"/security/users/{target.id}/unlock").status_code == 302
    db_session.expire_all()
    assert not target.is_locked()
    reset = client.post(f"/security/users/{target.id}/reset").get_data(as_text=True)
    temporary = reset.split("data-temporary>")[1].split("<")[0]
    assert post_login(app.test_client(), "officer", temporary).headers["Location"] \
        == "/account/password"
    actions = [e.action for e in db_session.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    assert "account_unlocked" in actions and "password_reset" in actions
