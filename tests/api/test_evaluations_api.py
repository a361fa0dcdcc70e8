"""The content API over HTTP: authentication, visibility, pagination, create/read/update,
stale versions, bad input, and the seed figures on the demo data."""

from __future__ import annotations

import copy
import json

import pytest
from sqlalchemy import func, select

from workflow_app.auth.models import ApiToken
from workflow_app.evaluations.document import to_document
from workflow_app.evaluations.models import Evaluation
from workflow_app.exchange.json_io import export_document
from workflow_app.extensions import db
from workflow_app.workflow.states import EvaluationState

URL = "/api/v1/evaluations"


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(Evaluation))


def _find(nodes, name):
    for node in nodes:
        if node["name"] == name:
            return node
        found = _find(node.get("children") or [], name)
        if found:
            return found
    return None


def _error(response, status: int, code: str | None = None) -> str:
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == {"error"} and body["error"]["message"]
    if code:
        assert body["error"]["code"] == code
    return body["error"]["message"]


# --------------------------------------------------------------------------- authentication


def test_without_credentials_401(client, demo):
    message = _error(client.get(URL), 401, "unauthorized")
    assert "登录" in message
    assert client.get(f"{URL}/{demo.seed001.id}").status_code == 401


@pytest.mark.parametrize("header", ["Bearer nope", "Basic abc", "Bearer "])
def test_bad_token_401(client, demo, header):
    _error(client.get(URL, headers={"Authorization": header}), 401)


def test_bearer_token_authenticates_and_records_use(api, demo):
    response = api(demo.users["preparer"]).get(URL)
    assert response.status_code == 200
    row = db.session.scalar(select(ApiToken))
    db.session.refresh(row)
    assert row.last_used_at is not None


def test_token_of_an_inactive_user_is_refused(api, demo):
    client = api(demo.users["preparer"])
    demo.users["preparer"].active = False
    db.session.commit()
    _error(client.get(URL), 401)


def test_session_authenticates(login, demo):
    response = login(demo.users["preparer"]).get(URL)
    assert response.status_code == 200
    assert response.get_json()["total"] == _unit_count(demo.users["preparer"])


