"""Issue 9 item 9: hostile input gets a clear 400/404, never a 500, and changes nothing."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from workflow_app.evaluations.models import Evaluation
from workflow_app.extensions import db
from workflow_app.security.limits import InputRefused, json_depth_ok, safe_json_loads


@pytest.fixture
def preparer(make):
    user = make.user(is_preparer=True)
    db.session.commit()
    return user


@pytest.mark.parametrize("url", [
    "/evaluations/2147483648", "/evaluations/99999999999999999999999",
    "/evaluations/2147483648/edit", "/evaluations/1/indicators/9999999999999",
])
def test_ids_above_int32_are_not_found(login, preparer, url):
    assert login(preparer).get(url).status_code == 404


@pytest.mark.parametrize("query", [
    "page=99999999999999999999", "page=2147483648", "q=%00", "page=1%00",
])
def test_hostile_query_strings_are_refused(login, preparer, query):
    response = login(preparer).get(f"/?{query}")
    assert response.status_code == 400
    assert "超出" in response.get_data(as_text=True) or "空字符" in response.get_data(as_text=True)


def test_nul_byte_in_a_form_changes_nothing(login, preparer):
    before = db.session.scalar(select(func.count()).select_from(Evaluation))
    response = login(preparer).post("/evaluations/new", data={
        "project_name": "项目\x00名称", "fiscal_year": "2024", "kind": "project"})
    assert response.status_code == 400
    assert "空字符" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Evaluation)) == before


def test_over_long_field_is_refused(login, preparer):
    response = login(preparer).post("/evaluations/new", data={"project_name": "长" * 100_001})
    assert response.status_code == 400


def test_public_page_number_overflow(client):
    assert client.get("/public/?page=1e309").status_code in (200, 400)
    assert client.get("/public/?page=99999999999999999999999").status_code == 400


@pytest.mark.parametrize("text", [
    "[" * 5000 + "]" * 5000, '{"a":' * 3000 + "1" + "}" * 3000,
    '{"x": NaN}', '{"x": Infinity}', '{"x": -Infinity}', '{"x": 1e309}',
    '{"x": "a\\u0000b"}', '{"x\\u0000": 1}', '{"x": 123456789012345678901234567890}',
])
def test_hostile_json_is_refused(text):
    with pytest.raises(InputRefused):
        safe_json_loads(text)


def test_depth_scan_ignores_brackets_in_strings():
    assert json_depth_ok(json.dumps({"a": "[" * 100}))
    assert not json_depth_ok("[" * 40 + "]" * 40)
    assert safe_json_loads('{"a": [1, 2.5, "x"]}') == {"a": [1, 2.5, "x"]}


@pytest.mark.parametrize("body", [
    "[" * 5000 + "]" * 5000, '{"document": {"x": NaN}}', '{"a": 1e309}',
    '{"project_name": "a\\u0000b"}',
])
def test_api_answers_400_to_hostile_json(demo, token_for, client, body):
    token = token_for(demo.users["zhang"]) if "zhang" in demo.users else token_for(
        next(u for u in demo.users.values() if u.is_preparer))
    response = client.post("/api/v1/evaluations", data=body,
                           headers={"Authorization": f"Bearer {token}",
                                    "Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "invalid_json"



@pytest.mark.parametrize("value", ["³", "١٢", "²³⁴"])
def test_non_ascii_digits_in_an_id_field_do_not_crash_the_check(value):
    # Found by the form fuzzer: str.isdigit() is true for '³', int() refuses it (was a 500).
    from workflow_app.security.limits import check_id_like

    check_id_like("page", value)
    check_id_like("evaluation_id", value)


@pytest.mark.parametrize("method", ["put", "get"])
def test_an_id_above_int32_is_not_found_whatever_the_method(demo, token_for, client, method):
    # Found by schemathesis: PUT /api/v1/evaluations/63729383282 answered 405 (the GET rule
    # matched the digits before the converter refused them), not 404.
    token = token_for(demo.users["preparer"])
    response = getattr(client, method)("/api/v1/evaluations/63729383282", json={},
                                       headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 404


def test_a_multipart_part_without_a_name_is_refused(login, preparer):
    # Found by schemathesis: a part named "\r" has no name (None), which crashed the check.
    body = (b'--xx\r\nContent-Disposition: form-data; name="\r"\r\n\r\nnull\r\n--xx--\r\n')
    response = login(preparer).post("/evaluations/new", data=body,
                                    content_type="multipart/form-data; boundary=xx")
    assert response.status_code == 400
    assert "没有名称" in response.get_data(as_text=True)
