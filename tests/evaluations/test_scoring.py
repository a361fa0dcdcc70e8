"""The pure scoring engine: real figures from the seeds, parsing, and properties of every rule."""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workflow_app.evaluations import scoring
from workflow_app.evaluations.frameworks import (
    FRAMEWORKS,
    UnknownFrameworkError,
    framework_choices,
    load_framework,
)
from workflow_app.evaluations.models import RuleType
from workflow_app.evaluations.scoring import (
    PROJECT_2020,
    RULE_TYPES,
    UNIT_WHOLE,
    ScoringError,
    grade_for,
    parse_actual,
    parse_target,
    score_document,
    score_indicator,
    score_tree,
    validate_tree,
)

SEEDS = Path(scoring.__file__).resolve().parent.parent / "seed_examples"
D = Decimal


def load_seed(name: str) -> dict:
    return json.loads((SEEDS / f"{name}.json").read_text(encoding="utf-8"))


def leaves(nodes):
    for node in nodes:
        if node.get("children"):
            yield from leaves(node["children"])
        else:
            yield node


def find(doc: dict, name: str) -> dict:
    return next(leaf for leaf in leaves(doc["indicators"]) if leaf["name"] == name)


# --------------------------------------------------------------------------- seed 001


@pytest.fixture(scope="module")
def seed001():
    return load_seed("seed001")


def test_seed001_entered_total_is_the_printed_96_5_and_excellent(seed001):
    result = score_document(seed001)
    assert result.entered_total == D("96.5")
    assert result.entered_grade == "优秀"
    assert result.problems == []


def test_seed001_computed_total_is_95_8_with_only_the_carry_over_rate_flagged(seed001):
    result = score_document(seed001)
    assert result.computed_total == D("95.8")
    assert result.computed_grade == "优秀"
    assert result.flagged == ["2.1.4"]
    assert result.uncomputed == []
    assert result.nodes["2"].entered == D("38.5")
    assert result.nodes["2"].computed == D("37.8")
    assert result.nodes["2.1"].entered == D("23.5")


def test_seed001_carry_over_rate_35_percent_computes_0_8_and_explains(seed001):
    leaf = find(seed001, "资金结余结转率")
    assert leaf["actual"] == "35%"
    result = score_indicator(leaf)
    assert result.computed == D("0.8")
    assert result.entered == D("1.5")
    assert result.flagged
    assert result.difference == D("0.7")
    assert "计算得 0.8 分，填报得分 1.5 分，相差 0.7 分" in result.explanation
    assert "每5个百分点为一档" in result.explanation


def test_seed001_shape(seed001):
    assert len(list(leaves(seed001["indicators"]))) == 33
    assert [n["weight"] for n in seed001["indicators"]] == ["20", "40", "25", "15"]
    assert sum(D(leaf["weight"]) for leaf in leaves(seed001["indicators"])) == D("100")
    assert sum(D(leaf["score"]) for leaf in leaves(seed001["indicators"])) == D("96.5")
    assert len(seed001["sub_projects"]) == 22
    assert sum(D(p["budget"]) for p in seed001["sub_projects"]) == D("580.01")
    assert seed001["funding"] == [{"source": "local", "initial": "977.56", "planned": "1308.05",
                                   "arrived": "1308.05", "spent": "906.09"}]
    assert [m["username"] for m in seed001["team"]][:3] == ["leader", "member1", "member2"]
    assert len(seed001["team"]) == 7
    assert [m["role"] for m in seed001["team"]].count("leader") == 1


def test_seed001_other_printed_figures(seed001):
    assert score_indicator(find(seed001, "收入预算完成率")).computed == D("2")
    assert score_indicator(find(seed001, "“三公经费”控制率")).computed == D("2")
    assert score_indicator(find(seed001, "支出进度")).computed == D("3")
    assert score_indicator(find(seed001, "绩效目标科学性")).computed == D("6.5")
    assert score_indicator(find(seed001, "部门整体效益")).computed == D("8")


