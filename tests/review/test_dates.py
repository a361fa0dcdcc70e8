"""Dates against dates."""

from datetime import datetime

from tests.review.helpers import find, seed, with_section


def test_the_seeds_are_dated_after_their_periods():
    for name in ("seed000", "seed001"):
        doc = seed(name)
        for code in ("report_date_before_period_end", "period_outside_fiscal_year",
                     "report_date_before_fiscal_year_end", "text_date_differs_from_report_date"):
            assert find(doc, code) == [], (name, code)


def test_a_report_dated_before_the_end_of_its_period():
    doc = seed("seed000")
    doc["report_date"] = "2021-11-30"
    found = find(doc, "report_date_before_period_end")
    assert len(found) == 1 and found[0].severity.value == "error"
    assert "2021年11月30日" in found[0].message and found[0].path == "report_date"


def test_a_period_outside_the_fiscal_year():
    doc = seed("seed000")
    doc["period_start"], doc["period_end"] = "2020-01-01", "2020-12-31"
    assert find(doc, "period_outside_fiscal_year")[0].severity.value == "error"


def test_without_a_period_the_fiscal_year_bounds_the_report_date():
    doc = seed("seed000")
    doc["period_start"] = doc["period_end"] = None
    doc["report_date"] = "2021-10-08"
    assert find(doc, "report_date_before_fiscal_year_end")


def test_the_printed_date_under_the_text():
    text = "自评得分100分，整体绩效评价为优秀。\n高新区考核办\n2022年4月29日"
    doc = with_section(seed("seed000"), text)
    assert find(doc, "text_date_differs_from_report_date") == []
    doc["report_date"] = "2022-05-19"
    assert find(doc, "text_date_differs_from_report_date")


def test_a_signature_before_the_submission():
    signing = {"submitted_at": datetime(2022, 5, 20, 9),
               "signatures": [{"username": "zhang_zj", "name": "张志军",
                               "signed_at": datetime(2022, 5, 19, 8)}]}
    found = find(seed("seed000"), "signature_before_submission", signing=signing)
    assert len(found) == 1 and found[0].part == "team"


def test_a_signature_before_the_report_date():
    signing = {"submitted_at": datetime(2022, 4, 1, 9),
               "signatures": [{"username": "zhang_zj", "name": "张志军",
                               "signed_at": datetime(2022, 4, 2, 8)}]}
    assert find(seed("seed000"), "signature_before_report_date", signing=signing)


def test_a_new_signature_is_checked_without_reviewing_the_content_again(monkeypatch):
    """The stored review keeps the content's findings per document; a signature added to
    the same content is checked at once, and the content's checks do not run again."""
    from workflow_app.evaluations import findings
    from workflow_app.review import review_document

    doc = seed("seed000")
    doc["report_date"] = "2021-11-30"  # a content finding too
    one = {"submitted_at": datetime(2022, 5, 20, 9),
           "signatures": [{"username": "li_m", "name": "李明",
                           "signed_at": datetime(2022, 5, 20, 10)}]}
    two = {**one, "signatures": [*one["signatures"],
                                 {"username": "zhang_zj", "name": "张志军",
                                  "signed_at": datetime(2022, 5, 19, 8)}]}
    findings._MEMO.clear()  # a Memo: nothing remembered from other tests
    assert findings.review(doc, one) == review_document(doc, signing=one)
    runs = []
    real = findings.content_findings
    monkeypatch.setattr(findings, "content_findings", lambda d: runs.append(1) or real(d))
    after = findings.review(doc, two)
    assert runs == []
    assert after == review_document(doc, signing=two)
    assert [f.code for f in after if f.part == "team"] == ["signature_before_submission"]
    assert any(f.code == "report_date_before_period_end" for f in after)
