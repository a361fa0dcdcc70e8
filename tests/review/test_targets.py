"""The indicators' own cells, and the review as a whole."""

from tests.review.helpers import find, leaf, seed
from workflow_app.review import has_errors, review_document


def test_a_descriptive_target_copied_onto_unrelated_indicators():
    doc = seed("seed001")
    for code in ("3.1.1", "4.1.1"):
        leaf(doc, code)["target"] = "保障工作顺利开展，完成全年任务"
    found = find(doc, "copied_target_text")
    assert sorted(f.path for f in found) == ["3.1.1", "4.1.1"]
    assert all(f.severity.value == "warning" for f in found)


def test_a_shared_rate_target_is_not_a_copy():
    doc = seed("seed001")
    for code in ("2.1.1", "2.3.1"):
        leaf(doc, code)["target"] = "≥95%"
    assert find(doc, "copied_target_text") == []


def test_a_missed_target_needs_a_deviation_reason():
    doc = seed("seed000")
    leaf(doc, "1.2.1")["actual"] = "0次"
    found = find(doc, "missed_target_without_reason")
    assert [f.severity.value for f in found] == ["error"]
    leaf(doc, "1.2.1")["deviation_reason"] = "疫情原因未能赴外地学习，明年补足。"
    assert find(doc, "missed_target_without_reason") == []


def test_a_score_below_weight_without_reason_is_a_warning():
    found = find(seed("seed001"), "score_below_weight_without_reason")
    assert "1.1.1" in [f.path for f in found]
    assert all(f.severity.value == "warning" for f in found)


def test_the_seeds_have_no_errors():
    for name in ("seed000", "seed001"):
        assert not has_errors(review_document(seed(name))), name


def test_findings_are_plain_data_errors_first():
    doc = seed("seed000")
    doc["report_date"] = "2021-11-30"
    leaf(doc, "1.2.1")["actual"] = "0次"
    found = [f.as_dict() for f in review_document(doc)]
    assert set(found[0]) == {"code", "severity", "message", "where"}
    severities = [f["severity"] for f in found]
    assert severities == sorted(severities, key=["error", "warning", "info"].index)


def test_a_failing_check_is_reported_not_raised(monkeypatch):
    def broken(facts):
        raise RuntimeError("boom")

    monkeypatch.setattr("workflow_app.review.engine.CHECKS", (broken,))
    found = review_document(seed("seed000"))
    assert [f.code for f in found] == ["check_failed"]


def test_not_a_document():
    assert review_document("nonsense") == []  # type: ignore[arg-type]
    assert review_document({}) == []


def test_engine_flags_become_findings_that_do_not_block():
    # seed 001 prints 1.5 for 结转结余率 35%; its steps rule gives 0.8.
    found = [f for f in review_document(seed("seed001")) if f.path == "2.1.4"
             and f.code not in ("score_below_weight_without_reason",)]
    assert found and all(f.severity.value != "error" for f in found)
    assert any("0.8" in f.message for f in found)


def test_a_procurement_rate_is_not_the_budget_execution_rate():
    # 2.1.6 政府采购执行率 100% while the budget executes 69.27%: no contradiction.
    assert [f for f in review_document(seed("seed001")) if f.path == "2.1.6"] == []
