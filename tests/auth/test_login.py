"""Login, logout, CSRF and session cookies, through HTTP."""

from __future__ import annotations

import re

import pytest

from tests.factories import PASSWORD
from workflow_app.audit.models import AuditEvent


def test_login_page_is_chinese_and_served_without_cdn(client, app):
    page = client.get("/login").get_data(as_text=True)
    assert "登录" in page and "用户名" in page and "密码" in page
    for url in re.findall(r'(?:href|src)="([^"]+)"', page):
        assert url.startswith("/"), f"asset not served by the app: {url}"
    assert client.get("/static/css/app.css").status_code == 200


def test_wrong_password_gives_a_clear_message_and_no_session(client, make, db_session):
    user = make.user(username="zhangsan")
    db_session.commit()
    response = client.post("/login", data={"username": "zhangsan", "password": "wrong"})
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302  # still anonymous
    assert user.password_hash != PASSWORD and user.password_hash.startswith(("scrypt", "pbkdf2"))


def test_login_then_logout(client, make, db_session):
    make.user(username="lisi", name="李四")
    db_session.commit()
    response = client.post("/login", data={"username": "lisi", "password": PASSWORD})
    assert response.status_code == 302
    home = client.get("/").get_data(as_text=True)
    assert "李四" in home and "工作台" in home
    cookie = response.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert client.post("/logout").status_code == 302
    assert client.get("/").status_code == 302
    actions = [e.action for e in db_session.query(AuditEvent).order_by(AuditEvent.id)]
    assert actions == ["login", "logout"]


def test_inactive_user_cannot_log_in(client, make, db_session):
    make.user(username="gone", active=False)
    db_session.commit()
    page = client.post("/login", data={"username": "gone", "password": PASSWORD})
    assert "已停用" in page.get_data(as_text=True)


def test_next_parameter_only_follows_local_paths(client, make, db_session):
    make.user(username="wangwu")
    db_session.commit()
    response = client.post(
        "/login?next=https://evil.example/x", data={"username": "wangwu", "password": PASSWORD}
    )
    assert response.headers["Location"] == "/"


@pytest.fixture
def csrf_client(app):
    app.config["WTF_CSRF_ENABLED"] = True
    yield app.test_client()
    app.config["WTF_CSRF_ENABLED"] = False


def test_forms_without_csrf_token_are_rejected(csrf_client, make, db_session):
    make.user(username="zhaoliu")
    db_session.commit()
    response = csrf_client.post("/login", data={"username": "zhaoliu", "password": PASSWORD})
    assert response.status_code == 400
    assert "CSRF" in response.get_data(as_text=True)
    # With the token from the form it works.
    page = csrf_client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    ok = csrf_client.post(
        "/login", data={"username": "zhaoliu", "password": PASSWORD, "csrf_token": token}
    )
    assert ok.status_code == 302


def test_pages_require_login(client):
    response = client.get("/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_two_logged_in_clients_in_one_test_stay_apart(ctx, make, db_session, login):
    unit = make.unit()
    first, second = make.user(unit, name="甲"), make.user(unit, name="乙")
    db_session.commit()
    assert "甲" in login(first).get("/").get_data(as_text=True)
    assert "乙" in login(second).get("/").get_data(as_text=True)