def test_session_writes_need_the_csrf_header(app, login, demo, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    client = login(demo.users["preparer"])
    doc = export_document(demo.website)
    before = _count()
    _error(client.post(URL, json=doc), 403, "csrf_failed")
    _error(client.post(URL, json=doc, headers={"X-CSRFToken": "forged"}), 403, "csrf_failed")
    assert _count() == before
    me = client.get("/api/v1/me").get_json()
    assert me["auth"] == "session" and me["username"] == "preparer"
    response = client.post(URL, json=doc, headers={"X-CSRFToken": me["csrf_token"]})
    assert response.status_code == 201, response.get_json()


def test_bearer_writes_need_no_csrf_header(app, api, demo, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    response = api(demo.users["preparer"]).post(URL, json=export_document(demo.website))
    assert response.status_code == 201


def test_me_with_a_token_has_no_csrf_token(api, demo):
    me = api(demo.users["preparer"]).get("/api/v1/me").get_json()
    assert me["auth"] == "token" and "csrf_token" not in me


# --------------------------------------------------------------------------- reading


def test_seed_001_figures(api, demo):
    body = api(demo.users["preparer"]).get(f"{URL}/{demo.seed001.id}").get_json()
    assert body["total_score"] == "96.5"
    assert body["grade"] == "优秀"
    assert body["computed_total_score"] == "95.8"
    leaf = _find(body["indicators"], "资金结余结转率")
    assert leaf["score"] == "1.5" and leaf["computed_score"] == "0.8" and leaf["flagged"] is True
    assert body["flagged"] == ["2.1.4"]
    assert _find(body["indicators"], "过程（执行）") or _find(body["indicators"], "过程")
    assert len(body["team"]) == 7
    assert body["team"][0] == {**body["team"][0], "username": "leader", "name": "郭军涛",
                               "role": "leader"}


def test_seed_000_figures(api, demo):
    body = api(demo.users["he_bh"]).get(f"{URL}/{demo.seed000.id}").get_json()
    assert (body["total_score"], body["computed_total_score"], body["grade"]) == (
        "100", "100", "优秀")


def test_read_has_every_documented_field(api, demo):
    response = api(demo.users["preparer"]).get(f"{URL}/{demo.seed001.id}")
    body = response.get_json()
    for key in ("id", "title", "state", "revision", "version", "total_score",
                "computed_total_score", "grade", "indicators", "team", "content_hash",
                "signatures"):
        assert key in body
    assert response.headers["ETag"] == f'"{body["version"]}"'
    assert len(body["content_hash"]) == 64 and isinstance(body["signatures"], list)
    root = body["indicators"][0]
    assert {"name", "weight", "score", "computed_score", "flagged", "children"} <= set(root)
    assert (root["name"], root["weight"]) == ("投入", "20")
    leaf = root["children"][0]["children"][0]
    assert {"name", "weight", "score", "computed_score", "flagged"} <= set(leaf)
    assert "children" not in leaf


def test_document_endpoint_exports_the_exchange_json(api, demo):
    response = api(demo.users["preparer"]).get(f"{URL}/{demo.seed001.id}/document")
    assert response.status_code == 200
    assert response.get_json() == export_document(demo.seed001)


def test_another_units_evaluation_is_404(api, demo):
    client = api(demo.users["he_bh"])
    message = _error(client.get(f"{URL}/{demo.seed001.id}"), 404, "not_found")
    assert "不存在" in message
    _error(client.get(f"{URL}/{demo.seed001.id}/document"), 404)
    _error(client.get(f"{URL}/999999"), 404)
    ids = [e["id"] for e in client.get(URL).get_json()["items"]]
    assert ids == [demo.seed000.id]


def test_finance_officer_sees_no_drafts(api, demo):
    drafts = [e for e in (demo.seed001, demo.website) if e.state == EvaluationState.DRAFT]
    client = api(demo.users["finance"])
    for evaluation in drafts:
        _error(client.get(f"{URL}/{evaluation.id}"), 404)


# --------------------------------------------------------------------------- pagination


def test_pagination(api, demo):
    client = api(demo.users["preparer"])
    total = _unit_count(demo.users["preparer"])
    assert total >= 3
    first = client.get(f"{URL}?per_page=2").get_json()
    pages = (total + 1) // 2
    assert (first["total"], first["page"], first["per_page"], first["pages"]) == (
        total, 1, 2, pages)
    items = []
    for number in range(1, pages + 1):
        items += client.get(f"{URL}?per_page=2&page={number}").get_json()["items"]
    seen = [e["id"] for e in items]
    assert len(seen) == len(set(seen)) == total  # every one once, none twice
    assert {demo.seed001.id, demo.website.id} <= set(seen)
    assert client.get(f"{URL}?per_page=500").get_json()["per_page"] == 100
    assert client.get(f"{URL}?page=9").get_json()["items"] == []
    item = first["items"][0]
    assert {"id", "title", "state", "revision", "version", "url"} <= set(item)


def _unit_count(user) -> int:
    """How many evaluations the user's unit has (what the API must list for them)."""
    return db.session.scalar(select(func.count()).select_from(Evaluation).where(
        Evaluation.unit_id == user.unit_id))


@pytest.mark.parametrize("query", ["page=abc", "page=0", "per_page=-1", "per_page=1.5"])
def test_bad_pagination_is_400(api, demo, query):
    message = _error(api(demo.users["preparer"]).get(f"{URL}?{query}"), 400, "invalid_parameter")
    assert "正整数" in message


# --------------------------------------------------------------------------- create


def test_create_from_the_exchange_json(api, demo):
    doc = export_document(demo.seed001)
    response = api(demo.users["preparer"]).post(URL, json=doc)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert response.headers["Location"].endswith(f"{URL}/{body['id']}")
    assert body["state"] == "draft" and body["total_score"] == "96.5"
    created = db.session.get(Evaluation, body["id"])
    assert created.preparer.username == "preparer"
    assert created.unit_id == demo.users["preparer"].unit_id
    assert to_document(created) == to_document(demo.seed001)


def test_only_preparers_create(api, demo):
    before = _count()
    message = _error(api(demo.users["leader"]).post(URL, json=export_document(demo.website)),
                     403, "forbidden")
    assert "填报人" in message
    assert _count() == before


BAD_BODIES = [
    (b"{not json", "不是有效的 JSON"),
    (b"", "请求体为空"),
    (b"[]", "JSON 对象"),
    (b'"text"', "JSON 对象"),
]


@pytest.mark.parametrize("data, message", BAD_BODIES)
def test_malformed_json_is_400(api, demo, data, message):
    before = _count()
    response = api(demo.users["preparer"]).post(
        URL, data=data, headers={"Content-Type": "application/json"})
    assert message in _error(response, 400)
    assert _count() == before


def _spoil(doc, how):
    doc = copy.deepcopy(doc)
    how(doc)
    return doc


BAD_DOCUMENTS = [
    (lambda d: d.update(total_weight=100), "不接受 JSON 数字"),
    (lambda d: d["funding"][0].update(spent=4.437), "浮点数"),
    (lambda d: d.update(unknown_field="x"), "未知字段“unknown_field”"),
    (lambda d: d.update(fiscal_year=["2022"]), "fiscal_year"),
    (lambda d: d.update(indicators="all"), "indicators"),
    (lambda d: d["team"].append({"username": "no_such_user", "role": "member"}),
     "找不到用户名为“no_such_user”"),
    (lambda d: d.update(kind=None), "kind"),
]


@pytest.mark.parametrize("how, message", BAD_DOCUMENTS)
def test_invalid_documents_are_400_and_change_nothing(api, demo, how, message):
    before = _count()
    doc = _spoil(export_document(demo.website), how)
    response = api(demo.users["preparer"]).post(
        URL, data=json.dumps(doc), headers={"Content-Type": "application/json"})
    text = _error(response, 400)
    details = response.get_json()["error"].get("details", [])
    assert message in text + "".join(details), (text, details)
    assert _count() == before


# --------------------------------------------------------------------------- update


def _edited(api_client, evaluation_id: int):
    read = api_client.get(f"{URL}/{evaluation_id}")
    doc = api_client.get(f"{URL}/{evaluation_id}/document").get_json()
    doc["problems"] = "运维记录改为电子台账后仍需人工核对。"
    return read.get_json()["version"], doc


def test_update_a_draft(api, demo):
    client = api(demo.users["preparer"])
    version, doc = _edited(client, demo.website.id)
    response = client.put(f"{URL}/{demo.website.id}", json={"version": version, "document": doc})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["version"] > version
    db.session.expire_all()
    assert db.session.get(Evaluation, demo.website.id).problems == doc["problems"]


def test_update_with_if_match(api, demo):
    client = api(demo.users["preparer"])
    version, doc = _edited(client, demo.website.id)
    response = client.put(f"{URL}/{demo.website.id}", json=doc,
                          headers={"If-Match": f'"{version}"'})
    assert response.status_code == 200, response.get_json()


def test_a_stale_version_is_409(api, demo):
    client = api(demo.users["preparer"])
    version, doc = _edited(client, demo.website.id)
    assert client.put(f"{URL}/{demo.website.id}",
                      json={"version": version, "document": doc}).status_code == 200
    current = client.get(f"{URL}/{demo.website.id}").get_json()["version"]
    doc["measures"] = "另一个人的修改"
    message = _error(client.put(f"{URL}/{demo.website.id}",
                                json={"version": version, "document": doc}), 409, "stale_version")
    assert message == f"该评价已被他人修改（当前版本 {current}），请重新读取后再提交"
    db.session.expire_all()
    assert db.session.get(Evaluation, demo.website.id).measures != "另一个人的修改"


def test_an_update_without_a_version_is_400(api, demo):
    client = api(demo.users["preparer"])
    _version, doc = _edited(client, demo.website.id)
    assert "版本号" in _error(client.put(f"{URL}/{demo.website.id}", json=doc), 400)
    _error(client.put(f"{URL}/{demo.website.id}", json={"version": "3", "document": doc}), 400)
    _error(client.put(f"{URL}/{demo.website.id}", json=doc, headers={"If-Match": "abc"}), 400)


def test_an_invalid_update_is_400_and_changes_nothing(api, demo):
    client = api(demo.users["preparer"])
    version, doc = _edited(client, demo.website.id)
    before = to_document(demo.website)
    doc["indicators"][0]["children"][0]["children"][0]["score"] = "11"  # weight 10
    text = _error(client.put(f"{URL}/{demo.website.id}",
                             json={"version": version, "document": doc}), 400, "invalid_document")
    assert "超过分值" in text
    db.session.expire_all()
    after = db.session.get(Evaluation, demo.website.id)
    assert to_document(after) == before and after.version == version


def test_only_the_units_preparer_updates(api, demo):
    version, doc = _edited(api(demo.users["preparer"]), demo.website.id)
    body = {"version": version, "document": doc}
    _error(api(demo.users["leader"]).put(f"{URL}/{demo.website.id}", json=body), 403)
    _error(api(demo.users["he_bh"]).put(f"{URL}/{demo.website.id}", json=body), 404)


def test_a_submitted_evaluation_is_not_updated(api, demo):
    client = api(demo.users["preparer"])
    version, doc = _edited(client, demo.website.id)
    demo.website.state = EvaluationState.TEAM_REVIEW  # test-only shortcut past the workflow
    db.session.commit()
    version = demo.website.version
    message = _error(client.put(f"{URL}/{demo.website.id}",
                                json={"version": version, "document": doc}), 409, "not_draft")
    assert "只有草稿" in message


# --------------------------------------------------------------------------- the API itself


def test_unknown_paths_and_methods_are_json(api, demo):
    client = api(demo.users["preparer"])
    _error(client.get("/api/v1/nothing"), 404)
    _error(client.client.delete(URL, headers=client.headers), 405)


def test_openapi_document_describes_every_path(app, client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = json.loads(response.get_data(as_text=True))
    assert spec["openapi"].startswith("3.1")
    served = {}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/"):
            path = rule.rule.removeprefix("/api/v1")
            for arg in rule.arguments:
                path = path.replace(f"<int:{arg}>", f"{{{arg}}}").replace(f"<{arg}>", f"{{{arg}}}")
            served.setdefault(path, set()).update(
                m.lower() for m in rule.methods - {"HEAD", "OPTIONS"})
    for path, methods in served.items():
        assert path in spec["paths"], path
        assert methods <= set(spec["paths"][path]), (path, methods)

    def refs(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "$ref":
                    yield value
                else:
                    yield from refs(value)
        elif isinstance(node, list):
            for value in node:
                yield from refs(value)

    for ref in refs(spec):
        assert ref.removeprefix("#/components/schemas/") in spec["components"]["schemas"], ref


def _leaf(nodes):
    for node in nodes:
        if node.get("children"):
            found = _leaf(node["children"])
            if found is not None:
                return found
        elif node.get("score") is not None:
            return node
    return None


def test_a_repeated_read_is_remembered_and_every_update_shows(api, demo, count_queries):
    """The read form is built from the document and scores remembered per content version:
    the second GET loads no indicator; each of two updates shows in the next GET."""
    client = api(demo.users["preparer"])
    url = f"{URL}/{demo.website.id}"
    first = client.get(url).get_json()
    with count_queries() as again:
        second = client.get(url).get_json()
    assert second == first
    assert not any("FROM indicators" in s for s in again.statements)
    for problems, score in (("第一次修改", "1"), ("第二次修改", "0.5")):
        read = client.get(url).get_json()
        doc = client.get(f"{url}/document").get_json()
        doc["problems"] = problems
        leaf = _leaf(doc["indicators"])
        leaf["score"] = score
        assert client.put(url, json={"version": read["version"], "document": doc}
                          ).status_code == 200
        after = client.get(url).get_json()
        assert after["version"] > read["version"]
        assert _leaf_by_code(after["indicators"], leaf["code"])["score"] == score
        assert client.get(f"{url}/document").get_json()["problems"] == problems


def _leaf_by_code(nodes, code):
    for node in nodes:
        if node["code"] == code:
            return node
        found = _leaf_by_code(node.get("children") or [], code)
        if found is not None:
            return found
    return None
