"""Honest totals on the pages and in the API: leaves the engine cannot compute are listed as
open ("需人工判断") with their reason, never counted as 0."""

from __future__ import annotations

from workflow_app.evaluations.scorecard import ordered_indicators


def _text(response):
    return response.get_data(as_text=True)


def _leaves(evaluation):
    return [ind for _, ind in ordered_indicators(evaluation) if ind.is_leaf]


def test_editor_and_detail_say_how_many_leaves_are_open_and_why(draft, login, db_session):
    evaluation, preparer = draft  # two manual leaves without a tier: a person must judge
    db_session.commit()
    client = login(preparer)
    for url in (f"/evaluations/{evaluation.id}/edit/scores", f"/evaluations/{evaluation.id}"):
        page = _text(client.get(url))
        assert "系统计算 0，另有 2 项需人工判断" in page, url
        assert 'id="computed-summary"' in page
        assert "未选择定性评价档次" in page
        assert "需人工判断</" in page  # the computed cell of an open leaf is not "0"


def test_preview_counts_open_leaves_and_a_tier_closes_one(draft, login, db_session):
    evaluation, preparer = draft
    db_session.commit()
    first, second = _leaves(evaluation)
    response = login(preparer).post(f"/evaluations/{evaluation.id}/score-preview",
                                    data={f"ind-{first.id}-actual": "达成预期指标"})
    data = response.get_json()
    assert data["computed_summary"] == "系统计算 60，另有 1 项需人工判断"
    assert data["open_count"] == 1
    assert [item["name"] for item in data["open"]] == [second.name]
    assert data["leaves"][str(first.id)]["status"] == "computed"
    assert data["leaves"][str(second.id)]["status"] == "needs_judgement"
    assert data["leaves"][str(second.id)]["computed"] is None


def test_api_carries_computed_status_per_leaf_and_the_open_count(draft, login, db_session):
    evaluation, preparer = draft
    db_session.commit()
    body = login(preparer).get(f"/api/v1/evaluations/{evaluation.id}").get_json()
    assert body["computed_open_count"] == 2
    assert body["computed_summary"] == "系统计算 0，另有 2 项需人工判断"
    leaves = body["indicators"][0]["children"]
    assert [leaf["computed_status"] for leaf in leaves] == ["needs_judgement"] * 2
    assert all(leaf["computed_score"] is None for leaf in leaves)
    assert all("定性评价档次" in leaf["computed_status_reason"] for leaf in leaves)
    assert [item["code"] for item in body["computed_open"]] == ["1.1", "1.2"]


def test_openapi_documents_computed_status(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    indicator = spec["components"]["schemas"]["Indicator"]["properties"]
    assert indicator["computed_status"]["enum"] == ["computed", "needs_judgement",
                                                    "not_applicable"]
    evaluation = spec["components"]["schemas"]["Evaluation"]["allOf"][1]["properties"]
    assert "computed_open_count" in evaluation and "computed_summary" in evaluation


def test_a_qualitative_leaf_takes_an_explicit_tier_and_the_score_is_checked_against_it(
        draft, login, db_session):
    evaluation, preparer = draft
    first, second = _leaves(evaluation)
    db_session.commit()
    client = login(preparer)
    url = f"/evaluations/{evaluation.id}/edit/scores"
    page = _text(client.get(url))
    assert f'name="ind-{first.id}-tier"' in page and "部分达成（60%–80%）" in page
    preview = client.post(f"/evaluations/{evaluation.id}/score-preview",
                          data={f"ind-{first.id}-tier": "部分达成"}).get_json()
    # 60 entered on a weight of 60 in 部分达成 (36–48): the engine says 48 and flags it.
    assert preview["leaves"][str(first.id)]["computed"] == "48"
    assert preview["leaves"][str(first.id)]["flagged"] is True
    response = client.post(url, data={"version": evaluation.version,
                                      f"ind-{first.id}-tier": "部分达成",
                                      f"ind-{first.id}-score": "45",
                                      f"ind-{first.id}-score_reason": "部分工作滞后"})
    assert response.status_code == 302
    db_session.expire_all()
    saved = db_session.get(type(first), first.id)
    assert saved.rule_params == {"tier": "部分达成"}
    page = _text(client.get(url))
    assert 'value="部分达成" selected' in page
    bad = client.post(url, data={"version": db_session.get(type(evaluation), evaluation.id).version,
                                 f"ind-{first.id}-tier": "优秀"})
    assert bad.status_code == 200 and "不是已定义的档次" in _text(bad)
    db_session.expire_all()
    assert db_session.get(type(first), first.id).rule_params == {"tier": "部分达成"}
