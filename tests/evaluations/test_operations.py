"""Content edits without HTTP: each edit, stale versions, non-draft refusal, Chinese messages,
evidence checks, and creation from a template."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from tests.factories import walk_states
from workflow_app.audit.models import AuditEvent
from workflow_app.evaluations import operations as ops
from workflow_app.evaluations.document import to_document
from workflow_app.evaluations.models import Evidence, FundingSourceKind, Indicator
from workflow_app.evaluations.scorecard import build_scorecard, score_evaluation
from workflow_app.evaluations.scoring import validate_tree
from workflow_app.workflow.states import EvaluationState, TeamRole

PDF = b"%PDF-1.4\n" + b"x" * 100


def _leaves(evaluation):
    return [i for i in evaluation.indicators if i.is_leaf]


def _edits(db_session):
    return db_session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "edit"))


# ----------------------------------------------------------------------------- header


def test_update_header_changes_fields_bumps_version_and_audits(draft, db_session):
    evaluation, preparer = draft
    version = evaluation.version
    ops.update_header(evaluation, preparer, version, {
        "kind": "project", "fiscal_year": "2023", "project_name": " 政府网站运维 ",
        "timing": "ex_post", "method": "self", "period_start": "2023-01-01",
        "period_end": "2023-12-31", "project_leader_phone": "0311-8401 2345",
        "overall_goal": "保障网站安全运行\n信息发布及时"})
    assert evaluation.project_name == "政府网站运维"
    assert evaluation.fiscal_year == 2023
    assert evaluation.overall_goal == "保障网站安全运行\n信息发布及时"
    assert evaluation.version > version
    event = db_session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert event.action == "edit" and event.detail["part"] == "header"
    assert "project_name" in event.detail["fields"]


def test_header_errors_are_chinese_per_field_and_change_nothing(draft, db_session):
    evaluation, preparer = draft
    name, version = evaluation.project_name, evaluation.version
    with pytest.raises(ops.ValidationFailed) as exc:
        ops.update_header(evaluation, preparer, version, {
            "kind": "project", "fiscal_year": "1999", "project_name": "",
            "timing": "later", "method": "self", "period_start": "2023-05-01",
            "period_end": "2023-01-01", "report_date": "2023-13-01",
            "preparer_phone": "call me"})
    errors = exc.value.errors
    assert errors["project_name"] == "请填写项目名称"
    assert "2000 至 2100" in errors["fiscal_year"]
    assert errors["timing"] == "请选择评价时点"
    assert "不能早于开始日期" in errors["period_end"]
    assert "不是有效日期" in errors["report_date"]
    assert "只能包含数字" in errors["preparer_phone"]
    assert evaluation.project_name == name and evaluation.version == version
    assert _edits(db_session) == 0


# ----------------------------------------------------------------------------- stale / state


def test_stale_version_is_refused_with_instructions_and_nothing_changes(draft, db_session):
    evaluation, preparer = draft
    old = evaluation.version
    ops.update_header(evaluation, preparer, old, {"project_name": "第一人保存"}, partial=True)
    with pytest.raises(ops.StaleVersion) as exc:
        ops.update_header(evaluation, preparer, old, {"project_name": "第二人保存"},
                          partial=True)
    assert "已被他人修改" in str(exc.value) and "请刷新页面后重新填写" in str(exc.value)
    assert evaluation.project_name == "第一人保存"
    leaf = _leaves(evaluation)[0]
    with pytest.raises(ops.StaleVersion):
        ops.set_indicator_values(evaluation, preparer, old, {leaf.id: {"score": "1"}})
    assert leaf.score != Decimal(1)


@pytest.mark.parametrize("state", [EvaluationState.TEAM_REVIEW, EvaluationState.PUBLISHED])
def test_non_draft_is_refused(draft, db_session, state):
    evaluation, preparer = draft
    walk_states({evaluation.id: state})  # test-only setup; the workflow moves it in life
    db_session.expire_all()
    leaf = _leaves(evaluation)[0]
    calls = [
        lambda v: ops.update_header(evaluation, preparer, v, {"project_name": "x"},
                                    partial=True),
        lambda v: ops.set_funding(evaluation, preparer, v, []),
        lambda v: ops.set_indicator_values(evaluation, preparer, v, {leaf.id: {"score": "1"}}),
        lambda v: ops.add_indicator(evaluation, preparer, v, name="新指标"),
        lambda v: ops.remove_indicator(evaluation, preparer, v, leaf.id),
        lambda v: ops.add_evidence(evaluation, preparer, v, leaf.id, "a.pdf", PDF),
    ]
    for call in calls:
        with pytest.raises(ops.EditNotAllowed, match="只有草稿可以修改内容"):
            call(evaluation.version)
    assert _edits(db_session) == 0


def test_other_units_preparer_and_non_preparer_are_refused(draft, make):
    evaluation, _ = draft
    outsider = make.user(is_preparer=True)
    colleague = make.user(evaluation.unit)
    for user in (outsider, colleague):
        with pytest.raises(ops.EditNotAllowed, match="无权修改"):
            ops.update_header(evaluation, user, evaluation.version, {"project_name": "x"},
                              partial=True)


# ----------------------------------------------------------------------------- tables


def test_funding_rows_and_rates(draft):
    evaluation, preparer = draft
    ops.set_funding(evaluation, preparer, evaluation.version, [
        {"source": "local", "initial": "977.56", "planned": "1308.05", "arrived": "1308.05",
         "spent": "906.09"},
        {"source": "", "initial": "", "planned": "", "arrived": "", "spent": ""},  # blank row
    ])
    assert len(evaluation.funding) == 1
    row = evaluation.funding[0]
    assert row.source == FundingSourceKind.LOCAL and row.spent == Decimal("906.09")
    rates = ops.funding_rates(evaluation)
    assert rates["arrival_rate"] == 1
    assert rates["execution_rate"].quantize(Decimal("0.0001")) == Decimal("0.6927")


def test_funding_saved_again_upserts_by_source(draft, db_session):
    """Saving funding over existing rows (same source again, one dropped, one added) keeps
    UNIQUE (evaluation, source): the kept row is updated in place."""
    evaluation, preparer = draft
    row = {"source": "local", "initial": "", "planned": "100", "arrived": "90", "spent": "80"}
    ops.set_funding(evaluation, preparer, evaluation.version,
                    [row, {**row, "source": "central"}])
    db_session.commit()
    kept_id = next(f.id for f in evaluation.funding if f.source == FundingSourceKind.LOCAL)
    ops.set_funding(evaluation, preparer, evaluation.version, [row])  # unchanged, one dropped
    db_session.commit()
    ops.set_funding(evaluation, preparer, evaluation.version,
                    [{**row, "spent": "85"}, {**row, "source": "other"}])
    db_session.commit()
    db_session.expire_all()
    assert [(f.source.value, f.spent) for f in evaluation.funding] == [
        ("local", Decimal(85)), ("other", Decimal(80))]
    assert evaluation.funding[0].id == kept_id


def test_funding_tab_is_one_step_an_expense_error_saves_no_funding(draft, db_session):
    evaluation, preparer = draft
    version = evaluation.version
    with pytest.raises(ops.ValidationFailed) as exc:
        ops.set_funding_and_expenses(
            evaluation, preparer, version,
            [{"source": "local", "planned": "10", "arrived": "10", "spent": "5"}],
            [{"category": "办公费", "planned": "x", "actual": "1"}])
    db_session.rollback()
    assert set(exc.value.errors) == {"expenses-0-planned"}
    assert evaluation.funding == [] and evaluation.version == version


def test_funding_errors(draft):
    evaluation, preparer = draft
    with pytest.raises(ops.ValidationFailed) as exc:
        ops.set_funding(evaluation, preparer, evaluation.version, [
            {"source": "local", "planned": "abc", "arrived": "1", "spent": "1"},
            {"source": "local", "planned": "10", "arrived": "12", "spent": "-1"},
            {"source": "central", "planned": "10", "arrived": "5", "spent": "1.23456"},
        ])
    errors = exc.value.errors
    assert errors["funding-0-planned"] == "“全年预算数”不是有效的数字：abc"
    assert "重复" in errors["funding-1-source"]
    assert errors["funding-1-arrived"] == "到位数不能大于全年预算数"
    assert errors["funding-1-spent"] == "“执行数”不能为负数"
    assert errors["funding-2-spent"] == "“执行数”最多保留 4 位小数"
    assert evaluation.funding == []


def test_expenses_sub_projects_sections(draft):
    evaluation, preparer = draft
    ops.set_expenses(evaluation, preparer, evaluation.version, [
        {"category": "办公费", "planned": "10", "actual": "9.5"},
        {"category": "差旅费", "planned": "3", "actual": "2.1"}])
    assert [x.category for x in evaluation.expenses] == ["办公费", "差旅费"]
    ops.set_sub_projects(evaluation, preparer, evaluation.version, [
        {"name": "政府网站技术服务", "budget": "4.5", "executed": "4.5", "returned": "",
         "self_score": "92", "target": "保障网站运行", "achieved": "已完成"}])
    assert evaluation.sub_projects[0].self_score == Decimal(92)
    assert evaluation.sub_projects[0].returned == 0
    with pytest.raises(ops.ValidationFailed) as exc:
        ops.set_sub_projects(evaluation, preparer, evaluation.version, [
            {"name": "", "budget": "1", "executed": "2", "self_score": "101"}])
    assert exc.value.errors == {"subs-0-name": "请填写项目名称",
                                "subs-0-self_score": "“自评得分” 101 超过上限 100",
                                "subs-0-executed": "执行数不能大于预算数"}
    ops.set_sections(evaluation, preparer, evaluation.version, [
        {"key": "basic", "title": "一、基本情况", "body": "概况……"},
        {"key": "", "title": "二、工作开展情况", "body": ""}])
    assert [s.key for s in evaluation.sections] == ["basic", "section_2"]
    # Rewriting with the same keys works (unique per evaluation).
    ops.set_sections(evaluation, preparer, evaluation.version, [
        {"key": "section_2", "title": "二、工作开展情况", "body": "x"},
        {"key": "basic", "title": "一、基本情况", "body": "y"}])
    assert [s.key for s in evaluation.sections] == ["section_2", "basic"]


def test_team_from_unit_users_with_one_leader(draft, make):
    evaluation, preparer = draft
    head = make.user(evaluation.unit, name="组长乙")
    member = make.user(evaluation.unit)
    stranger = make.user()
    ops.set_team(evaluation, preparer, evaluation.version, [
        {"user_id": str(member.id), "role": "member"},
        {"user_id": str(head.id), "role": "leader"}])
    assert [(m.user, m.role) for m in evaluation.team] == [
        (head, TeamRole.LEADER), (member, TeamRole.MEMBER)]
    with pytest.raises(ops.ValidationFailed) as exc:
        ops.set_team(evaluation, preparer, evaluation.version, [
            {"user_id": str(stranger.id), "role": "member"},
            {"user_id": str(head.id), "role": "leader"},
            {"user_id": str(member.id), "role": "leader"}])
    assert exc.value.errors["team-0-user_id"] == "请选择本单位或同一财政局所属单位的在职用户"
    assert exc.value.errors["team"] == "评价工作组只能有一名组长"
    with pytest.raises(ops.ValidationFailed, match="请指定一名组长"):
        ops.set_team(evaluation, preparer, evaluation.version,
                     [{"user_id": str(member.id), "role": "member"}])
    assert len(evaluation.team) == 2


# ----------------------------------------------------------------------------- indicators


def test_indicator_values_and_score_range(draft):
    evaluation, preparer = draft
    first, second = _leaves(evaluation)
    ops.set_indicator_values(evaluation, preparer, evaluation.version, {
        first.id: {"target": "≥12次", "actual": "12次", "score": "60", "score_reason": "",
                   "deviation_reason": "", "not_applicable": ""},
        second.id: {"score": "35.5", "score_reason": "部分未达成"}})
    assert first.target == "≥12次" and second.score == Decimal("35.5")
    with pytest.raises(ops.ValidationFailed) as exc:
        ops.set_indicator_values(evaluation, preparer, evaluation.version, {
            first.id: {"score": "61"}, second.id: {"score": "1.234"}})
    assert exc.value.errors == {f"ind-{first.id}-score": "得分 61 超过分值 60",
                                f"ind-{second.id}-score": "“得分”最多保留 2 位小数"}
    assert first.score == Decimal(60)


def test_tree_add_rename_reorder_move_remove(draft):
    evaluation, preparer = draft
    root = next(i for i in evaluation.indicators if i.parent is None)
    other = ops.add_indicator(evaluation, preparer, evaluation.version, name="效益指标",
                              weight="0")
    leaf = ops.add_indicator(evaluation, preparer, evaluation.version, parent_id=other.id,
                             name="社会效益", weight="10")
    assert (other.level, leaf.level, other.weight) == (1, 2, Decimal(10))
    ops.rename_indicator(evaluation, preparer, evaluation.version, leaf.id, "社会效益指标")
    assert leaf.name == "社会效益指标"
    ops.reorder_indicator(evaluation, preparer, evaluation.version, other.id, -1)
    assert [c for c, i in _codes(evaluation) if i is other] == ["1"]
    quantity = root.children[0]
    ops.move_indicator(evaluation, preparer, evaluation.version, quantity.id, other.id)
    assert quantity.parent is other and other.weight == Decimal(70)
    assert root.weight == Decimal(40)
    with pytest.raises(ops.ValidationFailed, match="最多三级"):
        ops.add_indicator(evaluation, preparer, evaluation.version, parent_id=quantity.id,
                          name="x")  # level 3 is fine …
        ops.add_indicator(evaluation, preparer, evaluation.version,
                          parent_id=quantity.children[0].id, name="y")  # … level 4 is not
    with pytest.raises(ops.ValidationFailed, match="自己或它的下级"):
        ops.move_indicator(evaluation, preparer, evaluation.version, other.id, quantity.id)
    ops.remove_indicator(evaluation, preparer, evaluation.version, other.id)
    assert other not in evaluation.indicators and quantity not in evaluation.indicators
    assert [i.name for _, i in _codes(evaluation)] == ["产出指标", "质量指标"]
    with pytest.raises(ops.ValidationFailed, match="请填写指标名称"):
        ops.rename_indicator(evaluation, preparer, evaluation.version, root.id, "  ")


def _codes(evaluation):
    from workflow_app.evaluations.scorecard import ordered_indicators

    return ordered_indicators(evaluation)


def test_update_indicator_rule_checked_by_engine(draft):
    evaluation, preparer = draft
    leaf = _leaves(evaluation)[0]
    base = {"name": "数量指标", "description": "", "standard": "", "target": "",
            "weight": "60"}
    ops.update_indicator(evaluation, preparer, evaluation.version, leaf.id,
                         {**base, "rule_type": "steps", "rule_params": "full_at=5\nzero_at=50"})
    assert leaf.rule_params == {"full_at": "5", "zero_at": "50"}
    with pytest.raises(ops.ValidationFailed) as exc:
        ops.update_indicator(evaluation, preparer, evaluation.version, leaf.id,
                             {**base, "rule_type": "steps", "rule_params": "colour=red"})
    assert "不支持参数 colour" in exc.value.errors["rule_params"]
    with pytest.raises(ops.ValidationFailed) as exc:
        ops.update_indicator(evaluation, preparer, evaluation.version, leaf.id,
                             {**base, "weight": "50", "rule_type": "manual"})
    assert "分值不能小于已填报的得分 60" in exc.value.errors["weight"]


# ----------------------------------------------------------------------------- evidence


def test_evidence_add_checks_and_remove(draft, app, db_session):
    evaluation, preparer = draft
    leaf = _leaves(evaluation)[0]
    evidence = ops.add_evidence(evaluation, preparer, evaluation.version, leaf.id,
                                "C:\\扫描\\验收单.PDF", PDF)
    assert evidence.filename == "验收单.PDF" and evidence.content_type == "application/pdf"
    assert len(evidence.sha256) == 64 and evidence.size == len(PDF)
    doc = to_document(evaluation)
    assert doc["indicators"][0]["children"][0]["evidence"][0]["sha256"] == evidence.sha256
    cases = [
        ("a.exe", b"MZ....", "不支持的文件类型"),
        ("a.png", PDF, "文件内容与扩展名“.png”不符"),
        ("a.pdf", b"", "文件为空"),
        ("b.pdf", PDF, "内容完全相同"),
    ]
    for name, data, message in cases:
        with pytest.raises(ops.ValidationFailed, match=message):
            ops.add_evidence(evaluation, preparer, evaluation.version, leaf.id, name, data)
    app.config["EVIDENCE_MAX_BYTES"] = 1024
    try:
        with pytest.raises(ops.ValidationFailed, match="不能超过 1 KB"):
            ops.add_evidence(evaluation, preparer, evaluation.version, leaf.id, "big.pdf",
                             PDF + b"y" * 2000)
    finally:
        app.config["EVIDENCE_MAX_BYTES"] = 10 * 1024 * 1024
    root = next(i for i in evaluation.indicators if i.parent is None)
    with pytest.raises(ops.ValidationFailed, match="末级指标"):
        ops.add_evidence(evaluation, preparer, evaluation.version, root.id, "c.pdf", PDF)
    ops.remove_evidence(evaluation, preparer, evaluation.version, evidence.id)
    db_session.flush()
    assert db_session.scalar(select(func.count()).select_from(Evidence)) == 0


# ----------------------------------------------------------------------------- templates


@pytest.mark.parametrize("key, total, levels", [
    ("project_table_2020", "100", {"预算执行率": 10, "产出指标": 50, "效益指标": 30,
                                   "满意度指标": 10}),
    ("project_2020", "100", {"决策": 20, "过程": 20, "产出": 40, "效益": 20}),
    ("unit_whole_2021", "100", {"投入": 20, "过程": 40, "产出": 25, "效果": 15}),
])
def test_create_from_template_yields_the_framework(templates, make, db_session, key, total,
                                                   levels):
    unit = make.unit()
    preparer = make.user(unit, is_preparer=True)
    evaluation = ops.create_from_template(templates[key], unit, preparer, {
        "fiscal_year": "2024", "project_name": "新建项目"})
    assert evaluation.state == EvaluationState.DRAFT
    assert evaluation.template_key == key
    roots = {i.name: i.weight for i in evaluation.root_indicators}
    for name, weight in levels.items():
        assert any(n.startswith(name) and w == weight for n, w in roots.items()), (name, roots)
    doc = to_document(evaluation)
    problems = validate_tree(doc["indicators"], doc["total_weight"])
    assert not [p for p in problems if p.kind in ("weight_sum", "node_weight", "rule")]
    leaves = [i for i in evaluation.indicators if i.is_leaf]
    assert sum(i.weight for i in leaves) == Decimal(total)
    assert all(i.score is None for i in leaves)
    assert evaluation.sections and evaluation.preparer_name == preparer.name
    if key == "unit_whole_2021":
        assert len(leaves) == 33
        assert evaluation.grade_scheme.as_dict()["bands"][0] == {"name": "优秀", "min": "85"}


def test_create_from_template_refuses_bad_header(templates, make):
    unit = make.unit()
    preparer = make.user(unit, is_preparer=True)
    with pytest.raises(ops.ValidationFailed) as exc:
        ops.create_from_template(templates["project_2020"], unit, preparer,
                                 {"fiscal_year": "二〇二四", "project_name": ""})
    assert set(exc.value.errors) == {"fiscal_year", "project_name"}
    with pytest.raises(ops.EditNotAllowed):
        ops.create_from_template(templates["project_2020"], unit, make.user(unit),
                                 {"fiscal_year": "2024", "project_name": "x"})


# ----------------------------------------------------------------------------- seed 001


def test_seed001_scorecard(seed001):
    evaluation, _ = seed001
    result = score_evaluation(evaluation)
    assert result.entered_total == Decimal("96.5")
    assert result.computed_total == Decimal("95.8")
    assert result.entered_grade == "优秀" and result.computed_grade == "优秀"
    flagged = [result.leaves[c] for c in result.flagged]
    assert [f.name for f in flagged] == ["资金结余结转率"]  # 结转结余率 as printed
    assert "0.8" in flagged[0].explanation and "1.5" in flagged[0].explanation
    card = build_scorecard(evaluation)
    assert len([r for r in card.rows if r.indicator.is_leaf]) == 33
    assert [r.node.computed for r in card.level_totals] == [
        card.result.nodes[str(i)].computed for i in range(1, 5)]


def test_preview_overrides_do_not_touch_rows(seed001):
    evaluation, _ = seed001
    card = build_scorecard(evaluation)
    row = next(r for r in card.rows if r.leaf and r.leaf.flagged)
    preview = score_evaluation(evaluation, {row.indicator.id: {"score": "0.8"}})
    assert preview.flagged == [] and preview.entered_total == Decimal("95.8")
    assert row.indicator.score == Decimal("1.5")
    assert isinstance(row.indicator, Indicator)
