"""The review in the product: it blocks submission only for errors (rule → 422 with the
Chinese reasons), goes into the API JSON, and is listed with links on the read page, in the
editor (live, for unsaved values) and for the finance bureau."""

from __future__ import annotations

import pytest

from tests.workflow.helpers import S, build_world
from workflow_app.evaluations.models import Section
from workflow_app.extensions import db
from workflow_app.workflow.errors import WorkflowError
from workflow_app.workflow.operations import fire

# The factory's tree: 产出指标 100 = 数量指标 60 (scored 60) + 质量指标 40 (scored 38).
WRONG_TOTAL = "经自评，项目自评得分90分，整体绩效评价为优秀。"
RIGHT_TOTAL = "经自评，项目自评得分98分，整体绩效评价为优秀。"


@pytest.fixture
def world(make, db_session):
    return build_world(make)


def _text(evaluation, body: str) -> None:
    evaluation.sections = [Section(key="conclusion", position=1, title="四、评价结论", body=body)]
    db.session.flush()


def test_an_error_blocks_submission_with_its_reason(world):
    _text(world.evaluation, WRONG_TOTAL)
    with pytest.raises(WorkflowError) as refused:
        fire(world.evaluation, "submit", world.preparer)
    assert refused.value.status == 422
    message = str(refused.value)
    assert message.startswith("一致性审查发现错误，不能提交")
    assert "98 分" in message and "。；" not in message
    assert world.evaluation.state == S.DRAFT


def test_warnings_do_not_block(world):
    # A team-size claim that differs is a warning only.
    _text(world.evaluation, RIGHT_TOTAL + "评价工作组由5人组成。")
    fire(world.evaluation, "submit", world.preparer)
    assert world.evaluation.state == S.TEAM_REVIEW


def test_the_web_refusal_is_422(world, login):
    _text(world.evaluation, WRONG_TOTAL)
    db.session.commit()
    response = login(world.preparer).post(
        f"/evaluations/{world.evaluation.id}/transitions/submit", data={})
    assert response.status_code == 422
    assert "一致性审查发现错误" in response.get_data(as_text=True)


def test_the_api_carries_findings(world, app):
    from tests.api.conftest import ApiClient
    from workflow_app.auth.models import ApiToken

    _text(world.evaluation, WRONG_TOTAL)
    _row, token = ApiToken.issue(world.preparer)
    db.session.commit()
    client = ApiClient(app.test_client(), {"Authorization": f"Bearer {token}"})
    body = client.get(f"/api/v1/evaluations/{world.evaluation.id}").get_json()
    found = [f for f in body["findings"] if f["code"] == "total_score_claim_mismatch"]
    assert found == [{"code": "total_score_claim_mismatch", "severity": "error",
                      "message": found[0]["message"],
                      "where": {"part": "sections", "path": "conclusion"}}]
    refused = client.post(f"/api/v1/evaluations/{world.evaluation.id}/transitions/submit",
                          json={})
    assert refused.status_code == 422
    assert "一致性审查" in refused.get_json()["error"]["message"]


