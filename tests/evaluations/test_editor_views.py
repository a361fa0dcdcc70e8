"""The editor through HTTP: forms refuse bad input at the field (200, nothing changed), stale
saves are refused, seed 001 shows computed scores, flags and grades, creation from a template."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from workflow_app.evaluations.models import Evaluation, Evidence
from workflow_app.evaluations.scorecard import ordered_indicators
from workflow_app.workflow.states import EvaluationState

PDF = b"%PDF-1.4\n" + b"x" * 100


def _text(response):
    return response.get_data(as_text=True)


def _flagged_row(evaluation):
    return next(i for _, i in ordered_indicators(evaluation) if i.name == "资金结余结转率")


def test_seed001_editor_shows_computed_scores_flags_totals_and_grades(seed001, login,
                                                                      db_session):
    evaluation, preparer = seed001
    db_session.commit()
    page = _text(login(preparer).get(f"/evaluations/{evaluation.id}/edit/scores"))
    assert 'data-total="entered">96.5<' in page
    assert 'data-total="computed">95.8<' in page
    assert 'data-grade="entered">优秀<' in page and 'data-grade="computed">优秀<' in page
    flagged = _flagged_row(evaluation)
    row = re.search(rf'<tr class="leaf flagged[^"]*" data-id="{flagged.id}".*?</tr>', page,
                    re.S)
    assert row, "the 结转结余率 row is flagged"
    assert "0.8" in row.group(0) and "填报得分 1.5 分" in row.group(0)
    assert page.count('class="leaf flagged') == 1
    for name in ("投入", "过程", "产出", "效果"):  # a subtotal per first-level indicator
        assert re.search(rf'<tr class="subtotal"><td>\d {name}', page)


def test_detail_page_shows_both_totals_and_the_flag(seed001, login, db_session):
    evaluation, preparer = seed001
    db_session.commit()
    page = _text(login(preparer).get(f"/evaluations/{evaluation.id}"))
    assert 'id="entered-total">96.5<' in page and 'id="computed-total">95.8<' in page
    assert 'id="flag-summary"' in page and "资金结余结转率" in page
    assert 'id="edit-button"' in page


def test_score_preview_returns_unsaved_scores(seed001, login, db_session):
    evaluation, preparer = seed001
    db_session.commit()
    flagged = _flagged_row(evaluation)
    response = login(preparer).post(f"/evaluations/{evaluation.id}/score-preview",
                                    data={f"ind-{flagged.id}-score": "0.8"})
    data = response.get_json()
    assert data["entered_total"] == "95.8" and data["flagged"] == 0
    assert data["leaves"][str(flagged.id)]["computed"] == "0.8"
    db_session.expire_all()
    assert db_session.get(type(flagged), flagged.id).score == Decimal("1.5")


def test_scores_form_saves_and_bad_score_is_refused_at_the_field(draft, login, db_session):
    evaluation, preparer = draft
    first, second = [i for i in evaluation.indicators if i.is_leaf]
    db_session.commit()
    client = login(preparer)
    url = f"/evaluations/{evaluation.id}/edit/scores"
    response = client.post(url, data={
        "version": evaluation.version, f"ind-{first.id}-score": "55",
        f"ind-{first.id}-score_reason": "个别任务延期", f"ind-{second.id}-score": "40"})
    assert response.status_code == 302
    db_session.expire_all()
    assert db_session.get(type(first), first.id).score == Decimal(55)
    version = db_session.get(Evaluation, evaluation.id).version
    response = client.post(url, data={"version": version, f"ind-{first.id}-score": "61",
                                      f"ind-{second.id}-score": "三十"})
    page = _text(response)
    assert response.status_code == 200
    assert f'id="err-ind-{first.id}-score"' in page and "得分 61 超过分值 60" in page
    assert "“得分”不是有效的数字：三十" in page
    assert 'value="61"' in page  # the user's input is kept
    db_session.expire_all()
    assert db_session.get(type(first), first.id).score == Decimal(55)
    assert db_session.get(Evaluation, evaluation.id).version == version


def test_stale_save_is_refused_with_instructions(draft, login, db_session):
    evaluation, preparer = draft
    db_session.commit()
    old = evaluation.version
    client = login(preparer)
    url = f"/evaluations/{evaluation.id}/edit/header"
    base = {"kind": "project", "fiscal_year": "2024", "timing": "ex_post", "method": "self"}
    assert client.post(url, data={**base, "version": old,
                                  "project_name": "甲的名称"}).status_code == 302
    response = client.post(url, data={**base, "version": old, "project_name": "乙的名称"})
    assert response.status_code == 409
    assert "已被他人修改" in _text(response) and "请刷新页面后重新填写" in _text(response)
    db_session.expire_all()
    assert db_session.get(Evaluation, evaluation.id).project_name == "甲的名称"


@pytest.mark.parametrize("part, data, field, message", [
    ("header", {"project_name": "", "fiscal_year": "1999"}, "project_name", "请填写项目名称"),
    ("funding", {"funding-0-source": "local", "funding-0-planned": "abc",
                 "funding-0-arrived": "1", "funding-0-spent": "1"},
     "funding-0-planned", "“全年预算数”不是有效的数字：abc"),
    ("funding", {"expenses-0-category": "办公费", "expenses-0-planned": "-3",
                 "expenses-0-actual": "1"}, "expenses-0-planned", "“预算数”不能为负数"),
    ("subs", {"subs-0-name": "网站", "subs-0-budget": "1", "subs-0-executed": "1",
              "subs-0-self_score": "120"}, "subs-0-self_score", "超过上限 100"),
    ("sections", {"sections-0-key": "basic", "sections-0-title": "",
                  "sections-0-body": "正文"}, "sections-0-title", "请填写章节标题"),
    ("team", {"team-0-user_id": "999999", "team-0-role": "leader"}, "team-0-user_id",
     "请选择本单位或同一财政局所属单位的在职用户"),
])
def test_bad_input_is_refused_at_the_field_and_changes_nothing(draft, login, db_session, part,
                                                              data, field, message):
    evaluation, preparer = draft
    db_session.commit()
    version = evaluation.version
    payload = {"version": version, "kind": "project", "timing": "ex_post", "method": "self",
               "fiscal_year": "2024", "project_name": evaluation.project_name, **data}
    response = login(preparer).post(f"/evaluations/{evaluation.id}/edit/{part}", data=payload)
    page = _text(response)
    assert response.status_code == 200
    assert f'id="err-{field}"' in page and message in page
    db_session.expire_all()
    assert db_session.get(Evaluation, evaluation.id).version == version


def test_tables_save_through_the_form(draft, login, db_session, make):
    evaluation, preparer = draft
    head = make.user(evaluation.unit, name="组长丙")
    db_session.commit()
    client = login(preparer)
    url = f"/evaluations/{evaluation.id}/edit/"
    version = evaluation.version
    response = client.post(url + "funding", data={
        "version": version, "funding-0-source": "local", "funding-0-planned": "1308.05",
        "funding-0-arrived": "1308.05", "funding-0-spent": "906.09",
        "funding-1-source": "", "expenses-0-category": "办公费", "expenses-0-planned": "10",
        "expenses-0-actual": "9.5", "expenses-1-category": ""})
    assert response.status_code == 302
    page = _text(client.get(url + "funding"))
    assert "69.27%" in page  # 预算执行率 906.09 ÷ 1308.05
    version = db_session.get(Evaluation, evaluation.id).version
    db_session.expire_all()
    response = client.post(url + "team", data={
        "version": db_session.get(Evaluation, evaluation.id).version,
        "team-0-user_id": str(head.id), "team-0-role": "leader"})
    assert response.status_code == 302
    db_session.expire_all()
    saved = db_session.get(Evaluation, evaluation.id)
    assert saved.version > version and saved.team[0].user_id == head.id
    assert [x.category for x in saved.expenses] == ["办公费"]


def test_tree_actions_and_indicator_page(draft, login, db_session):
    evaluation, preparer = draft
    root = next(i for i in evaluation.indicators if i.parent is None)
    db_session.commit()
    client = login(preparer)
    url = f"/evaluations/{evaluation.id}/tree"

    def version():
        db_session.expire_all()
        return db_session.get(Evaluation, evaluation.id).version

    response = client.post(url, data={"version": version(), "action": "add",
                                      "parent_id": str(root.id), "name": "时效指标",
                                      "weight": "5"})
    assert response.status_code == 302
    response = client.post(url, data={"version": version(), "action": "add",
                                      "parent_id": "", "name": ""})
    assert response.status_code == 200 and "请填写指标名称" in _text(response)
    page = _text(client.get(f"/evaluations/{evaluation.id}/edit/tree"))
    assert "末级指标分值之和为 105" in page
    leaf = next(i for _, i in ordered_indicators(db_session.get(Evaluation, evaluation.id))
                if i.name == "时效指标")
    response = client.post(f"/evaluations/{evaluation.id}/indicators/{leaf.id}", data={
        "version": version(), "name": "时效指标", "weight": "5", "rule_type": "yes_no",
        "rule_params": "", "target": "是否按时完成"})
    assert response.status_code == 302
    response = client.post(f"/evaluations/{evaluation.id}/indicators/{leaf.id}", data={
        "version": version(), "name": "时效指标", "weight": "5", "rule_type": "steps",
        "rule_params": "full_at=abc"})
    assert response.status_code == 200 and 'id="err-rule_params"' in _text(response)
    response = client.post(url, data={"version": version(), "action": "remove",
                                      "id": str(leaf.id)})
    assert response.status_code == 302
    assert "末级指标分值之和为" not in _text(client.get(
        f"/evaluations/{evaluation.id}/edit/tree"))


def test_evidence_upload_download_and_refusals(draft, login, db_session):
    import io

    evaluation, preparer = draft
    leaf = next(i for i in evaluation.indicators if i.is_leaf)
    db_session.commit()
    client = login(preparer)
    url = f"/evaluations/{evaluation.id}/indicators/{leaf.id}/evidence"
    response = client.post(url, data={"version": evaluation.version,
                                      "file": (io.BytesIO(b"MZ\x90"), "virus.exe")},
                           content_type="multipart/form-data")
    assert response.status_code == 200 and "不支持的文件类型" in _text(response)
    assert db_session.scalar(select(func.count()).select_from(Evidence)) == 0
    response = client.post(url, data={"version": evaluation.version,
                                      "file": (io.BytesIO(PDF), "验收单.pdf")},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    evidence = db_session.scalars(select(Evidence)).one()
    download = client.get(f"/evaluations/{evaluation.id}/evidence/{evidence.id}")
    assert download.data == PDF and download.headers["X-Content-SHA256"] == evidence.sha256


def test_create_from_template_in_the_browser_flow(templates, make, login, db_session):
    unit = make.unit()
    preparer = make.user(unit, is_preparer=True)
    db_session.commit()
    client = login(preparer)
    assert "部门整体支出绩效自评表" in _text(client.get("/evaluations/new"))
    template = templates["unit_whole_2021"]
    response = client.post("/evaluations/new", data={"template": str(template.id),
                                                      "fiscal_year": "", "project_name": ""})
    assert response.status_code == 200
    page = _text(response)
    assert "请填写年度" in page and "请填写项目名称" in page
    assert db_session.scalar(select(func.count()).select_from(Evaluation)) == 0
    response = client.post("/evaluations/new", data={
        "template": str(template.id), "fiscal_year": "2024",
        "project_name": "2024年度整体支出"})
    assert response.status_code == 302
    evaluation = db_session.scalars(select(Evaluation)).one()
    page = _text(client.get(f"/evaluations/{evaluation.id}/edit/scores"))
    assert page.count('class="leaf ') == 33
    assert 'data-total="computed">0<' in page


def _as(login, user):
    """A client of `user`; Flask-Login caches the user on `g`, which the tests' shared app
    context would carry from one request to the next."""
    from flask import g

    g.pop("_login_user", None)
    return login(user)


def test_non_draft_and_other_users_cannot_edit(draft, login, db_session, make):
    evaluation, preparer = draft
    colleague = make.user(evaluation.unit)
    outsider = make.user(is_preparer=True)
    db_session.commit()
    url = f"/evaluations/{evaluation.id}/edit/header"
    assert _as(login, colleague).get(url).status_code == 403
    assert _as(login, outsider).get(url).status_code == 404
    evaluation.state = EvaluationState.TEAM_REVIEW  # test-only setup
    db_session.commit()
    assert _as(login, preparer).get(url).status_code == 302  # to the read view, with why
    page = _text(login(preparer).get(f"/evaluations/{evaluation.id}"))
    assert 'id="edit-button"' not in page
