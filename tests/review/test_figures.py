"""Figures quoted in the text that stand in a table: total, grade, money, rates, satisfaction."""

from tests.review.helpers import find, leaf, only_text, seed


def test_the_seeds_quote_their_tables():
    for name in ("seed000", "seed001"):
        doc = seed(name)
        for code in ("total_score_claim_mismatch", "total_weight_claim_mismatch",
                     "grade_claim_mismatch", "funding_figure_mismatch", "amount_unit_slip",
                     "rate_claim_mismatch", "satisfaction_claim_mismatch"):
            assert find(doc, code) == [], (name, code)


def test_a_printed_total_that_is_not_the_sum_of_the_scores():
    # seed 001 prints 96.5; its rules would give 95.8, but the team's scores sum to 96.5.
    text = "经自评，整体项目自评得分95.8分，综合评价等级为“优秀”。"
    found = find(only_text(seed("seed001"), text), "total_score_claim_mismatch")
    assert len(found) == 1 and "96.5" in found[0].message and found[0].severity.value == "error"


def test_a_total_in_chinese_numerals_from_a_public_report():
    # 南县财政局 2020: "…开展了绩效评价，综合评分为97分。"
    assert find(only_text(seed("seed001"), "对南县财政局2020年度机关整体支出开展了绩效评价，"
                                           "综合评分为九十七分。"), "total_score_claim_mismatch")


def test_full_marks_are_not_a_total():
    doc = only_text(seed("seed001"), "给出总得分，满分100分，得出综合绩效评价等级。")
    assert find(doc, "total_score_claim_mismatch") == []
    assert find(only_text(seed("seed000"), "绩效指标共四项，总分设定为90分。"),
                "total_weight_claim_mismatch")


def test_a_grade_word_other_than_the_totals():
    found = find(only_text(seed("seed001"), "综合评价等级为“良好”。"), "grade_claim_mismatch")
    assert len(found) == 1 and "「优秀」" in found[0].message
    assert find(only_text(seed("seed000"), "预算执行率达到100%，整体绩效评价为良。"),
                "grade_claim_mismatch")
    # The scheme explained is not a result.
    assert not find(only_text(seed("seed001"), "得分≥85分为优秀；75≤得分<85分为良好。"),
                    "grade_claim_mismatch")


def test_a_budget_amount_the_funding_table_does_not_hold():
    ok = "预算资金总额 5 万元，调整预算 3.56 万元，全部为区级财政预算安排资金，资金到位率 100%。"
    assert find(only_text(seed("seed000"), ok), "funding_figure_mismatch") == []
    found = find(only_text(seed("seed000"), ok.replace("3.56", "3.65")), "funding_figure_mismatch")
    assert len(found) == 1 and "3.56" in found[0].message


def test_parts_of_spending_are_not_the_total():
    text = "本年支出 906.09 万元，其中基本支出 326.08 万元，项目支出 580.01 万元。"
    assert find(only_text(seed("seed001"), text), "funding_figure_mismatch") == []


def test_amounts_of_a_public_project_report():
    # 棠溪镇委托业务项目 2022: budget 90, executed 89.974 万元.
    doc = seed("seed000")
    doc["funding"] = [{"source": "local", "initial": "90", "planned": "90", "arrived": "90",
                       "spent": "89.974"}]
    text = "本项目共申请预算资金90万元。本项目共完成预算资金89.97万元。"
    assert find(only_text(doc, text), "funding_figure_mismatch") == []
    doc["funding"][0]["spent"] = "80"
    assert find(only_text(doc, text), "funding_figure_mismatch")


def test_yuan_written_for_wan_yuan():
    # seed 003: "本年支出合计 2994.7 元" where every other figure is 万元.
    doc = seed("seed001")
    found = find(only_text(doc, "本年支出 906.09 元，执行率69%。"), "amount_unit_slip")
    assert len(found) == 1 and "万元" in found[0].message
    assert find(only_text(doc, "本年支出 906.09 元。"), "funding_figure_mismatch") == []
    # The same amount correctly converted to 元 is fine.
    assert find(only_text(seed("seed000"), "调整预算35600元。"), "amount_unit_slip") == []


def test_an_execution_rate_the_amounts_do_not_give():
    assert find(only_text(seed("seed001"), "预算数1308.05万元，执行数906.09万元，预算执行率69%。"),
                "rate_claim_mismatch") == []
    found = find(only_text(seed("seed001"), "预算执行率为96%。"), "rate_claim_mismatch")
    assert len(found) == 1 and "69.27%" in found[0].message


def test_a_rate_target_is_not_a_result():
    doc = seed("seed000")
    doc["overall_goal"] = "资金执行率达到 98%以上。"
    assert find(doc, "rate_claim_mismatch") == []
    assert find(only_text(seed("seed001"), "确保预算执行率达到90%。"), "rate_claim_mismatch") == []


def test_satisfaction_quoted_against_its_indicator():
    assert find(only_text(seed("seed000"), "四是满意度指标10分，满意程度达到100%。"),
                "satisfaction_claim_mismatch") == []
    found = find(only_text(seed("seed000"), "服务对象满意度达到95%。"),
                 "satisfaction_claim_mismatch")
    assert len(found) == 1 and "4.1.1" in found[0].message
    assert find(only_text(seed("seed000"), "参会人员满意率在90%以上。"),
                "satisfaction_claim_mismatch") == []


def test_a_satisfaction_leaf_with_an_unreadable_actual_is_not_compared():
    doc = seed("seed000")
    leaf(doc, "4.1.1")["actual"] = "较满意"
    assert find(only_text(doc, "满意度达到95%。"), "satisfaction_claim_mismatch") == []


def _funding(doc, planned, arrived, spent, initial=None):
    doc["funding"] = [{"source": "local", "initial": initial, "planned": planned,
                       "arrived": arrived, "spent": spent}]
    return doc


def test_spending_and_its_parts_from_a_public_report():
    # 南县政协 2021: "2、支出:799.12万元。其中:人员经费支出434.89万元，公用经费支出77.4万元".
    doc = _funding(seed("seed001"), "799.12", "799.12", "799.12")
    text = ("2、支出：799.12万元。其中：人员经费支出434.89万元，公用经费支出77.4万元，"
            "项目支出286.83万元。")
    assert find(only_text(doc, text), "funding_figure_mismatch") == []
    doc = _funding(seed("seed001"), "800", "800", "792.22")
    assert find(only_text(doc, text), "funding_figure_mismatch")


def test_arrived_funds_from_a_public_report():
    # 红河州数据发展中心 2024: "调整预算后项目预算861.46万元……实际到位资金334.67万元".
    text = "调整预算后项目预算861.46万元，年中增加8个项目，实际到位资金334.67万元。"
    doc = _funding(seed("seed001"), "861.46", "334.67", "300", initial="985")
    assert find(only_text(doc, text), "funding_figure_mismatch") == []
    doc = _funding(seed("seed001"), "861.46", "343.67", "300", initial="985")
    found = find(only_text(doc, text), "funding_figure_mismatch")
    assert len(found) == 1 and "到位数" in found[0].message and "343.67" in found[0].message
