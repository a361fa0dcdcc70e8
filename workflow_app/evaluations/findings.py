"""The consistency review of a stored evaluation: its content document (with the editor's
unsaved values, for the live preview), the signatures of the revision under review, and
where each finding points in the editor and on the read page.

The checks themselves are pure (``workflow_app.review``); this module only gathers their
input from the models and turns a finding's ``where`` into a link.
"""

from __future__ import annotations

import copy
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from werkzeug.datastructures import MultiDict

from workflow_app.evaluations.document import to_document
from workflow_app.evaluations.models import Evaluation
from workflow_app.memo import Memo
from workflow_app.review import Finding, has_errors, review_document
from workflow_app.review.engine import content_findings, merge, signing_findings

# The editor tab of each part a finding can point at.
EDITOR_TAB = {"header": "header", "goals": "header", "conclusion": "header",
              "funding": "funding", "expenses": "funding", "sub_projects": "subs",
              "indicators": "scores", "sections": "sections", "team": "team",
              "grade_scheme": "header"}
# The card of the read page that shows each part.
DETAIL_ANCHOR = {"funding": "funding-table", "expenses": "funding-table",
                 "sub_projects": "sub-projects", "indicators": "scores", "team": "team-table",
                 "sections": "report-text", "goals": "report-text", "conclusion": "report-text"}
PART_LABELS = {"header": "基本信息", "goals": "绩效目标", "conclusion": "存在问题及改进措施",
               "funding": "资金情况", "expenses": "支出明细", "sub_projects": "分项项目",
               "indicators": "指标", "sections": "报告正文", "team": "评价工作组",
               "grade_scheme": "等级方案"}


def signing_of(evaluation: Evaluation) -> dict[str, Any] | None:
    """Submission time and signatures of the revision under review (None in draft)."""
    try:
        from workflow_app.workflow import revisions as rv
    except ModuleNotFoundError:  # the workflow area is not installed
        return None
    revision = rv.current_revision(evaluation)
    if revision is None:
        return None
    return {"submitted_at": revision.submitted_at,
            "signatures": [{"username": s.member.username, "name": s.member.name,
                            "signed_at": s.signed_at} for s in rv.signatures_of(revision)]}


def _apply_form(doc: dict[str, Any], evaluation: Evaluation, part: str, form: MultiDict) -> None:
    """Put the editor's unsaved values of one tab into the document (strings as typed)."""
    from workflow_app.evaluations import forms
    from workflow_app.evaluations.scorecard import document_with_overrides

    if part == "scores":
        scored = document_with_overrides(evaluation, forms.indicator_values_from_form(form))
        doc["indicators"] = scored["indicators"]
    elif part == "header":
        header = forms.header_from_form(form)
        if str(header.get("fiscal_year", "")).strip().isdigit():
            doc["fiscal_year"] = int(header["fiscal_year"])
        for key in ("period_start", "period_end", "report_date", "overall_goal", "problems",
                    "measures", "project_name", "timing"):
            if key in header:
                doc[key] = header[key] or None if key.endswith(("_start", "_end", "_date")) \
                    else header[key]
    elif part == "funding":
        doc["funding"] = forms.rows_from_form(form, "funding")
        doc["expenses"] = [{**row, "planned": row.get("planned") or None}
                           for row in forms.rows_from_form(form, "expenses")]
    elif part == "subs":
        doc["sub_projects"] = forms.rows_from_form(form, "subs")
    elif part == "sections":
        doc["sections"] = forms.rows_from_form(form, "sections")


def document_for(evaluation: Evaluation, *, part: str | None = None,
                 form: MultiDict | None = None) -> dict[str, Any]:
    """The content document of the working copy, with one tab's unsaved values put in."""
    doc = to_document(evaluation)
    if part and form is not None:
        doc = copy.deepcopy(doc)
        _apply_form(doc, evaluation, part, form)
    return doc


# The review of the content is a pure function of the document, and the costliest part of a
# read page (about 20 ms of CPU at 33 indicators): its findings are kept per process for the
# documents seen last, keyed by the canonical JSON's SHA-256. The signatures' check is cheap
# and runs every time (a new signature must not cost a new review of unchanged content).
_MEMO = Memo(size=512)


