"""The tables against each other."""

from tests.review.helpers import find, leaf, seed


def test_an_execution_rate_indicator_against_the_amounts():
    doc = seed("seed000")
    assert find(doc, "rate_indicator_differs_from_amounts") == []
    doc["funding"][0]["spent"] = "3.2"  # 3.2 ÷ 3.56 = 89.89%, the leaf says 100%
    found = find(doc, "rate_indicator_differs_from_amounts")
    assert len(found) == 1 and "89.89%" in found[0].message
    assert found[0].as_dict()["where"] == {"part": "indicators", "path": "2.1.1"}


def test_expense_lines_against_spending():
    doc = seed("seed000")
    doc["expenses"] = [{"category": "办公费", "planned": "2", "actual": "2.5"},
                       {"category": "差旅费", "planned": None, "actual": "1.06"}]
    assert find(doc, "expenses_exceed_spending") == []
    over = find(doc, "expense_line_over_plan")
    assert [f.path for f in over] == ["1"]
    doc["expenses"][1]["actual"] = "1.5"
    assert [f.severity.value for f in find(doc, "expenses_exceed_spending")] == ["error"]
    doc["expenses"][1]["actual"] = "1"
    assert [f.severity.value for f in find(doc, "expenses_differ_from_spending")] == ["warning"]


def test_expense_plans_against_the_budget():
    doc = seed("seed000")
    doc["expenses"] = [{"category": "印刷费", "planned": "4", "actual": "3.56"}]
    assert find(doc, "expenses_exceed_budget")  # 4 > 3.56 planned


def test_sub_projects_against_the_funding_table():
    doc = seed("seed001")
    assert find(doc, "sub_projects_exceed_funding") == []  # 580.01 of 906.09
    doc["sub_projects"][9]["executed"] = "700"
    assert find(doc, "sub_projects_exceed_funding")
    row = find(doc, "sub_project_row_inconsistent")
    assert len(row) == 1 and row[0].path == "10" and row[0].severity.value == "error"


def test_executed_and_returned_over_budget():
    doc = seed("seed001")
    doc["sub_projects"][0]["returned"] = "1"
    found = find(doc, "sub_project_row_inconsistent")
    assert [f.severity.value for f in found] == ["warning"]


def test_a_missed_rate_target_without_reason_is_also_reported():
    doc = seed("seed000")
    leaf(doc, "1.2.1")["actual"] = "0次"
    assert [f.path for f in find(doc, "missed_target_without_reason")] == ["1.2.1"]
