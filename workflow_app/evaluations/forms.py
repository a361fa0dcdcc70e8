"""Reading the editor's HTML forms into the plain data the operations take.

The editor's tables are plain HTML inputs named ``<prefix>-<row>-<column>`` (and
``ind-<id>-<field>`` in the scoring table) rather than WTForms field lists: the operations
validate every value and report errors under the same names, so one naming scheme serves
the form, the error messages and the JavaScript preview.
"""

from __future__ import annotations

import re
from typing import Any

from werkzeug.datastructures import MultiDict

from workflow_app.evaluations.models import (
    EvaluationKind,
    EvaluationMethod,
    EvaluationTiming,
    FundingSourceKind,
    ReportTitleWord,
    RuleType,
)
from workflow_app.evaluations.scorecard import PREVIEW_FIELDS
from workflow_app.workflow.states import TeamRole

KIND_CHOICES = [(k.value, k.label) for k in EvaluationKind]
TIMING_CHOICES = [(k.value, k.label) for k in EvaluationTiming]
METHOD_CHOICES = [(k.value, k.label) for k in EvaluationMethod]
SOURCE_CHOICES = [(k.value, k.label) for k in FundingSourceKind]
ROLE_CHOICES = [(k.value, k.label) for k in TeamRole]
TITLE_WORD_CHOICES = [(k.value, k.label) for k in ReportTitleWord]
RULE_CHOICES = [(k.value, k.label) for k in RuleType]

HEADER_FIELDS = (
    "kind", "fiscal_year", "project_name", "supervising_department", "project_leader",
    "project_leader_phone", "period_start", "period_end", "timing", "method", "preparer_name",
    "preparer_phone", "report_date", "grade_scheme_id", "overall_goal", "problems", "measures",
    "address", "postcode", "title_word",
)

# Columns of each editable table (prefix → columns), in display order.
TABLES: dict[str, tuple[str, ...]] = {
    "funding": ("source", "initial", "planned", "arrived", "spent"),
    "expenses": ("category", "planned", "actual"),
    "subs": ("name", "budget", "executed", "returned", "self_score", "target", "achieved"),
    "sections": ("key", "title", "body"),
    "team": ("user_id", "role"),
}

_ROW_KEY = re.compile(r"^(?P<prefix>[a-z]+)-(?P<index>\d{1,4})-(?P<column>[a-z_]+)$")
_IND_KEY = re.compile(r"^ind-(?P<id>\d{1,10})-(?P<field>[a-z_]+)$")


def header_from_form(form: MultiDict) -> dict[str, str]:
    """The header fields present in the form, as strings."""
    return {key: form.get(key, "") for key in HEADER_FIELDS if key in form}


def _blank(row: dict[str, str], ignore: tuple[str, ...] = ()) -> bool:
    return not any(str(v or "").strip() for k, v in row.items() if k not in ignore)


def rows_from_form(form: MultiDict, prefix: str) -> list[dict[str, str]]:
    """The rows of table ``prefix`` in their form order, without rows ticked ``delete`` and
    without rows left empty (the spare rows of the form); renumbered from 0 so that the
    operation's error keys (``<prefix>-<i>-<column>``) match the re-rendered table."""
    columns = TABLES[prefix]
    rows: dict[int, dict[str, str]] = {}
    deleted = set()
    for key in form:
        match = _ROW_KEY.match(key)
        if not match or match["prefix"] != prefix:
            continue
        index = int(match["index"])
        if match["column"] == "delete":
            if form.get(key):
                deleted.add(index)
            continue
        if match["column"] in columns:
            rows.setdefault(index, {c: "" for c in columns})[match["column"]] = form.get(key, "")
    # A role alone (the select's default) does not make a team row; a key alone no section.
    ignore = {"team": ("role",), "sections": ("key",)}.get(prefix, ())
    return [rows[i] for i in sorted(rows) if i not in deleted and not _blank(rows[i], ignore)]


def indicator_values_from_form(form: MultiDict) -> dict[int, dict[str, str]]:
    """``ind-<id>-<field>`` inputs by indicator id. An unticked 不适用 checkbox sends nothing,
    so a row that is present (it has a score input) and lacks it means "applicable"."""
    values: dict[int, dict[str, str]] = {}
    for key in form:
        match = _IND_KEY.match(key)
        if match and match["field"] in PREVIEW_FIELDS:
            values.setdefault(int(match["id"]), {})[match["field"]] = form.get(key, "")
    for row in values.values():
        if "score" in row:
            row.setdefault("not_applicable", "")
    return values


def params_text(params: dict[str, Any] | None) -> str:
    """Rule params as the ``name=value`` lines of the indicator form (lists as JSON)."""
    import json

    if not params:
        return ""
    if any(isinstance(v, list | dict) for v in params.values()):
        return json.dumps(params, ensure_ascii=False, indent=1)
    return "\n".join(f"{k}={v}" for k, v in params.items())


def rule_params_from_form(form: MultiDict, existing: dict[str, Any] | None = None,
                          same_rule: bool = True) -> dict[str, Any] | None:
    """The rule's parameters typed one per field (``p_<name>``, named in Chinese on the page),
    or None when the form has no such field (it may then carry ``rule_params`` text). Values
    stay strings; empty ones take the rule's default. Parameters the page does not show (a
    list of tiers) are kept from ``existing`` while the rule type stays the same."""
    keys = [k for k in form if k.startswith("p_") and len(k) < 40]
    if not keys:
        return None
    params = {k[2:]: str(form.get(k) or "").strip() for k in keys}
    params = {k: v for k, v in params.items() if v}
    if same_rule:
        for key, value in (existing or {}).items():
            if isinstance(value, list | dict):
                params.setdefault(key, value)
    return params
