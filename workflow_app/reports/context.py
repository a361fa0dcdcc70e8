"""What the parts of the report share: the leaves of the indicator tree, totals, grade and 复核."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .fonts import FontSet, register_fonts
from .styles import Styles, report_styles
from .values import dec, esc, plain, report_title, sum_present


@dataclass
class _Leaf:
    l1_code: str
    l1_name: str
    l1_label: str
    l2_code: str
    l2_label: str
    node: dict
    weight: Decimal | None
    score: Decimal | None
    not_applicable: bool


@dataclass
class ReportContext:
    doc: dict
    record: dict
    fonts: FontSet
    st: Styles
    title: str
    unit: str
    year: str
    draft: bool
    leaves: list[_Leaf] = field(default_factory=list)
    reviews: dict = field(default_factory=dict)
    total_weight: Decimal | None = None
    total_score: Decimal | None = None
    computed_total: Decimal | None = None
    computed_open: int = 0  # leaves the engine left to a person's judgement
    grade: str = ""
    label_tracker: dict = field(default_factory=dict)
    tables: int = 0

    def table_title(self, name: str) -> str:
        """Number the appended tables in order of appearance: 附表1, 附表2, …"""
        self.tables += 1
        return f"附表{self.tables}　{name}"


def _label(name: str, weight: Any) -> str:
    """Group label markup: the name, and its weight on a line of its own (narrow column)."""
    w = dec(weight)
    text = esc(name)
    return f"{text}<br/>（{plain(w)}分）" if w is not None else text


def _collect_leaves(indicators: list[dict]) -> list[_Leaf]:
    leaves: list[_Leaf] = []
    for i, l1 in enumerate(indicators, start=1):
        l1_code = str(l1.get("code") or i)
        for j, l2 in enumerate(l1.get("children") or [], start=1):
            l2_code = str(l2.get("code") or f"{l1_code}.{j}")
            children = l2.get("children") or []
            # A two-level tree (leaf directly under level 1) still prints: treat the level-2
            # node itself as the leaf.
            for leaf in children or [l2]:
                leaves.append(_Leaf(
                    l1_code, l1.get("name", ""), _label(l1.get("name", ""), l1.get("weight")),
                    l2_code, _label(l2.get("name", ""), l2.get("weight")) if children else "",
                    leaf, dec(leaf.get("weight")), dec(leaf.get("score")),
                    bool(leaf.get("not_applicable")),
                ))
    return leaves


def _grade_for(score: Decimal | None, scheme: dict | None) -> str:
    if score is None or not scheme:
        return ""
    bands = sorted(
        ((dec(b.get("min")) or Decimal(0), b.get("name", "")) for b in scheme.get("bands", [])),
        reverse=True,
    )
    for minimum, name in bands:
        if score >= minimum:
            return name
    return ""


def make_context(doc: dict, record: dict) -> ReportContext:
    fonts = register_fonts()
    unit = ((doc.get("unit") or {}).get("name") or "").strip()
    ctx = ReportContext(doc=doc, record=record, fonts=fonts, st=report_styles(),
                        title=report_title(doc), unit=unit,
                        year=str(doc.get("fiscal_year") or ""),
                        draft=bool(record.get("draft", True)))
    ctx.leaves = _collect_leaves(doc.get("indicators") or [])
    ctx.reviews = record.get("reviews") or {}
    counted = [lf for lf in ctx.leaves if not lf.not_applicable]
    ctx.total_weight = dec(doc.get("total_weight")) or sum_present([lf.weight for lf in counted])
    ctx.total_score = dec(record.get("total_score"))
    if ctx.total_score is None:
        ctx.total_score = sum_present([lf.score for lf in counted])
    ctx.computed_total = dec(record.get("computed_total_score"))
    open_count = record.get("computed_open_count")
    ctx.computed_open = open_count if isinstance(open_count, int) and open_count > 0 else 0
    ctx.grade = record.get("grade") or _grade_for(ctx.total_score, doc.get("grade_scheme"))
    return ctx


def review_total(ctx: ReportContext) -> tuple[Decimal | None, bool]:
    """Sum of 复核 scores; unreviewed leaves count with their self-score (flag returned)."""
    if not ctx.reviews:
        return None, False
    total, partial_review = Decimal(0), False
    for leaf in ctx.leaves:
        if leaf.not_applicable:
            continue
        review = ctx.reviews.get(str(leaf.node.get("code") or "")) or {}
        value = dec(review.get("score"))
        if value is None:
            partial_review = True
            value = leaf.score or Decimal(0)
        total += value
    return total, partial_review


def bands_text(scheme: dict) -> str:
    bands = sorted(((dec(b.get("min")) or Decimal(0), b.get("name", ""))
                    for b in scheme.get("bands", [])), reverse=True)
    parts = []
    upper: Decimal | None = None
    for minimum, name in bands:
        if upper is None:
            parts.append(f"{name} ≥{plain(minimum)}")
        elif minimum > 0:
            parts.append(f"{name} {plain(minimum)}～<{plain(upper)}")
        else:
            parts.append(f"{name} <{plain(upper)}")
        upper = minimum
    return "；".join(parts) + "（分）"