def test_seed001_framework_matches_the_seed_tree(seed001):
    framework = load_framework("unit_whole_2021")
    fw_leaves = list(leaves(framework["indicators"]))
    seed_leaves = list(leaves(seed001["indicators"]))
    assert [(x["code"], x["name"], x["weight"], x["rule"]) for x in fw_leaves] == [
        (x["code"], x["name"], x["weight"], x["rule"]) for x in seed_leaves]


# --------------------------------------------------------------------------- seed 000


def test_seed000_scores_100_and_excellent():
    doc = load_seed("seed000")
    result = score_document(doc)
    assert result.entered_total == D("100")
    assert result.computed_total == D("100")
    assert result.entered_grade == result.computed_grade == "优秀"
    assert result.problems == []
    assert [n["weight"] for n in doc["indicators"]] == ["40", "10", "40", "10"]
    assert [m["username"] for m in doc["team"]] == [
        "zhang_zj", "wang_wq", "feng_yy", "jiang_wx", "he_bh"]
    assert [m["role"] for m in doc["team"]] == ["leader", "deputy", "member", "member", "member"]


# --------------------------------------------------------------------------- frameworks


@pytest.mark.parametrize("key", FRAMEWORKS)
def test_framework_leaf_weights_sum_to_total_and_rules_are_valid(key):
    framework = load_framework(key)
    assert framework["key"] == key
    total = D(framework["total_weight"])
    assert sum(D(leaf["weight"]) for leaf in leaves(framework["indicators"])) == total
    problems = validate_tree(framework["indicators"], total)
    # A template has no scores yet; everything else must be clean.
    assert [p for p in problems if p.kind != "missing_score"] == []
    for leaf in leaves(framework["indicators"]):
        scoring.validate_rule(leaf["rule"])
        assert "score" not in leaf and "actual" not in leaf


def test_framework_first_levels():
    assert [(n["name"], n["weight"]) for n in load_framework("project_2020")["indicators"]] == [
        ("决策", "20"), ("过程", "20"), ("产出", "40"), ("效益", "20")]
    assert [n["weight"] for n in load_framework("project_table_2020")["indicators"]] == [
        "10", "50", "30", "10"]
    assert len(list(leaves(load_framework("unit_whole_2021")["indicators"]))) == 33


def test_load_framework_returns_independent_copies_and_rejects_unknown_keys():
    first = load_framework("project_2020")
    first["indicators"].clear()
    assert load_framework("project_2020")["indicators"]
    with pytest.raises(UnknownFrameworkError, match="未知的指标框架"):
        load_framework("nope")
    assert [key for key, _ in framework_choices()] == FRAMEWORKS


# --------------------------------------------------------------------------- parsing


@pytest.mark.parametrize(("text", "op", "value", "unit"), [
    ("≥95%", ">=", "95", "%"),
    (">=95%", ">=", "95", "%"),
    ("≤30天", "<=", "30", "天"),
    ("=44人", "=", "44", "人"),
    ("≥14次", ">=", "14", "次"),
    ("10000余件", ">=", "10000", "件"),
    ("95%以上", ">=", "95", "%"),
    ("30天以内", "<=", "30", "天"),
    ("＞９０％", ">", "90", "%"),
    ("不超过5万元", "<=", "5", "万元"),
    ("4次", ">=", "4", "次"),
])
def test_parse_target_compare(text, op, value, unit):
    target = parse_target(text)
    assert (target.kind, target.op, target.value, target.unit) == ("compare", op, D(value), unit)


def test_parse_target_other_kinds():
    assert parse_target("是否按时完成").kind == "yes_no"
    assert parse_target("保障政府网站顺利开展").kind == "text"
    assert parse_target("2个季度完成验收工作").kind == "text"
    assert parse_target("").kind == "empty"
    assert parse_target("10000余件").qualifier == "余"
    assert parse_target("≤30天").lower_is_better


@pytest.mark.parametrize(("text", "kind", "value", "unit"), [
    ("100%", "number", "100", "%"),
    ("97.38%", "number", "97.38", "%"),
    ("35%", "number", "35", "%"),
    ("11000余件", "number", "11000", "件"),
    ("1", "number", "1", ""),
    ("是", "yes", None, ""),
    ("按时", "yes", None, ""),
    ("否", "no", None, ""),
    ("未完成", "no", None, ""),
    ("较为满意", "text", None, ""),
    ("", "empty", None, ""),
])
def test_parse_actual(text, kind, value, unit):
    actual = parse_actual(text)
    assert actual.kind == kind
    assert actual.value == (D(value) if value else None)
    assert actual.unit == unit