def test_openapi_documents_findings(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    schemas = spec["components"]["schemas"]
    evaluation = schemas["Evaluation"]["allOf"][1]
    assert "findings" in evaluation["required"]
    assert evaluation["properties"]["findings"]["items"] == {"$ref": "#/components/schemas/Finding"}
    assert schemas["Finding"]["properties"]["severity"]["enum"] == ["error", "warning", "info"]


def test_the_read_page_lists_findings_with_links(world, login):
    _text(world.evaluation, WRONG_TOTAL)
    db.session.commit()
    html = login(world.preparer).get(f"/evaluations/{world.evaluation.id}").get_data(as_text=True)
    assert 'id="findings"' in html and "错误 <b data-count-severity=\"error\">1</b>" in html
    # The preparer may edit: the link opens the editor at the section's text box.
    assert f'/evaluations/{world.evaluation.id}/edit/sections#f-sections-0-body' in html
    assert "js/findings.js" in html and "<script>" not in html


def test_the_finance_bureau_sees_the_findings(world, login):
    _text(world.evaluation, RIGHT_TOTAL + "评价工作组由5人组成。")
    world.go(S.FINANCE_ACCEPTANCE)
    db.session.commit()
    html = login(world.finance).get(f"/evaluations/{world.evaluation.id}").get_data(as_text=True)
    assert "team_size_mismatch" in html and "评价工作组 5 人" in html
    # Not editable for the bureau: the link points at the read page's text.
    assert f'/evaluations/{world.evaluation.id}#report-text' in html


def test_the_editor_lists_findings_and_previews_unsaved_text(world, login):
    db.session.commit()
    client = login(world.preparer)
    page = client.get(f"/evaluations/{world.evaluation.id}/edit/sections").get_data(as_text=True)
    assert 'data-review-preview="/evaluations/' in page
    response = client.post(
        f"/evaluations/{world.evaluation.id}/review-preview?part=sections",
        data={"sections-0-key": "conclusion", "sections-0-title": "结论",
              "sections-0-body": WRONG_TOTAL})
    assert response.status_code == 200
    data = response.get_json()
    assert data["counts"]["error"] == 1
    assert data["findings"][0]["code"] == "total_score_claim_mismatch"
    assert data["findings"][0]["href"].endswith("/edit/sections#f-sections-0-body")
    # Nothing was saved.
    db.session.expire_all()
    assert world.evaluation.sections == []


def test_the_preview_of_scores_points_at_the_row(world, login):
    db.session.commit()
    leaf = next(i for i in world.evaluation.indicators if i.name == "质量指标")
    _text(world.evaluation, "质量指标权重40分，实际得分38分。")
    db.session.commit()
    response = login(world.preparer).post(
        f"/evaluations/{world.evaluation.id}/review-preview?part=scores",
        data={f"ind-{leaf.id}-score": "35", f"ind-{leaf.id}-score_reason": "略有不足"})
    codes = [f["code"] for f in response.get_json()["findings"]]
    assert "score_claim_mismatch" in codes


def test_the_preview_refuses_unknown_tabs_and_outsiders(world, login):
    db.session.commit()
    url = f"/evaluations/{world.evaluation.id}/review-preview"
    assert login(world.preparer).post(url + "?part=tree").status_code == 404
    assert login(world.outsider).post(url + "?part=sections").status_code == 404


def test_every_save_runs_the_review_and_says_so(world, login):
    db.session.commit()
    client = login(world.preparer)
    response = client.post(
        f"/evaluations/{world.evaluation.id}/edit/sections",
        data={"version": str(world.evaluation.version), "sections-0-key": "conclusion",
              "sections-0-title": "四、评价结论", "sections-0-body": WRONG_TOTAL},
        follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "报告正文已保存。" in html
    assert "一致性审查发现 1 处错误，见页面下方“一致性审查”；错误须修改后才能提交。" in html
    assert "total_score_claim_mismatch" in html


def test_the_review_reads_the_narrative_once_for_all_its_checks(monkeypatch):
    """The three claim checks share one search for indicator names and the two amount checks
    one scan for amounts (bench/review.py: the review's CPU time halved); the findings are
    those of each check run on its own."""
    from tests.review.helpers import seed, with_section
    from workflow_app.review import engine
    from workflow_app.review.checks import claims, figures
    from workflow_app.review.facts import Facts

    doc = with_section(seed("seed000"), "一是产出指标50分，预算数为 12 元，执行数 3 万元。",
                       key="self_evaluation")
    calls = {"mentions": 0, "amounts": 0}
    for module, name, key in ((claims, "_find_mentions", "mentions"),
                              (figures, "_find_amount_claims", "amounts")):
        original = getattr(module, name)

        def counted(facts, original=original, key=key):  # noqa: ANN001, ANN202
            calls[key] += 1
            return original(facts)

        monkeypatch.setattr(module, name, counted)
    together = engine.review_document(doc)
    assert calls == {"mentions": 1, "amounts": 1}
    alone = [f for check in engine.CHECKS for f in check(Facts(doc))]
    assert {f.code for f in together} >= {f.code for f in alone} >= {"weight_claim_mismatch"}
