"""API tokens expire, record their last use, and can be revoked (page, CLI, logout).

The attack of issue 9: API tokens never expired and could not be revoked.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tests.auth.conftest import post_login
from tests.factories import PASSWORD
from workflow_app.audit.models import AuditEvent
from workflow_app.auth.models import ApiToken
from workflow_app.auth.tokens import issue_token
from workflow_app.dbtypes import utcnow


def _bearer(token):
    return {"Authorization": f"Bearer {token}"}


def _actions(db_session):
    return [e.action for e in db_session.scalars(select(AuditEvent).order_by(AuditEvent.id))]


def test_an_expired_token_is_refused(client, make, db_session):
    user = make.user()
    row, token = issue_token(user, user, days=1)
    db_session.commit()
    assert client.get("/api/v1/me", headers=_bearer(token)).status_code == 200
    row.created_at = utcnow() - timedelta(days=2)
    row.expires_at = utcnow() - timedelta(seconds=1)
    db_session.commit()
    response = client.get("/api/v1/me", headers=_bearer(token))
    assert response.status_code == 401 and "已过期" in response.get_json()["error"]["message"]
    assert "token_refused" in _actions(db_session)


def test_tokens_have_a_bounded_term(ctx, make, db_session):
    user = make.user()
    row, _token = issue_token(user, user)
    assert timedelta(days=89) < row.expires_at - utcnow() <= timedelta(days=90)
    for days in (0, 366, -5):
        try:
            issue_token(user, user, days=days)
        except ValueError as exc:
            assert "1 至 365 天" in str(exc)
        else:
            raise AssertionError(f"{days} days accepted")


def test_the_user_issues_sees_and_revokes_tokens_on_a_page(login, client, make, db_session):
    user = make.user()
    db_session.commit()
    browser = login(user)
    page = browser.post("/account/tokens", data={"label": "数据对接", "days": "30"})
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "只显示这一次" in text
    row = db_session.scalars(select(ApiToken)).one()
    token = text.split("<code data-token>")[1].split("</code>")[0]
    assert row.token_hash == ApiToken.hash_token(token) and row.label == "数据对接"
    assert client.get("/api/v1/me", headers=_bearer(token)).status_code == 200
    db_session.expire_all()
    assert db_session.get(ApiToken, row.id).last_used_at is not None
    listing = browser.get("/account/tokens").get_data(as_text=True)
    assert "数据对接" in listing and "有效" in listing
    assert browser.post(f"/account/tokens/{row.id}/revoke").status_code == 302
    response = client.get("/api/v1/me", headers=_bearer(token))
    assert response.status_code == 401 and "已吊销" in response.get_json()["error"]["message"]
    assert _actions(db_session) == ["token_issued", "token_used", "token_revoked",
                                    "token_refused"]


def test_nobody_revokes_another_users_token(login, make, db_session):
    owner, other = make.user(), make.user()
    row, _ = issue_token(owner, owner)
    db_session.commit()
    assert login(other).post(f"/account/tokens/{row.id}/revoke").status_code == 404
    db_session.expire_all()
    assert db_session.get(ApiToken, row.id).revoked_at is None


def test_logout_revokes_the_users_tokens(app, client, make, db_session):
    user = make.user(username="leaving")
    _row, token = issue_token(user, user)
    db_session.commit()
    browser = app.test_client()
    post_login(browser, "leaving", PASSWORD)
    browser.post("/logout")
    assert client.get("/api/v1/me", headers=_bearer(token)).status_code == 401


def test_cli_issues_lists_and_revokes(app, make, db_session):
    user = make.user(username="cli_user")
    db_session.commit()
    runner = app.test_cli_runner()
    issued = runner.invoke(args=["users", "token", "cli_user", "--days", "7", "--label", "脚本"])
    assert issued.exit_code == 0, issued.output
    token = issued.output.strip()
    row = db_session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)).one()
    assert row.token_hash == ApiToken.hash_token(token)
    listed = runner.invoke(args=["users", "tokens", "cli_user"])
    assert f"{row.id}\t有效" in listed.output and "脚本" in listed.output
    revoked = runner.invoke(args=["users", "revoke-token", str(row.id)])
    assert revoked.exit_code == 0 and "已吊销" in revoked.output
    again = runner.invoke(args=["users", "revoke-token", str(row.id)])
    assert again.exit_code != 0 and "早已吊销" in again.output
    assert runner.invoke(args=["users", "token", "cli_user", "--days", "400"]).exit_code != 0
    events = db_session.scalars(select(AuditEvent).where(AuditEvent.action != "cli")
                                .order_by(AuditEvent.id)).all()
    assert [(e.action, e.actor_role) for e in events] == [("token_issued", "cli"),
                                                          ("token_revoked", "cli")]
