"""Dates against each other: the report date against the period it reports on and the fiscal
year, the period against the fiscal year, the date printed under the text against the
header's, and signatures against the submission and the report date."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import date, datetime
from typing import Any

from workflow_app.review.facts import Facts
from workflow_app.review.findings import Finding, error, warning
from workflow_app.review.text import normalise


def _day(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value:
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def _cn(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def report_date_before_period_end(facts: Facts) -> Iterator[Finding]:
    """The report is dated before the end of the period it reports on."""
    report, end = _day(facts.doc.get("report_date")), _day(facts.doc.get("period_end"))
    if report and end and report < end and facts.doc.get("timing", "ex_post") == "ex_post":
        yield error("report_date_before_period_end",
                    f"报告日期 {_cn(report)} 早于实施期结束日期 {_cn(end)}：事后评价不能在"
                    f"所评价的期间结束前完成。", "header", "report_date")


def report_date_before_fiscal_year_end(facts: Facts) -> Iterator[Finding]:
    """An ex-post report dated inside (or before) the fiscal year it evaluates."""
    report, year = _day(facts.doc.get("report_date")), facts.doc.get("fiscal_year")
    if (report and isinstance(year, int) and report.year <= year
            and facts.doc.get("timing", "ex_post") == "ex_post"
            and not _day(facts.doc.get("period_end"))):
        yield error("report_date_before_fiscal_year_end",
                    f"报告日期 {_cn(report)} 在 {year} 年度结束之前，事后评价应在年度结束后编制。",
                    "header", "report_date")


def period_outside_fiscal_year(facts: Facts) -> Iterator[Finding]:
    """The period does not touch the fiscal year, or does not cover its end."""
    start, end = _day(facts.doc.get("period_start")), _day(facts.doc.get("period_end"))
    year = facts.doc.get("fiscal_year")
    if not isinstance(year, int) or not (start or end):
        return
    if (end and end.year < year) or (start and start.year > year):
        yield error("period_outside_fiscal_year",
                    f"实施期（{_cn(start) if start else '—'} 至 {_cn(end) if end else '—'}）"
                    f"不在评价年度 {year} 年内。", "header", "period_start")
    elif end and end.year == year and end < date(year, 12, 31) and start and start.year == year \
            and (end - start).days < 300:
        yield warning("period_outside_fiscal_year",
                      f"实施期（{_cn(start)} 至 {_cn(end)}）只覆盖 {year} 年度的一部分，"
                      f"请确认是否为年度评价。", "header", "period_end")


_DATE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")


def text_date_differs_from_report_date(facts: Facts) -> Iterator[Finding]:
    """The date printed at the end of the text (落款) is not the header's report date."""
    report = _day(facts.doc.get("report_date"))
    sections = [s for s in facts.doc.get("sections") or [] if isinstance(s, Mapping)]
    if not report or not sections:
        return
    last = sections[-1]
    lines = [ln for ln in normalise(str(last.get("body") or "")).splitlines() if ln]
    if not lines:
        return
    match = _DATE.fullmatch(lines[-1])
    if not match:
        return
    try:
        printed = date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return
    if printed != report:
        yield warning("text_date_differs_from_report_date",
                      f"正文末尾落款日期为 {_cn(printed)}，基本信息中的报告日期为 {_cn(report)}。",
                      "sections", str(last.get("key") or ""))


def signature_before_submission(doc: Mapping[str, Any],
                                signing: Mapping[str, Any] | None = None) -> Iterator[Finding]:
    """A signature dated before the revision was submitted, or before the report's date
    (of the document: the only check that needs no Facts, so it runs apart, every time)."""
    if not signing:
        return
    submitted = signing.get("submitted_at")
    report = _day(doc.get("report_date"))
    for sig in signing.get("signatures") or []:
        signed = sig.get("signed_at")
        name = sig.get("name") or sig.get("username") or ""
        if isinstance(signed, datetime) and isinstance(submitted, datetime) and signed < submitted:
            yield error("signature_before_submission",
                        f"{name}的签字时间 {signed:%Y-%m-%d %H:%M} 早于本版提交时间 "
                        f"{submitted:%Y-%m-%d %H:%M}。", "team", str(sig.get("username") or ""))
        elif report and _day(signed) and _day(signed) < report:
            yield warning("signature_before_report_date",
                          f"{name}于 {_cn(_day(signed))} 签字，早于报告日期 {_cn(report)}。",
                          "team", str(sig.get("username") or ""))
