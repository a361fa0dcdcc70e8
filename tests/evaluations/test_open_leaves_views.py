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
