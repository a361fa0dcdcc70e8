"""登录失败处理: five failures lock an account for fifteen minutes, an address that fails too often
is throttled, every failure and lock is audited, and only a security administrator unlocks.

The attack of issue 9: 50 wrong passwords in a row met no lockout, no delay and no audit row.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tests.auth.conftest import post_login
from tests.factories import PASSWORD
from workflow_app.audit.models import AuditEvent
from workflow_app.auth.login import attempt_login
from workflow_app.auth.models import User
from workflow_app.dbtypes import utcnow


def _actions(db_session, action):
    return db_session.scalars(select(AuditEvent).where(AuditEvent.action == action)
                              .order_by(AuditEvent.id)).all()


def test_fifty_wrong_passwords_lock_the_account_after_five(client, make, db_session, settings):
    settings(LOGIN_ADDRESS_LIMIT="1000 per 15 minutes")  # this test is about the account
    user = make.user(username="victim")
    db_session.commit()
    refused_before_lock = 0
    for attempt in range(1, 51):
        page = post_login(client, "victim", f"guess-{attempt}").get_data(as_text=True)
        if "已被锁定" in page:
            break
        assert "用户名或密码不正确" in page
        refused_before_lock += 1
    assert refused_before_lock == 4 and attempt == 5  # the fifth failure locks
    # Even the right password is refused while locked.
    response = post_login(client, "victim", PASSWORD)
    assert response.status_code == 200 and "已被锁定" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302
    db_session.expire_all()
    locked = db_session.get(User, user.id)
    assert timedelta(minutes=14) < locked.locked_until - utcnow() <= timedelta(minutes=15)
    failures = _actions(db_session, "login_failed")
    assert len(failures) == 6  # five wrong passwords, one attempt while locked
    assert [f.detail["reason"] for f in failures] == ["wrong_password"] * 5 + ["locked"]
    assert all(f.actor_id == user.id and f.detail["address"] for f in failures)
    (lock,) = _actions(db_session, "account_locked")
    assert lock.actor_id == user.id and lock.detail["failures"] == 5


def test_lock_ends_after_its_time_and_success_clears_the_count(ctx, make, db_session):
    user = make.user(username="later")
    for _ in range(5):
        assert not attempt_login("later", "nope").ok
    assert user.is_locked()
    user.locked_until = utcnow() - timedelta(seconds=1)  # fifteen minutes have passed
    db_session.flush()
    assert not attempt_login("later", "nope").ok  # a new count starts
    assert attempt_login("later", PASSWORD).ok
    assert user.failed_logins == 0 and user.locked_until is None


def test_limits_are_configurable(ctx, make, db_session, settings):
    settings(LOGIN_MAX_FAILURES=2, LOGIN_LOCKOUT_MINUTES=60)
    user = make.user(username="short")
    assert not attempt_login("short", "a").locked
    outcome = attempt_login("short", "b")
    assert outcome.locked and "已被锁定" in outcome.message
    assert timedelta(minutes=59) < user.locked_until - utcnow() <= timedelta(minutes=60)


def test_unknown_usernames_are_audited_and_answered_like_real_ones(client, make, db_session):
    make.user(username="real")
    db_session.commit()
    unknown = post_login(client, "nobody-here", "x").get_data(as_text=True)
    real = post_login(client, "real", "x").get_data(as_text=True)
    assert "用户名或密码不正确" in unknown and "用户名或密码不正确" in real
    events = _actions(db_session, "login_failed")
    assert [e.detail["reason"] for e in events] == ["unknown_user", "wrong_password"]
    assert events[0].actor_id is None and events[0].detail["username"] == "nobody-here"


def test_an_address_that_fails_too_often_is_throttled(client, make, db_session, settings):
    """Password spraying: one address tries many accounts, one password each."""
    settings(LOGIN_ADDRESS_LIMIT="10 per 15 minutes")
    make.user(username="sprayed")
    db_session.commit()
    for i in range(10):
        assert post_login(client, f"user{i}", "Spring2026!").status_code == 200
    response = post_login(client, "sprayed", PASSWORD)  # even a right password now waits
    assert response.status_code == 429
    assert "登录失败次数过多" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302
    (event,) = _actions(db_session, "address_throttled")
    assert event.detail["address"] == "127.0.0.1"
    # Another address is not affected.
    other = client.post("/login", data={"username": "sprayed", "password": PASSWORD},
                        environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert other.status_code == 302


def test_login_requests_are_rate_limited(client, make, db_session, settings):
    settings(RATELIMIT_LOGIN="3 per minute")
    for _ in range(3):
        assert client.post("/login", data={}).status_code == 200
    assert client.post("/login", data={}).status_code == 429
    assert client.get("/login").status_code == 200  # reading the form is not limited


def test_a_nul_byte_in_the_username_is_a_failed_login_not_a_500(client, make, db_session):
    make.user(username="nul")
    db_session.commit()
    response = post_login(client, "nu\x00l", PASSWORD)
    assert response.status_code < 500  # refused at the edge (400) or as a failed login
    outcome = attempt_login("nu\x00l", PASSWORD, address="10.0.0.1")
    assert not outcome.ok and outcome.message.startswith("用户名或密码不正确")
    event = _actions(db_session, "login_failed")[-1]
    assert event.detail["reason"] == "unknown_user" and "\x00" not in event.detail["username"]
