"""Run every check of the review over one content document."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from workflow_app.review.checks import claims, counts, dates, figures, tables, targets
from workflow_app.review.facts import Facts
from workflow_app.review.findings import PARTS, Finding, Severity, info

log = logging.getLogger(__name__)

# Every check, in the order findings are listed. Each takes the document's Facts.
CHECKS: tuple[Callable[[Facts], Iterable[Finding]], ...] = (
    counts.indicator_count_mismatch,
    claims.weight_claim_mismatch,
    claims.score_claim_mismatch,
    claims.actual_claim_mismatch,
    figures.total_score_claim_mismatch,
    figures.total_weight_claim_mismatch,
    figures.grade_claim_mismatch,
    counts.grade_count_mismatch,
    figures.funding_figure_mismatch,
    figures.amount_unit_slip,
    figures.rate_claim_mismatch,
    figures.satisfaction_claim_mismatch,
    tables.rate_indicator_differs_from_amounts,
    tables.expenses_exceed_spending,
    tables.expense_line_over_plan,
    tables.sub_projects_exceed_funding,
    tables.sub_project_row_inconsistent,
    counts.sub_project_count_mismatch,
    counts.team_size_mismatch,
    dates.report_date_before_period_end,
    dates.report_date_before_fiscal_year_end,
    dates.period_outside_fiscal_year,
    dates.text_date_differs_from_report_date,
    targets.copied_target_text,
    targets.missed_target_without_reason,
    targets.score_below_weight_without_reason,
    targets.scoring_engine_flags,
)


def review_document(doc: Mapping[str, Any], *,
                    signing: Mapping[str, Any] | None = None) -> list[Finding]:
    """All findings of the document, errors first, without duplicates.

    ``signing`` (optional) is ``{"submitted_at": datetime, "signatures": [{"username",
    "name", "signed_at"}]}`` of the revision under review, for the signature checks.
    A check that fails on malformed input reports itself as an ``info`` finding instead of
    breaking the page: the review never stops a save.
    """
    if not isinstance(doc, Mapping):
        return []
    return merge(content_findings(doc), signing_findings(doc, signing))


def content_findings(doc: Mapping[str, Any]) -> list[Finding]:
    """The findings of the content alone (every check but the signatures'): a function of
    the document, so a caller may keep them per document."""
    if not isinstance(doc, Mapping):
        return []
    facts = Facts(doc)
    return _run([(check.__name__, lambda check=check: check(facts)) for check in CHECKS])


def signing_findings(doc: Mapping[str, Any], signing: Mapping[str, Any] | None
                     ) -> list[Finding]:
    """The findings of the signatures of the revision under review (against its dates)."""
    if not isinstance(doc, Mapping) or not signing:
        return []
    return _run([("signature_before_submission",
                  lambda: dates.signature_before_submission(doc, signing))])


def merge(*groups: Iterable[Finding]) -> list[Finding]:
    """Findings of several runs as one list: errors first, by part, without duplicates."""
    unique = list(dict.fromkeys(f for group in groups for f in group))
    order = {part: i for i, part in enumerate(PARTS)}
    unique.sort(key=lambda f: (f.severity.rank, order.get(f.part, 99)))
    return unique


def _run(runs: list[tuple[str, Callable[[], Iterable[Finding]]]]) -> list[Finding]:
    found: list[Finding] = []
    for name, run in runs:
        try:
            found.extend(run())
        except Exception:  # noqa: BLE001 — one faulty check must not hide the others
            log.exception("review check %s failed", name)
            found.append(info("check_failed", f"审查项“{name}”未能完成，请人工核对。", "header"))
    return found


def has_errors(findings: Iterable[Finding]) -> bool:
    """True when any finding blocks submission."""
    return any(f.severity == Severity.ERROR for f in findings)
