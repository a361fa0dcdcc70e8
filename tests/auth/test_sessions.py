"""Sessions end: at logout (every session of the user, a copied cookie included), after 30 idle
minutes, after the absolute lifetime; there is no remember-me cookie.

The attack of issue 9: a session cookie copied before logout still worked afterwards.
"""

from __future__ import annotations

import time
from email.utils import parsedate_to_datetime

from config.settings import ProductionConfig
from tests.auth.conftest import post_login
from tests.factories import PASSWORD
from workflow_app.auth.sessions import LOGIN_AT_KEY, SEEN_AT_KEY


def _copy_session(app, source):
    cookie = source.get_cookie("session", domain="localhost.test")
    thief = app.test_client()
    thief.set_cookie("session", cookie.value, domain="localhost.test")
    return thief


def test_a_cookie_copied_before_logout_is_refused_after_it(app, make, db_session):
    make.user(username="copied", name="复制者")
    db_session.commit()
    browser = app.test_client()
    assert post_login(browser, "copied", PASSWORD).status_code == 302
    second_device = app.test_client()
    assert post_login(second_device, "copied", PASSWORD).status_code == 302
    thief = _copy_session(app, browser)
    assert "复制者" in thief.get("/").get_data(as_text=True)  # the copy works before logout
    assert browser.post("/logout").status_code == 302
    surviving = [c for c in (browser, thief, second_device) if c.get("/").status_code == 200]
    assert surviving == []
    response = thief.get("/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert thief.get("/api/v1/me").status_code == 401


def test_idle_sessions_end_after_thirty_minutes(login, make, db_session):
    user = make.user()
    db_session.commit()
    client = login(user)
    with client.session_transaction() as session:
        session[SEEN_AT_KEY] = int(time.time()) - 29 * 60
    assert client.get("/").status_code == 200  # 29 minutes idle: still in
    with client.session_transaction() as session:
        session[SEEN_AT_KEY] = int(time.time()) - 31 * 60
    response = client.get("/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert "会话已超时" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert client.get("/").status_code == 302  # the session is gone, not just paused


def test_sessions_end_after_the_absolute_lifetime_even_when_busy(login, make, db_session,
                                                                 settings):
    settings(SESSION_ABSOLUTE_HOURS=12)
    user = make.user()
    db_session.commit()
    client = login(user)
    with client.session_transaction() as session:
        session[LOGIN_AT_KEY] = int(time.time()) - 12 * 3600 - 60
    assert client.get("/").status_code == 302


def test_a_session_without_an_epoch_is_refused(app, make, db_session):
    """A cookie forged the old way (only Flask-Login's user id) does not log anyone in."""
    user = make.user()
    db_session.commit()
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = str(user.id)
        session["_fresh"] = True
    assert client.get("/").status_code == 302


def test_no_remember_me_cookie_and_secure_cookies_in_production(client, make, db_session):
    make.user(username="remember")
    db_session.commit()
    response = client.post("/login", data={"username": "remember", "password": PASSWORD,
                                           "remember": "y"})
    assert response.status_code == 302
    assert client.get_cookie("remember_token", domain="localhost.test") is None
    assert client.get_cookie("session", domain="localhost.test") is not None
    assert "remember" not in client.get("/login").get_data(as_text=True).lower()
    session_cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in session_cookie and "SameSite=Lax" in session_cookie
    assert ProductionConfig.SESSION_COOKIE_SECURE and ProductionConfig.REMEMBER_COOKIE_SECURE
    assert ProductionConfig.REMEMBER_COOKIE_DURATION <= 7 * 24 * 3600


def test_login_starts_a_fresh_session(app, make, db_session):
    """Values planted in the session before login (fixation) do not survive it."""
    make.user(username="fresh")
    db_session.commit()
    client = app.test_client()
    with client.session_transaction() as session:
        session["planted"] = "attacker"
    post_login(client, "fresh", PASSWORD)
    with client.session_transaction() as session:
        assert "planted" not in session


def _sets_session_cookie(response) -> bool:
    return any(h.startswith("session=") for h in response.headers.getlist("Set-Cookie"))


def test_the_session_cookie_is_sent_again_only_when_the_session_changed(app, make,
                                                                        db_session):
    """A static file's answer never carries the cookie (a response still in flight after
    logout must not bring the session back); the last-seen time still slides the idle
    window, and the cookie lives no longer than the absolute lifetime."""
    make.user(username="steady", name="常驻者")
    db_session.commit()
    client = app.test_client()
    assert post_login(client, "steady", PASSWORD).status_code == 302
    static = client.get("/static/css/app.css")
    assert static.status_code == 200 and not _sets_session_cookie(static)
    client.get("/")  # the first page after login takes the flash and makes the CSRF token
    assert not _sets_session_cookie(client.get("/"))  # seen a moment ago: nothing to rewrite
    with client.session_transaction() as session:
        session[SEEN_AT_KEY] = int(time.time()) - 20 * 60
    busy = client.get("/")
    assert busy.status_code == 200 and _sets_session_cookie(busy)
    cookie = next(h for h in busy.headers.getlist("Set-Cookie") if h.startswith("session="))
    expires = parsedate_to_datetime(cookie.split("Expires=")[1].split(";")[0]).timestamp()
    assert 11.9 * 3600 < expires - time.time() <= 12 * 3600  # the absolute lifetime, not 31 days
    with client.session_transaction() as session:
        assert session.permanent
    with client.session_transaction() as session:
        assert int(time.time()) - session[SEEN_AT_KEY] < 5  # the idle window moved on
