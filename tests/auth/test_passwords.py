"""Passwords: the policy, one's own change (ending every other session and token), the forced
change at first login and after a reset, demo accounts marked as such.

The attack of issue 9: remember-me and sessions survived a password change.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.auth.conftest import post_login
from tests.factories import PASSWORD
from workflow_app.audit.models import AuditEvent
from workflow_app.auth.passwords import change_password, policy_problems, reset_password
from workflow_app.auth.tokens import issue_token
from workflow_app.evaluations.operations import ValidationFailed


@pytest.mark.parametrize("password, problem", [
    ("Ab1!", "至少 8 位"),
    ("abcdefgh12", "至少三类"),
    ("ABCDEFGH!!", "至少三类"),
    ("Zhangsan-2026", "用户名"),
])
def test_the_policy_refuses_weak_passwords(password, problem):
    assert any(problem in p for p in policy_problems(password, "zhangsan"))


@pytest.mark.parametrize("password", ["Qingshui-2026", "qingshui2026!", "QINGSHUI2026a"])
def test_the_policy_accepts_three_classes(password):
    assert policy_problems(password, "zhangsan") == []


def test_none_of_the_last_five_passwords_again(ctx, make, db_session):
    user = make.user()
    history = [f"Password-{i}x" for i in range(6)]
    current = PASSWORD
    for new in history:
        change_password(user, new, current=current)
        current = new
    with pytest.raises(ValidationFailed, match="不能与当前密码相同"):
        change_password(user, current, current=current)
    for old in history[1:5]:  # with the current one, the last five
        with pytest.raises(ValidationFailed, match="最近 5 次"):
            change_password(user, old, current=current)
    change_password(user, history[0], current=current)  # the sixth-last is allowed again
    assert user.check_password(history[0]) and not user.must_change_password


def test_changing_the_password_ends_every_other_session_and_token(app, make, db_session):
    user = make.user(username="changer")
    _row, token = issue_token(user, user)
    db_session.commit()
    here, elsewhere = app.test_client(), app.test_client()
    post_login(here, "changer", PASSWORD)
    post_login(elsewhere, "changer", PASSWORD)
    wrong = here.post("/account/password", data={"current": "nope", "new": "Brand-new-2026",
                                                 "confirm": "Brand-new-2026"})
    assert "当前密码不正确" in wrong.get_data(as_text=True)
    weak = here.post("/account/password", data={"current": PASSWORD, "new": "weakweak",
                                                "confirm": "weakweak"})
    assert "至少三类" in weak.get_data(as_text=True)
    done = here.post("/account/password", data={"current": PASSWORD, "new": "Brand-new-2026",
                                                "confirm": "Brand-new-2026"})
    assert done.status_code == 302
    assert here.get("/").status_code == 200  # this browser stays in
    assert elsewhere.get("/").status_code == 302  # every other session ended
    assert app.test_client().get("/api/v1/me", headers={
        "Authorization": f"Bearer {token}"}).status_code == 401
    fresh = app.test_client()
    assert post_login(fresh, "changer", PASSWORD).status_code == 200  # the old one is gone
    assert post_login(fresh, "changer", "Brand-new-2026").status_code == 302
    actions = [e.action for e in db_session.scalars(select(AuditEvent))]
    assert "password_changed" in actions


def test_a_reset_password_must_be_changed_at_the_next_login(app, make, db_session):
    bureau = make.bureau()
    security = make.user(bureau, is_security_admin=True)
    user = make.user(username="forgetful")
    db_session.commit()
    before = app.test_client()
    post_login(before, "forgetful", PASSWORD)
    temporary = reset_password(security, user)
    db_session.commit()
    assert before.get("/").status_code == 302  # the reset ended the old session
    client = app.test_client()
    assert post_login(client, "forgetful", temporary).headers["Location"] == "/account/password"
    response = client.get("/")
    assert response.status_code == 302 and "/account/password" in response.headers["Location"]
    api = client.get("/api/v1/me")
    assert api.status_code == 403 and api.get_json()["error"]["code"] == "password_change_required"
    assert client.post("/account/password", data={
        "current": temporary, "new": "Mine-at-last-1", "confirm": "Mine-at-last-1"}
    ).status_code == 302
    assert client.get("/").status_code == 200
    event = db_session.scalars(select(AuditEvent).where(
        AuditEvent.action == "password_reset")).one()
    assert event.actor_id == security.id and event.detail["user"] == "forgetful"
    with pytest.raises(ValidationFailed, match="不能重置自己的密码"):
        reset_password(security, security)


def test_new_accounts_change_the_initial_password_at_first_login(app, make, db_session):
    bureau = make.bureau()
    admin = make.user(bureau, is_admin=True)
    unit = make.unit(bureau=bureau)
    db_session.commit()
    client = app.test_client()
    with client.session_transaction() as session:
        from workflow_app.auth.sessions import session_values

        session["_user_id"] = str(admin.id)
        session.update(session_values(admin))
    assert client.post("/admin/users/new", data={
        "username": "newbie", "name": "新人", "unit_id": str(unit.id),
        "password": "Initial-pass-1", "active": "y"}).status_code == 302
    newbie = app.test_client()
    response = post_login(newbie, "newbie", "Initial-pass-1")
    assert response.headers["Location"] == "/account/password"
    assert newbie.get("/").status_code == 302


def test_demo_accounts_are_marked_and_keep_their_demo_password(app, ctx, db_session):
    from workflow_app.demo import DEMO_PASSWORD, load_demo

    load_demo()
    db_session.commit()
    client = app.test_client()
    assert post_login(client, "preparer", DEMO_PASSWORD).status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert "演示账号" in page and "田伟鑫" in page
    assert "/account/password" not in client.get("/").headers.get("Location", "")
