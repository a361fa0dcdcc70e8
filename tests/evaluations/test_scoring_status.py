"""Honest totals: every leaf has a status, an unreadable leaf is open (never 0), inferred rules
are named, contradictions and funding-rate differences are flagged."""

from __future__ import annotations

from decimal import Decimal

from workflow_app.evaluations.scoring import (
    COMPUTED,
    NEEDS_JUDGEMENT,
    NOT_APPLICABLE,
    PROJECT_2020,
    score_document,
    score_indicator,
    score_tree,
)

D = Decimal


def leaf(name, weight, target, actual, score=None, rule=None, **extra):
    return {"name": name, "weight": weight, "target": target, "actual": actual, "score": score,
            "rule": rule, **extra}


def tree(*leaves):
    total = sum(D(x["weight"]) for x in leaves)
    return [{"name": "产出指标", "weight": str(total), "children": [
        {"name": "数量指标", "weight": str(total), "children": list(leaves)}]}]


def test_unreadable_leaves_are_open_not_zero_and_the_summary_counts_them():
    indicators = tree(
        leaf("考核次数", "40", "≥14次", "15次", "40"),
        leaf("社会效益", "30", "保障政府网站顺利开展", "顺利开展", "30"),
        leaf("满意度", "30", "≥95%", "", "30"),
    )
    result = score_tree(indicators, "100", PROJECT_2020)
    assert result.leaves["1.1.1"].status == COMPUTED
    assert result.leaves["1.1.1"].computed == D("40")
    open_leaf = result.leaves["1.1.2"]
    assert open_leaf.status == NEEDS_JUDGEMENT and open_leaf.computed is None
    assert "须选择定性档次" in open_leaf.reason
    assert result.leaves["1.1.3"].status == NEEDS_JUDGEMENT
    assert result.leaves["1.1.3"].reason == "实际完成值未填写"
    assert result.computed_total == D("40")
    assert result.open == ["1.1.2", "1.1.3"]
    assert result.computed_summary == "系统计算 40，另有 2 项需人工判断"
    assert not result.computed_complete


def test_seed_like_complete_tree_has_no_open_leaves():
    result = score_tree(tree(leaf("考核次数", "10", "≥14次", "14次", "10")), "10", PROJECT_2020)
    assert result.computed_summary == "系统计算 10"
    assert result.computed_complete


def test_not_applicable_status():
    res = score_indicator(leaf("甲", "5", "≥1次", "", not_applicable=True))
    assert res.status == NOT_APPLICABLE and res.computed is None


def test_inferred_rules_are_named_in_the_explanation():
    ratio = score_indicator(leaf("组织考核次数", "10", "≥14次", "12次"))
    assert ratio.computed == D("8.57") and ratio.inferred == "按≥目标值比例计分"
    assert "未设置评分规则" in ratio.explanation and "按≥目标值比例计分" in ratio.explanation
    deadline = score_indicator(leaf("完成时限", "5", "2021年12月底前", "2021年11月完成"))
    assert deadline.computed == D("5") and deadline.inferred == "按期限判断"
    late = score_indicator(leaf("完成时限", "5", "2021年6月30日前", "2021年8月"))
    assert late.computed == D("0")
    words = score_indicator(leaf("完成及时性", "5", "12月底前", "延期完成"))
    assert words.computed == D("0")
    ceiling = score_indicator(leaf("项目总成本", "8", "90万元", "100万元"))
    assert ceiling.computed == D("7.2") and ceiling.inferred == "按≤目标值比例计分"


def test_satisfaction_uses_the_leaf_own_target():
    own = score_indicator(leaf("服务对象满意度", "10", "≥95%", "95%", "10"))
    assert own.computed == D("10") and own.rule_type == "satisfaction"
    below = score_indicator(leaf("服务对象满意度", "10", "≥95%", "92%",
                                 rule={"type": "satisfaction"}))
    assert below.computed == D("8.5")
    explicit = score_indicator(leaf("服务对象满意度", "10", "≥95%", "92%",
                                    rule={"type": "satisfaction", "params": {"full_at": "90"}}))
    assert explicit.computed == D("10")
    assert [f.code for f in explicit.flags] == ["rule_contradicts_target"]


def test_rate_rule_uses_the_leaf_own_target():
    res = score_indicator(leaf("政府采购执行率", "4", "≥95%", "95%", rule={"type": "rate"}))
    assert res.computed == D("4")
    assert "年度指标值（≥95%）" in res.explanation


def test_a_rule_that_contradicts_its_target_is_flagged():
    res = score_indicator(leaf("处理时限", "2", "≤30天", "20天", rule={"type": "band_higher"}))
    assert "rule_contradicts_target" in [f.code for f in res.flags]


def test_manual_tier_inferred_from_the_actual_and_the_score_checked_against_its_band():
    good = score_indicator(leaf("社会效益", "10", "效果明显", "达成预期指标", "10"))
    assert good.status == COMPUTED and good.tier == "达成" and good.computed == D("10")
    partial = score_indicator(leaf("社会效益", "10", "效果明显", "基本达成", "10"))
    assert partial.tier == "部分达成" and partial.computed == D("8") and partial.flagged
    assert "score_outside_tier" in [f.code for f in partial.flags]
    no_score = score_indicator(leaf("社会效益", "10", "效果明显", "效果明显"))
    assert no_score.status == NEEDS_JUDGEMENT and "8–10 分之间" in no_score.reason


def test_execution_rate_is_computed_from_the_funding_table_and_a_different_one_flagged():
    doc = {"total_weight": "10", "grade_scheme": PROJECT_2020,
           "funding": [{"planned": "100", "arrived": "100", "spent": "90"}],
           "indicators": tree(leaf("预算执行率", "10", "≥95%", "100%", "10"))}
    result = score_document(doc)
    res = result.leaves["1.1.1"]
    assert [f.code for f in res.flags][:1] == ["rate_differs_from_funding"]
    assert "90%" in res.flags[0].message
    doc["indicators"] = tree(leaf("预算执行率", "10", "≥95%", "", "10"))
    filled = score_document(doc).leaves["1.1.1"]
    assert filled.computed == D("9.47") and "按资金表计算" in filled.explanation


def test_money_in_yuan_and_wan_yuan_is_converted_and_a_magnitude_slip_flagged():
    converted = score_indicator(leaf("项目总成本", "8", "≤90万元", "899740元"))
    assert converted.computed == D("8") and not converted.flags
    slip = score_indicator(leaf("项目总成本", "8", "≤90万元", "89.97元"))
    assert "money_magnitude" in [f.code for f in slip.flags]


def test_an_open_qualitative_leaf_with_a_numeric_target_names_the_rule_it_could_use():
    res = score_indicator(leaf("培训人次", "10", "≥280人次", "300人次", "10",
                               rule={"type": "manual"}))
    assert res.status == NEEDS_JUDGEMENT
    assert "可按≥目标值比例计分" in res.reason
    assert "rule_contradicts_target" in [f.code for f in res.flags]
