"""Rate limits (Flask-Limiter; memory storage in these tests, Redis in test_redis_limits) on the
API, the public verification page and uploads; a clear Chinese 429, never a 500."""

from __future__ import annotations

from workflow_app.auth.tokens import issue_token


def test_the_api_is_rate_limited_per_token(client, make, db_session, settings):
    settings(RATELIMIT_API="3 per minute")
    user, other = make.user(), make.user()
    _row, token = issue_token(user, user)
    _row, other_token = issue_token(other, other)
    db_session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    for _ in range(3):
        assert client.get("/api/v1/me", headers=headers).status_code == 200
    response = client.get("/api/v1/me", headers=headers)
    assert response.status_code == 429
    assert response.get_json()["error"]["code"] == "too_many_requests"
    assert "Retry-After" in response.headers
    # Another token from the same address has its own allowance.
    assert client.get("/api/v1/me", headers={
        "Authorization": f"Bearer {other_token}"}).status_code == 200


def test_the_public_verification_page_is_rate_limited(client, settings):
    settings(RATELIMIT_VERIFY="2 per minute")
    codes = [client.get(f"/public/verify/ABCD{i}").status_code for i in range(3)]
    assert codes[:2] != [429, 429] and codes[2] == 429
    page = client.get("/public/verify/ABCD9").get_data(as_text=True)
    assert "请求过于频繁" in page


def test_uploads_are_rate_limited(login, make, db_session, settings):
    settings(RATELIMIT_UPLOAD="2 per minute")
    user = make.user(is_preparer=True)
    db_session.commit()
    client = login(user)
    codes = [client.post("/evaluations/import", data={}).status_code for _ in range(3)]
    assert 429 not in codes[:2] and codes[2] == 429
