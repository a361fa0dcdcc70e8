"""Weights, scores and actual values claimed for named indicators."""

from tests.review.helpers import find, only_text, seed, with_section

SEED001_LEAF = "（4）资金结余结转率\n经自评，部门本年度结转结余率为 35%，故此项得 1.5 分。"


def test_the_seed_texts_agree_with_their_tables():
    for name in ("seed000", "seed001"):
        doc = seed(name)
        for code in ("weight_claim_mismatch", "score_claim_mismatch", "actual_claim_mismatch"):
            assert find(doc, code) == [], (name, code)


def test_a_weight_the_table_does_not_have():
    doc = with_section(seed("seed000"), "一是产出指标50分，包含质量指标10分，数量指标10分。",
                       key="self_evaluation")
    found = find(doc, "weight_claim_mismatch")
    assert len(found) == 1 and found[0].severity.value == "error"
    assert "「产出指标」分值 50 分" in found[0].message and "40 分" in found[0].message


def test_a_weight_in_parentheses_after_a_qualifier():
    # seed 001 writes "2、过程（执行）指标（40 分）" for the first-level indicator 过程.
    assert not find(only_text(seed("seed001"), "2、过程（执行）指标（40 分）"),
                    "weight_claim_mismatch")
    assert find(only_text(seed("seed001"), "2、过程（执行）指标（45 分）"), "weight_claim_mismatch")


def test_weight_and_score_together():
    ok = "全区考核工作正常推进权重20分，实际得分20分。"
    bad = "全区考核工作正常推进权重20分，实际得分18分。"
    assert not find(only_text(seed("seed000"), ok), "score_claim_mismatch")
    found = find(only_text(seed("seed000"), bad), "score_claim_mismatch")
    assert len(found) == 1 and "3.1.1" in found[0].message and "18" in found[0].message


def test_chinese_numeral_weights():
    assert not find(only_text(seed("seed000"), "全区考核工作正常推进权重二十分。"),
                    "weight_claim_mismatch")
    assert find(only_text(seed("seed000"), "全区考核工作正常推进权重三十分。"),
                "weight_claim_mismatch")
    # "十分" is also the adverb "very": never a weight.
    assert not find(only_text(seed("seed000"), "产出指标十分重要。"), "weight_claim_mismatch")


def test_a_leaf_score_under_its_heading():
    assert not find(only_text(seed("seed001"), SEED001_LEAF), "score_claim_mismatch")
    found = find(only_text(seed("seed001"), SEED001_LEAF.replace("1.5 分", "2 分")),
                 "score_claim_mismatch")
    assert len(found) == 1 and "2.1.4" in found[0].message


def test_a_deduction_implies_the_score():
    ok = "（3）支出进度\n经自评，第一季度支出进度未达到序时进度，扣1分。"
    assert not find(only_text(seed("seed001"), ok), "score_claim_mismatch")
    assert find(only_text(seed("seed001"), ok.replace("扣1分", "扣2分")), "score_claim_mismatch")


def test_a_group_name_in_running_text_does_not_take_the_headings_score():
    # seed 001: "...项目支出按规定实施绩效目标管理，故此项得分6分" belongs to the heading's leaf.
    text = ("(2)项目预算功能分类等编制合规性\n经自评，项目支出按规定实施绩效目标管理，"
            "故此项得分6分。")
    assert not find(only_text(seed("seed001"), text), "score_claim_mismatch")


def test_an_actual_value_quoted_for_an_indicator():
    assert not find(only_text(seed("seed001"), SEED001_LEAF), "actual_claim_mismatch")
    found = find(only_text(seed("seed001"), SEED001_LEAF.replace("35%", "30%")),
                 "actual_claim_mismatch")
    assert len(found) == 1 and "35%" in found[0].message