# --------------------------------------------------------------------------- grades


@pytest.mark.parametrize(("total", "project", "unit"), [
    ("100", "优", "优秀"), ("90", "优", "优秀"), ("89.99", "良", "优秀"), ("85", "良", "优秀"),
    ("84.99", "良", "良好"), ("80", "良", "良好"), ("75", "中", "良好"), ("74.99", "中", "一般"),
    ("60", "中", "一般"), ("59.99", "差", "较差"), ("0", "差", "较差"),
])
def test_grade_schemes(total, project, unit):
    assert grade_for(total, PROJECT_2020) == project
    assert grade_for(total, UNIT_WHOLE) == unit


def test_grade_scheme_errors():
    with pytest.raises(ScoringError, match="等级"):
        grade_for("90", {"bands": []})
    with pytest.raises(ScoringError, match="浮点数"):
        grade_for(90.0, PROJECT_2020)


# --------------------------------------------------------------------------- rule examples


def one(rule_type, weight, actual, score=None, target="", **params):
    return score_indicator({"code": "1.1.1", "name": "测试指标", "weight": weight,
                            "actual": actual, "score": score, "target": target,
                            "rule": {"type": rule_type, "params": params}})


@pytest.mark.parametrize(("rule_type", "weight", "actual", "params", "target", "expected"), [
    ("band_higher", "2", "100%", {}, "", "2"),
    ("band_higher", "2", "90%", {}, "", "1"),
    ("band_higher", "2", "85%", {}, "", "0"),
    ("band_lower", "2", "0", {}, "", "2"),
    ("band_lower", "2", "3%", {}, "", "1.4"),
    ("band_lower", "2", "10%", {}, "", "0"),
    ("steps", "2", "35%", {}, "", "0.8"),
    ("steps", "2", "5%", {}, "", "2"),
    ("steps", "2", "6%", {}, "", "1.8"),
    ("steps", "2", "50%", {}, "", "0"),
    ("over_cap", "2", "100.5%", {}, "", "1.5"),
    ("over_cap", "2", "103%", {}, "", "0"),
    ("rate", "4", "97.38%", {}, "", "3.90"),
    ("rate", "4", "120%", {}, "", "4"),
    ("deductions", "7", "1", {"deduct": "0.5"}, "", "6.5"),
    ("deductions", "1", "1", {"deduct_fraction": "0.5"}, "", "0.5"),
    ("deductions", "6", "3", {"deduct": "2.25"}, "", "0"),
    ("per_miss", "4", "1", {}, "", "3"),
    ("satisfaction", "6", "90%", {}, "", "6"),
    ("satisfaction", "6", "85%", {}, "", "4.5"),
    ("satisfaction", "6", "60%", {}, "", "1.5"),
    ("satisfaction", "6", "59%", {}, "", "0"),
    ("yes_no", "2", "是", {}, "", "2"),
    ("yes_no", "2", "否", {}, "", "0"),
    ("target_ratio", "10", "12次", {}, "≥14次", "8.57"),
    ("target_ratio", "10", "15次", {}, "≥14次", "10"),
    ("target_ratio", "10", "40天", {}, "≤30天", "7.5"),
    ("target_ratio", "10", "44人", {}, "=44人", "10"),
    ("target_ratio", "10", "33人", {}, "=44人", "7.5"),
    ("target_ratio", "10", "否", {}, "是否按时完成", "0"),
    ("target_ratio", "2", "11000余件", {}, "10000余件", "2"),
])
def test_rule_examples(rule_type, weight, actual, params, target, expected):
    assert one(rule_type, weight, actual, target=target, **params).computed == D(expected)


