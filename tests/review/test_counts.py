"""Counts claimed in the text against the tables (real sentences from the seeds and public
reports)."""

from tests.review.helpers import codes, find, only_text, seed


def test_the_seeds_claim_the_counts_they_have():
    # seed 000: "绩效指标共四项" (4 first-level); seed 001: "分为4个等级", "项目22个".
    assert "indicator_count_mismatch" not in codes(seed("seed000"))
    assert not {"grade_count_mismatch", "sub_project_count_mismatch"} & set(codes(seed("seed001")))


def test_a_second_level_count_the_tree_does_not_have_is_an_error():
    doc = only_text(seed("seed001"), "部门整体支出绩效评价指标体系由4个一级指标、10个二级指标、"
                                     "33个三级指标构成。")
    found = find(doc, "indicator_count_mismatch")
    assert [f.severity.value for f in found] == ["error"]
    assert "二级指标 10 个" in found[0].message and "实有二级指标 9 个" in found[0].message
    assert found[0].as_dict()["where"] == {"part": "sections", "path": "conclusion"}


def test_the_right_counts_give_no_finding():
    doc = only_text(seed("seed001"), "指标体系由4个一级指标、9个二级指标、33个三级指标构成。")
    assert find(doc, "indicator_count_mismatch") == []


def test_counts_in_chinese_numerals():
    assert find(only_text(seed("seed001"), "一级指标五个，分别为投入、过程、产出、效果。"),
                "indicator_count_mismatch")
    assert not find(only_text(seed("seed001"), "一级指标四个，分别为投入、过程、产出、效果。"),
                    "indicator_count_mismatch")
    assert find(only_text(seed("seed001"), "三级指标三十一个。"), "indicator_count_mismatch")
    assert not find(only_text(seed("seed001"), "三级指标三十三个。"), "indicator_count_mismatch")


def test_a_generic_count_matching_no_level_is_a_warning():
    found = find(only_text(seed("seed000"), "绩效指标共五项，总分设定为100分。"),
                 "indicator_count_mismatch")
    assert [f.severity.value for f in found] == ["warning"]


def test_a_bound_is_not_a_claim():
    doc = only_text(seed("seed001"), "根据部门职能重点等因素自行设置，三级指标总数不得少于3个。")
    assert find(doc, "indicator_count_mismatch") == []


def test_grade_count():
    assert find(only_text(seed("seed001"), "部门整体支出综合绩效评价分为五个等级。"),
                "grade_count_mismatch")
    assert not find(only_text(seed("seed001"), "部门整体支出综合绩效评价分为4个等级。"),
                    "grade_count_mismatch")


def test_sub_project_count_from_a_public_report():
    # 红河州数据发展中心 2024: "实施项目共15个(含2023年转列暂付性款项项目5个)".
    doc = only_text(seed("seed001"), "实施项目共15个（含2023年转列暂付性款项项目5个），"
                                     "年中增加8个项目。")
    found = find(doc, "sub_project_count_mismatch")
    assert len(found) == 1 and "15 个" in found[0].message and "22 个" in found[0].message


def test_team_size():
    doc = only_text(seed("seed001"), "评价工作组由5人组成，组长由主任担任。")
    assert find(doc, "team_size_mismatch")
    doc = only_text(seed("seed001"), "评价工作组由7人组成。")
    assert not find(doc, "team_size_mismatch")
