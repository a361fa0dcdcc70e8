"""The report text: narrative sections, problems and measures, the unit's statement."""

from __future__ import annotations

import re

from reportlab.lib.units import mm
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    Spacer,
)

from .context import ReportContext
from .styles import Styles, para
from .values import CN_DIGITS, MINOR_HEADING, NUMBERED_TITLE, STATEMENT, SUBHEADING


def _section_paragraphs(body: str, st: Styles) -> list[Flowable]:
    out: list[Flowable] = []
    for line in (body or "").splitlines():
        text = line.strip()
        if not text:
            continue
        # Short unpunctuated lines numbered （一） or 1、/（1） are headings in these reports:
        # print （一） in 黑体 and keep either kind with the paragraph that follows.
        style = st.body
        if len(text) <= 40 and not text.endswith(("。", "；", "，", "：")):
            if SUBHEADING.match(text):
                style = st.h2
            elif MINOR_HEADING.match(text):
                style = st.h3
        out.append(para(text, style))
    return out


def _numeral(n: int) -> str:
    if n <= 10:
        return CN_DIGITS[n - 1]
    if n < 20:
        return "十" + CN_DIGITS[n - 11]
    return str(n)


def report_text(ctx: ReportContext) -> list[Flowable]:
    doc, st = ctx.doc, ctx.st
    flow: list[Flowable] = [para(ctx.title, st.title)]
    sections = doc.get("sections") or []
    numbered = 0
    for section in sections:
        title = (section.get("title") or "").strip()
        if title:
            flow.append(para(title, st.h1))
            numbered += bool(NUMBERED_TITLE.match(title))
        flow += _section_paragraphs(section.get("body") or "", st)

    covered = any("问题" in (s.get("title") or "") for s in sections)
    if not covered and (doc.get("problems") or doc.get("measures")):
        prefix = f"{_numeral(numbered + 1)}、" if numbered else ""
        flow.append(para(f"{prefix}存在的问题及改进措施", st.h1))
        if doc.get("problems"):
            flow.append(para("（一）存在的主要问题", st.h2))
            flow += _section_paragraphs(doc["problems"], st)
        if doc.get("measures"):
            label = "（二）" if doc.get("problems") else "（一）"
            flow.append(para(f"{label}改进措施及建议", st.h2))
            flow += _section_paragraphs(doc["measures"], st)

    # The unit's statement is printed once: not again when the report text already says it.
    if states_responsibility(doc):
        return flow
    # Keep the statement with the text it closes rather than alone on a last page.
    closing: list[Flowable] = [Spacer(1, 6 * mm), para(STATEMENT, st.body)]
    if len(flow) > 1:
        closing.insert(0, flow.pop())
    flow.append(KeepTogether(closing))
    return flow


_RESPONSIBILITY = re.compile(r"[^。！；\n]*真实[^。！；\n]*负责")


def states_responsibility(doc: dict) -> bool:
    """True when the report text already holds the unit's statement of responsibility
    ("本单位对本报告内容的真实性、完整性负责" in the author's own words)."""
    texts = [s.get("body") or "" for s in doc.get("sections") or []]
    texts += [doc.get("problems") or "", doc.get("measures") or ""]
    return any(_RESPONSIBILITY.search(t) for t in texts)