def test_manual_rule_keeps_a_score_inside_its_tier_and_clamps_outside():
    assert one("manual", "10", "达成", "9").computed == D("9")
    inside_partial = one("manual", "10", "部分达成", "7")
    assert inside_partial.computed == D("7") and not inside_partial.flagged
    too_high = one("manual", "10", "部分达成", "10")
    assert too_high.computed == D("8") and too_high.flagged
    assert "6–8 分之间" in too_high.explanation
    assert one("manual", "10", "", "9", tier="达成").computed == D("9")
    missing = one("manual", "10", "达成")
    assert missing.computed is None and "尚未填报得分" in missing.explanation


def test_missing_or_unreadable_actual_gives_no_computed_score():
    missing = one("steps", "2", "", "1.5")
    assert missing.computed is None and not missing.flagged
    assert "实际完成值未填写" in missing.explanation
    assert one("rate", "2", "较为满意").computed is None
    assert one("target_ratio", "2", "5", target="保障网站运行").computed is None
    assert one("target_ratio", "2", "5天", target="≥5次").computed is None


def test_explanation_when_scores_agree_or_score_missing():
    assert one("rate", "2", "100%", "2").explanation.endswith("与填报得分一致")
    assert one("rate", "2", "100%").explanation.endswith("尚未填报得分")


# --------------------------------------------------------------------------- bad params


@pytest.mark.parametrize(("rule", "message"), [
    ({"type": "magic"}, "未知的评分规则类型"),
    ({"type": "steps", "params": {"stepp": "5"}}, "不支持参数"),
    ({"type": "steps", "params": {"step": "0"}}, "必须大于 0"),
    ({"type": "steps", "params": {"step": "abc"}}, "不是有效的数字"),
    ({"type": "band_higher", "params": {"full_at": "80", "zero_at": "90"}}, "必须高于零分线"),
    ({"type": "band_lower", "params": {"full_at": "10", "zero_at": "0"}}, "必须低于零分线"),
    ({"type": "deductions", "params": {}}, "deduct"),
    ({"type": "deductions", "params": {"deduct": "-1"}}, "不能为负数"),
    ({"type": "over_cap", "params": {"step": 0.1}}, "浮点数"),
    ({"type": "manual", "params": {"tier": "优秀"}}, "不是已定义的档次"),
    ({"type": "manual", "params": {"tiers": [{"name": "达成", "min": "0.9", "max": "0.8"}]}},
     "区间"),
    ({"type": "satisfaction", "params": {"zero_below": "95"}}, "不能高于满分线"),
    ("steps", "评分规则必须是"),
])
def test_bad_rules_raise_scoring_error_in_chinese(rule, message):
    leaf = {"name": "测试", "weight": "2", "actual": "10%", "score": "1", "rule": rule}
    with pytest.raises(ScoringError, match=message):
        score_indicator(leaf)
    with pytest.raises(ScoringError):
        scoring.validate_rule(rule)


@pytest.mark.parametrize("rule_type", list(RuleType))
def test_a_bad_rule_is_named_as_the_editor_names_it(rule_type):
    """The message about a rule's params names the rule by the label of the editor's choice."""
    with pytest.raises(ScoringError) as refused:
        scoring.validate_rule({"type": rule_type.value, "params": {"no_such_param": "1"}})
    assert f"评分规则「{rule_type.label}」不支持参数 no_such_param" in str(refused.value)


def test_float_weight_is_refused():
    with pytest.raises(ScoringError, match="浮点数"):
        score_indicator({"weight": 2.0, "actual": "1", "rule": {"type": "rate"}})


def test_score_tree_reports_a_bad_rule_instead_of_raising():
    tree = [{"name": "一", "weight": "10", "children": [{"name": "二", "weight": "10", "children": [
        {"name": "甲", "weight": "5", "actual": "100%", "score": "5", "rule": {"type": "rate"}},
        {"name": "乙", "weight": "5", "actual": "1", "score": "5", "rule": {"type": "magic"}},
    ]}]}]
    result = score_tree(tree, "10", PROJECT_2020)
    assert [(p.code, p.kind) for p in result.problems] == [("1.1.2", "rule")]
    assert result.uncomputed == ["1.1.2"]
    assert result.computed_total == D("5")


# --------------------------------------------------------------------------- validation


