"""POST /api/v1/evaluations/{id}/transitions/{trigger} against the workflow engine."""

from __future__ import annotations

from workflow_app.extensions import db
from workflow_app.workflow import operations  # noqa: F401  (the engine the endpoint drives)

URL = "/api/v1/evaluations"


def _error(response, status: int) -> str:
    assert response.status_code == status, response.get_data(as_text=True)
    return response.get_json()["error"]["message"]


def test_submit_then_sign(api, demo):
    evaluation = demo.website
    preparer = api(demo.users["preparer"])
    response = preparer.post(f"{URL}/{evaluation.id}/transitions/submit",
                             json={"comment": "请审阅"})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["state"] == "team_review"
    digest = body["content_hash"]
    assert len(digest) == 64

    signed = api(demo.users["member1"]).post(f"{URL}/{evaluation.id}/transitions/sign", json={})
    assert signed.status_code == 200, signed.get_json()
    signatures = signed.get_json()["signatures"]
    mine = [s for s in signatures if s["username"] == "member1"]
    assert len(mine) == 1
    assert mine[0]["content_hash"] == digest and mine[0]["revision"] == body["revision"]
    assert mine[0]["signed_at"]


def test_a_role_that_may_not_is_403(api, demo):
    message = _error(api(demo.users["member1"]).post(
        f"{URL}/{demo.website.id}/transitions/submit"), 403)
    assert message
    db.session.expire_all()
    assert demo.website.state.value == "draft"


def test_a_state_that_does_not_allow_it_is_409(api, demo):
    _error(api(demo.users["preparer"]).post(f"{URL}/{demo.website.id}/transitions/accept",
                                            json={"reason": ""}), 409)


def test_bad_bodies_are_400(api, demo):
    client = api(demo.users["preparer"])
    _error(client.post(f"{URL}/{demo.website.id}/transitions/submit", json={"reason": 5}), 400)
    _error(client.post(f"{URL}/{demo.website.id}/transitions/submit", json={"x": "y"}), 400)
    _error(client.post(f"{URL}/{demo.website.id}/transitions/submit", data=b"{",
                       headers={"Content-Type": "application/json"}), 400)


def test_another_units_evaluation_is_404(api, demo):
    _error(api(demo.users["he_bh"]).post(f"{URL}/{demo.website.id}/transitions/submit"), 404)


def test_without_credentials_401(client, demo):
    _error(client.post(f"{URL}/{demo.website.id}/transitions/submit"), 401)


def test_prefer_return_minimal_answers_the_new_state_only(api, demo, count_queries):
    evaluation = demo.website
    preparer = api(demo.users["preparer"])
    full = preparer.post(f"{URL}/{evaluation.id}/transitions/submit", json={})
    assert full.status_code == 200 and "findings" in full.get_json()
    assert "Preference-Applied" not in full.headers
    member = api(demo.users["member1"])
    with count_queries() as minimal_queries:
        signed = member.post(f"{URL}/{evaluation.id}/transitions/sign", json={},
                             headers={"Prefer": "respond-async, return=minimal"})
    assert signed.status_code == 200, signed.get_json()
    assert signed.headers["Preference-Applied"] == "return=minimal"
    assert "Prefer" in signed.headers["Vary"]
    body = signed.get_json()
    assert body["state"] == "team_review" and body["id"] == evaluation.id
    assert "indicators" not in body and "findings" not in body
    assert signed.headers["ETag"] == f'"{body["version"]}"'
    # The signature is stored all the same, bound to the revision's hash.
    after = member.get(f"{URL}/{evaluation.id}").get_json()
    mine = [s for s in after["signatures"] if s["username"] == "member1"]
    assert len(mine) == 1 and mine[0]["content_hash"] == full.get_json()["content_hash"]
    assert body["version"] == after["version"]
    # A refused step answers its error whatever the preference.
    again = member.post(f"{URL}/{evaluation.id}/transitions/sign", json={},
                        headers={"Prefer": "return=minimal"})
    assert again.status_code in (409, 422, 403) and "error" in again.get_json()
    # The full form's reload, scoring inputs and review cost statements the minimal one skips.
    with count_queries() as full_queries:
        other = api(demo.users["member2"]).post(f"{URL}/{evaluation.id}/transitions/sign",
                                                json={})
    assert other.status_code == 200 and "findings" in other.get_json()
    assert minimal_queries.count < full_queries.count