def review(doc: dict[str, Any], signing: dict[str, Any] | None) -> list[Finding]:
    """``review_document(doc, signing=signing)``: the content's findings remembered for the
    same document (Findings are immutable), the signing's computed."""
    try:
        text = json.dumps(doc, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    except (TypeError, ValueError):  # not plain JSON (never from to_document): no memo
        return review_document(doc, signing=signing)
    key = hashlib.sha256(text.encode("utf-8")).hexdigest()
    found = _MEMO.get_or_build(key, lambda: tuple(content_findings(doc)))
    return merge(found, signing_findings(doc, signing))


def findings_for(evaluation: Evaluation, *, part: str | None = None,
                 form: MultiDict | None = None) -> list[Finding]:
    """The review of the evaluation's working copy (with one tab's unsaved values)."""
    doc = document_for(evaluation, part=part, form=form)
    return review(doc, signing_of(evaluation))


def review_note(evaluation: Evaluation) -> str:
    """What the review says after a save: the count of errors and warnings, or ""."""
    counts = summary(findings_for(evaluation))
    if not counts["error"] and not counts["warning"]:
        return ""
    parts = [f"{counts[k]} 处{label}" for k, label in (("error", "错误"), ("warning", "警告"))
             if counts[k]]
    tail = "；错误须修改后才能提交" if counts["error"] else ""
    return f"一致性审查发现 {'、'.join(parts)}，见页面下方“一致性审查”{tail}。"


def blocking_reasons(evaluation: Evaluation) -> list[str]:
    """The Chinese messages of the review's errors: what stops a submission."""
    found = findings_for(evaluation)
    return [f.message for f in found if f.severity.value == "error"] if has_errors(found) else []


@dataclass(frozen=True)
class Located:
    """A finding with the link to where it points."""

    finding: Finding
    href: str
    where_label: str
    indicator_id: int | None = None


def locate(evaluation: Evaluation, findings: list[Finding], *, editable: bool,
           doc: dict[str, Any] | None = None) -> list[Located]:
    """Each finding with a link: the editor tab and field when the user may edit, else the
    card of the read page. ``doc`` is the document reviewed (the preview's unsaved one)."""
    from flask import url_for

    from workflow_app.evaluations.scorecard import indicator_ids

    # The indicator ids only when a finding points at an indicator (most pages have none).
    ids = indicator_ids(evaluation) if any(f.part == "indicators" for f in findings) else {}
    sections = (doc if doc is not None else to_document(evaluation)).get("sections")
    section_index = {str(s.get("key") or ""): i for i, s in enumerate(sections or [])}
    out = []
    for f in findings:
        label = PART_LABELS.get(f.part, f.part)
        indicator_id = ids.get(f.path) if f.part == "indicators" else None
        if f.part == "indicators" and f.path:
            label = f"指标 {f.path}"
        elif f.part == "sections" and f.path in section_index:
            title = sections[section_index[f.path]].get("title") or "引言"
            label = f"报告正文「{title}」"
        if editable:
            tab = EDITOR_TAB.get(f.part, "header")
            anchor = ""
            if indicator_id:
                anchor = f"ind-{indicator_id}"
            elif f.part == "sections" and f.path in section_index:
                anchor = f"f-sections-{section_index[f.path]}-body"
            elif f.part in ("goals", "conclusion", "header") and f.path:
                anchor = f"f-{f.path}"
            elif f.part in ("sub_projects", "expenses") and f.path.isdigit():
                prefix = "subs" if f.part == "sub_projects" else "expenses"
                anchor = f"f-{prefix}-{int(f.path) - 1}-" + ("name" if prefix == "subs"
                                                             else "category")
            href = url_for("evaluations.edit", evaluation_id=evaluation.id, part=tab)
            href += f"#{anchor}" if anchor else ""
        else:
            anchor = DETAIL_ANCHOR.get(f.part, "")
            href = url_for("evaluations.detail", evaluation_id=evaluation.id)
            href += f"#{anchor}" if anchor else ""
        out.append(Located(f, href, label, indicator_id))
    return out


def summary(findings: list[Finding]) -> dict[str, int]:
    """How many findings of each severity."""
    counts = {"error": 0, "warning": 0, "info": 0}
    for f in findings:
        counts[f.severity.value] += 1
    return counts


__all__ = ["Located", "blocking_reasons", "document_for", "findings_for", "locate", "review",
           "signing_of", "summary"]