def small_tree(**overrides):
    leaf_a = {"name": "甲", "weight": "6", "actual": "达成", "score": "6",
              "rule": {"type": "manual"}}
    leaf_b = {"name": "乙", "weight": "4", "target": "≥14次", "actual": "14次", "score": "4",
              "rule": {"type": "target_ratio"}}
    leaf_a.update(overrides.get("a", {}))
    leaf_b.update(overrides.get("b", {}))
    return [{"name": "产出", "weight": overrides.get("top", "10"), "children": [
        {"name": "数量", "weight": "10", "children": [leaf_a, leaf_b]}]}]


def kinds(problems):
    return [(p.code, p.kind) for p in problems]


def test_validate_clean_tree():
    assert validate_tree(small_tree(), "10") == []


def test_validate_weight_sum_and_node_weight():
    assert ("", "weight_sum") in kinds(validate_tree(small_tree(), "100"))
    problems = validate_tree(small_tree(top="12"), "10")
    assert kinds(problems) == [("1", "node_weight")]
    assert "与下级指标分值之和 10 不一致" in problems[0].message


def test_validate_score_range_and_reasons():
    assert kinds(validate_tree(small_tree(a={"score": "7"}), "10")) == [("1.1.1", "score_range")]
    assert kinds(validate_tree(small_tree(a={"score": "-1"}), "10")) == [("1.1.1", "score_range")]
    assert kinds(validate_tree(small_tree(a={"score": "5"}), "10")) == [("1.1.1", "score_reason")]
    assert validate_tree(small_tree(a={"score": "5", "score_reason": "部分工作滞后"}), "10") == []
    missed = validate_tree(small_tree(b={"actual": "12次", "score": "3.43"}), "10")
    assert kinds(missed) == [("1.1.2", "deviation_reason")]
    assert "偏差原因" in missed[0].message
    assert validate_tree(small_tree(b={"actual": "12次", "score": "3.43",
                                       "deviation_reason": "疫情影响"}), "10") == []
    assert kinds(validate_tree(small_tree(b={"score": None}), "10")) == [
        ("1.1.2", "missing_score")]


def test_validate_depth():
    tree = [{"name": "一", "weight": "10", "children": [{"name": "二", "weight": "10", "children": [
        {"name": "三", "weight": "10", "children": [
            {"name": "四", "weight": "10", "actual": "1", "score": "10",
             "rule": {"type": "yes_no"}},
        ]}]}]}]
    assert ("1.1.1.1", "depth") in kinds(validate_tree(tree, "10"))


# --------------------------------------------------------------------------- not applicable


def test_not_applicable_leaf_is_dropped_and_the_rest_rescaled():
    tree = small_tree(b={"not_applicable": True, "score": None})
    result = score_tree(tree, "10", PROJECT_2020)
    assert result.problems == []
    assert result.scale == D("10") / D("6")
    assert result.entered_total == D("10")
    assert result.leaves["1.1.2"].not_applicable
    assert result.nodes["1.1"].entered == D("6")


@settings(max_examples=200, deadline=None)
@given(
    weights=st.lists(st.integers(min_value=1, max_value=40), min_size=2, max_size=8),
    data=st.data(),
)
def test_not_applicable_rescaling_keeps_the_total(weights, data):
    total = sum(weights)
    na = data.draw(st.sets(st.integers(0, len(weights) - 1), max_size=len(weights) - 1))
    children = [{"name": f"指标{i}", "weight": str(w), "actual": "是", "score": str(w),
                 "not_applicable": i in na, "rule": {"type": "yes_no"}}
                for i, w in enumerate(weights)]
    tree = [{"name": "一级", "weight": str(total), "children": [
        {"name": "二级", "weight": str(total), "children": children}]}]
    result = score_tree(tree, str(total), PROJECT_2020)
    # Full marks on every applicable leaf must still add up to the full total.
    assert result.entered_total == result.computed_total == D(total)
    assert result.problems == []


# --------------------------------------------------------------------------- properties

weights = st.decimals(min_value=D("0.5"), max_value=D("40"), places=2)
percent = st.decimals(min_value=D("0"), max_value=D("200"), places=2)
count = st.integers(min_value=0, max_value=30)


def assert_monotone(rule_type, weight, worse, better, **params):
    """Score stays within [0, w] and does not drop as the actual improves (worse → better)."""
    low = one(rule_type, str(weight), worse, **params).computed
    high = one(rule_type, str(weight), better, **params).computed
    for value in (low, high):
        assert value is not None
        assert D(0) <= value <= weight
    assert low <= high


def ordered(a, b, higher_is_better=True):
    lo, hi = sorted((a, b))
    return (lo, hi) if higher_is_better else (hi, lo)


@given(weights, percent, percent)
def test_property_band_higher(w, a, b):
    worse, better = ordered(a, b)
    assert_monotone("band_higher", w, f"{worse}%", f"{better}%")


@given(weights, percent, percent, st.decimals(min_value=D("0.01"), max_value=D("1"), places=2))
def test_property_band_higher_custom_cost(w, a, b, cost):
    worse, better = ordered(a, b)
    assert_monotone("band_higher", w, f"{worse}%", f"{better}%",
                    full_at="90", zero_at="60", step_cost=str(cost))


@given(weights, percent, percent)
def test_property_band_lower(w, a, b):
    worse, better = ordered(a, b, higher_is_better=False)
    assert_monotone("band_lower", w, f"{worse}%", f"{better}%")


@given(weights, percent, percent)
def test_property_steps(w, a, b):
    worse, better = ordered(a, b, higher_is_better=False)
    assert_monotone("steps", w, f"{worse}%", f"{better}%")


@given(weights, percent, percent)
def test_property_over_cap(w, a, b):
    worse, better = ordered(a, b, higher_is_better=False)
    assert_monotone("over_cap", w, f"{worse}%", f"{better}%")


@given(weights, percent, percent)
def test_property_rate(w, a, b):
    worse, better = ordered(a, b)
    assert_monotone("rate", w, f"{worse}%", f"{better}%")


@given(weights, count, count, st.decimals(min_value=D("0"), max_value=D("5"), places=2))
def test_property_deductions(w, a, b, deduct):
    worse, better = ordered(a, b, higher_is_better=False)
    assert_monotone("deductions", w, str(worse), str(better), deduct=str(deduct))
    assert_monotone("deductions", w, str(worse), str(better), deduct_fraction="0.5")


@given(weights, count, count)
def test_property_per_miss(w, a, b):
    worse, better = ordered(a, b, higher_is_better=False)
    assert_monotone("per_miss", w, str(worse), str(better))


@given(weights, percent, percent)
def test_property_satisfaction(w, a, b):
    worse, better = ordered(a, b)
    assert_monotone("satisfaction", w, f"{worse}%", f"{better}%")


@given(weights, st.booleans(), st.booleans())
def test_property_yes_no(w, a, b):
    worse, better = ordered(a, b)
    assert_monotone("yes_no", w, "是" if worse else "否", "是" if better else "否")


@given(weights, st.integers(0, 500), st.integers(0, 500), st.integers(1, 300),
       st.sampled_from(["≥", ">", "", "≤", "<"]))
def test_property_target_ratio(w, a, b, t, op):
    higher = op not in ("≤", "<")
    worse, better = ordered(a, b, higher_is_better=higher)
    assert_monotone("target_ratio", w, f"{worse}次", f"{better}次", target=f"{op}{t}次")


TIERS = ["未达成", "部分达成", "达成"]


@given(weights, st.integers(0, 2), st.integers(0, 2),
       st.decimals(min_value=D("0"), max_value=D("1"), places=2))
def test_property_manual(w, a, b, share):
    worse, better = sorted((a, b))
    score = str((w * share).quantize(D("0.01")))
    low = one("manual", str(w), TIERS[worse], score).computed
    high = one("manual", str(w), TIERS[better], score).computed
    assert D(0) <= low <= high <= w


def test_every_rule_type_has_a_property_test():
    tested = {"band_higher", "band_lower", "steps", "over_cap", "rate", "deductions",
              "per_miss", "satisfaction", "yes_no", "target_ratio", "manual", "not_applicable"}
    assert set(RULE_TYPES) == tested


def test_seed_documents_are_not_mutated_by_scoring(seed001):
    before = copy.deepcopy(seed001)
    score_document(seed001)
    assert seed001 == before
