"""Render an evaluation's content document as the printed self-evaluation report (PDF).

Pure function of its inputs: no Flask, no database. ``render_report(doc, record=...)``
takes the content document of ``docs/evaluation-schema.md`` and an optional record of the
revision (signatures, scores, verification code) and returns PDF bytes.

The same inputs always give the same bytes (reportlab ``invariant`` mode, creation date
taken from the record), because a published report is stored once and hashed.

Layout, in the order of DOMAIN.md "The printed report": a cover page; the report text
(narrative sections, problems and measures, the unit's statement of responsibility); the
funding and expense tables with the score summary and chart; the self-evaluation table
(自评表, landscape) with totals and grade; the sub-project list (分项绩效项目清单); and the
team's signature page with 填报人, the unit's seal line, the date and the verification QR
code. Every page has a header, a "第 X 页 共 Y 页" footer and, for drafts, a 草稿 watermark.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache, partial
from typing import Any
from xml.sax.saxutils import escape

from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    KeepTogether,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from .charts import score_chart
from .fonts import FontSet, register_fonts

__all__ = ["render_report", "report_title", "TIMING_LABELS", "METHOD_LABELS", "SOURCE_LABELS"]

TIMING_LABELS = {"ex_ante": "事前评价", "in_progress": "事中评价", "ex_post": "事后评价"}
METHOD_LABELS = {"self": "单位自评", "department": "部门评价", "third_party": "第三方评价"}
KIND_LABELS = {"project": "项目支出绩效自评", "unit_whole": "部门整体支出绩效自评"}
SOURCE_LABELS = {"central": "中央财政", "provincial": "省级(自治区)财政",
                 "local": "市县财政", "other": "其他"}
ROLE_LABELS = {"leader": "组长", "deputy": "副组长", "member": "成员"}
_ROLE_ORDER = {"leader": 0, "deputy": 1, "member": 2}

STATEMENT = "本单位对本报告内容的真实性、完整性负责。"

PORTRAIT = A4
LANDSCAPE = landscape(A4)
_MARGIN_X = 20 * mm
_MARGIN_TOP = 22 * mm
_MARGIN_BOTTOM = 20 * mm
_LAND_MARGIN_X = 14 * mm
_LAND_MARGIN_TOP = 18 * mm
_LAND_MARGIN_BOTTOM = 16 * mm

_BLACK = colors.black
_RULE = colors.Color(0.2, 0.2, 0.2)
_HEAD_FILL = colors.Color(0.93, 0.93, 0.93)
_GREY_TEXT = colors.Color(0.4, 0.4, 0.4)
_WATERMARK = colors.Color(0.86, 0.86, 0.86)

_CN_DIGITS = "一二三四五六七八九十"
_NUMBERED_TITLE = re.compile(r"^\s*[一二三四五六七八九十]+[、.．]")
_SUBHEADING = re.compile(r"^\s*[（(][一二三四五六七八九十]+[）)]")
_MINOR_HEADING = re.compile(r"^\s*(\d+\s*[、.．]|[（(]\d+[）)])")
_HUNDRED = Decimal(100)
# Above this many characters in one cell a table row may outgrow a page (landscape 自评表
# columns hold ~17 characters a line, ~48 lines a page).
_IN_ROW_SPLIT_CHARS = 700
_CENT = Decimal("0.01")


# --------------------------------------------------------------------------- values


def _dec(value: Any) -> Decimal | None:
    """Parse a decimal string of the content document; ``None``/"" stay ``None``."""
    if value is None:
        return None
    if isinstance(value, float):
        # Floats never belong in the document; refuse rather than print a rounding artefact.
        raise TypeError(f"expected a decimal string, got float {value!r}")
    text = str(value).strip()
    if not text:
        return None
    try:
        return Decimal(text)
    except InvalidOperation as exc:
        raise ValueError(f"not a decimal number: {value!r}") from exc


def _plain(d: Decimal) -> str:
    """A decimal without exponent or trailing zeros: 96.50 → "96.5", 1E+2 → "100"."""
    text = format(d.normalize(), "f")
    return "0" if text in ("-0", "") else text


def fmt_score(value: Any) -> str:
    """Score or weight as printed: exact, no trailing zeros, "—" when missing."""
    d = _dec(value)
    return "—" if d is None else _plain(d)


def fmt_money(value: Any) -> str:
    """Money in 万元: exact, at least two decimals (4.5 → 4.50, 307.991 stays)."""
    d = _dec(value) if not isinstance(value, Decimal) else value
    if d is None:
        return "—"
    d = d.normalize()
    if d.as_tuple().exponent > -2:  # type: ignore[operator]
        d = d.quantize(_CENT)
    return format(d, "f")


def fmt_rate(numerator: Decimal | None, denominator: Decimal | None) -> str:
    """Percentage with two decimals, half-up; "—" when it cannot be computed."""
    if numerator is None or denominator is None or denominator == 0:
        return "—"
    return f"{(numerator / denominator * _HUNDRED).quantize(_CENT, ROUND_HALF_UP)}%"


def fmt_date(value: Any) -> str:
    """ISO date → 2022年5月19日 (the form used on Chinese official documents)."""
    if not value:
        return ""
    try:
        d = date.fromisoformat(str(value)[:10])
    except ValueError:
        return str(value)
    return f"{d.year}年{d.month}月{d.day}日"


def _fmt_datetime(value: Any) -> str:
    if not value:
        return ""
    try:
        dt = datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    return dt.strftime("%Y-%m-%d %H:%M")


def _sum(values: list[Decimal | None]) -> Decimal | None:
    present = [v for v in values if v is not None]
    return sum(present, Decimal(0)) if present else None


def _esc(text: Any) -> str:
    """Escape user text for a Paragraph; keep line breaks."""
    # U+3000 (full-width space, how Chinese text is spaced and indented) would be collapsed
    # by the paragraph parser as whitespace; as a character reference it survives.
    return escape(str(text or "")).replace("\n", "<br/>").replace("\u3000", "&#12288;")


def report_title(doc: dict) -> str:
    """The report's title, e.g. "高邑县人民政府办公室2021年度整体支出绩效自评报告"."""
    unit = (doc.get("unit") or {}).get("name", "").strip()
    year = str(doc.get("fiscal_year") or "").strip()
    name = (doc.get("project_name") or "").strip()
    for suffix in ("绩效自评报告", "自评报告", "报告"):
        if name.endswith(suffix):
            name = name[: -len(suffix)]
            break
    if not name:
        name = "整体支出" if doc.get("kind") != "project" else "项目支出"
    # Seed 001's project name already reads "<unit><year>年度整体支出": do not repeat.
    prefix = "" if (unit and unit in name) else unit
    if year and f"{year}年" not in name:
        prefix += f"{year}年度"
    return f"{prefix}{name}绩效自评报告"


# --------------------------------------------------------------------------- styles


@dataclass(frozen=True)
class _Styles:
    title: ParagraphStyle
    cover_title: ParagraphStyle
    cover_sub: ParagraphStyle
    cover_label: ParagraphStyle
    cover_value: ParagraphStyle
    h1: ParagraphStyle
    h1c: ParagraphStyle
    h2: ParagraphStyle
    h3: ParagraphStyle
    body: ParagraphStyle
    note: ParagraphStyle
    right: ParagraphStyle
    cell: ParagraphStyle
    cell_c: ParagraphStyle
    cell_r: ParagraphStyle
    cell_head: ParagraphStyle
    cell_small: ParagraphStyle
    sign: ParagraphStyle


@lru_cache(maxsize=1)
def _styles() -> _Styles:
    fonts = register_fonts()
    base = ParagraphStyle("jx-base", fontName=fonts.serif, fontSize=11.5, leading=20,
                          wordWrap="CJK", textColor=_BLACK)

    def s(name: str, **kw: Any) -> ParagraphStyle:
        return ParagraphStyle(name, parent=base, **kw)

    # rightIndent leaves room for punctuation that reportlab hangs past the line end.
    cell = s("cell", fontSize=8.5, leading=11.5, rightIndent=2)
    return _Styles(
        title=s("title", fontName=fonts.sans, fontSize=17, leading=26, alignment=TA_CENTER,
                spaceAfter=14),
        cover_title=s("cover_title", fontName=fonts.sans, fontSize=24, leading=38,
                      alignment=TA_CENTER),
        cover_sub=s("cover_sub", fontSize=14, leading=22, alignment=TA_CENTER),
        cover_label=s("cover_label", fontName=fonts.sans, fontSize=12, leading=17,
                      alignment=TA_JUSTIFY),
        cover_value=s("cover_value", fontSize=12, leading=17),
        h1=s("h1", fontName=fonts.sans, fontSize=13.5, leading=22, spaceBefore=10,
             spaceAfter=4, keepWithNext=1),
        h1c=s("h1c", fontName=fonts.sans, fontSize=15, leading=22, spaceAfter=6,
              alignment=TA_CENTER, keepWithNext=1),
        h2=s("h2", fontName=fonts.sans, fontSize=11.5, leading=20, firstLineIndent=23,
             keepWithNext=1),
        h3=s("h3", firstLineIndent=23, keepWithNext=1),
        body=s("body", firstLineIndent=23, alignment=TA_JUSTIFY),
        note=s("note", fontSize=9, leading=13, textColor=_GREY_TEXT),
        right=s("right", alignment=TA_RIGHT),
        cell=cell,
        cell_c=ParagraphStyle("cell_c", parent=cell, alignment=TA_CENTER),
        cell_r=ParagraphStyle("cell_r", parent=cell, alignment=TA_RIGHT),
        cell_head=ParagraphStyle("cell_head", parent=cell, fontName=fonts.sans,
                                 alignment=TA_CENTER),
        cell_small=ParagraphStyle("cell_small", parent=cell, fontSize=7.5, leading=10),
        sign=ParagraphStyle("sign", parent=cell, fontSize=8, leading=11),
    )


def _dense(style: ParagraphStyle, size: float, leading: float) -> ParagraphStyle:
    return ParagraphStyle(f"{style.name}-{size}", parent=style, fontSize=size, leading=leading)


# --------------------------------------------------------------------------- context


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
class _Ctx:
    doc: dict
    record: dict
    fonts: FontSet
    st: _Styles
    title: str
    unit: str
    year: str
    draft: bool
    leaves: list[_Leaf] = field(default_factory=list)
    reviews: dict = field(default_factory=dict)
    total_weight: Decimal | None = None
    total_score: Decimal | None = None
    computed_total: Decimal | None = None
    grade: str = ""
    label_tracker: dict = field(default_factory=dict)
    tables: int = 0

    def table_title(self, name: str) -> str:
        """Number the appended tables in order of appearance: 附表1, 附表2, …"""
        self.tables += 1
        return f"附表{self.tables}　{name}"


def _label(name: str, weight: Any) -> str:
    """Group label markup: the name, and its weight on a line of its own (narrow column)."""
    w = _dec(weight)
    text = _esc(name)
    return f"{text}<br/>（{_plain(w)}分）" if w is not None else text


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
                    leaf, _dec(leaf.get("weight")), _dec(leaf.get("score")),
                    bool(leaf.get("not_applicable")),
                ))
    return leaves


def _grade_for(score: Decimal | None, scheme: dict | None) -> str:
    if score is None or not scheme:
        return ""
    bands = sorted(
        ((_dec(b.get("min")) or Decimal(0), b.get("name", "")) for b in scheme.get("bands", [])),
        reverse=True,
    )
    for minimum, name in bands:
        if score >= minimum:
            return name
    return ""


def _make_ctx(doc: dict, record: dict) -> _Ctx:
    fonts = register_fonts()
    unit = ((doc.get("unit") or {}).get("name") or "").strip()
    ctx = _Ctx(doc=doc, record=record, fonts=fonts, st=_styles(), title=report_title(doc),
               unit=unit, year=str(doc.get("fiscal_year") or ""),
               draft=bool(record.get("draft", True)))
    ctx.leaves = _collect_leaves(doc.get("indicators") or [])
    ctx.reviews = record.get("reviews") or {}
    counted = [lf for lf in ctx.leaves if not lf.not_applicable]
    ctx.total_weight = _dec(doc.get("total_weight")) or _sum([lf.weight for lf in counted])
    ctx.total_score = _dec(record.get("total_score"))
    if ctx.total_score is None:
        ctx.total_score = _sum([lf.score for lf in counted])
    ctx.computed_total = _dec(record.get("computed_total_score"))
    ctx.grade = record.get("grade") or _grade_for(ctx.total_score, doc.get("grade_scheme"))
    return ctx


# --------------------------------------------------------------------------- canvas


class _ReportCanvas(Canvas):
    """Canvas that holds every page until the end so the footer can say "共 Y 页"."""

    def __init__(self, *args: Any, ctx: _Ctx, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._ctx = ctx
        self._held_pages: list[dict] = []
        self._fix_timestamp(ctx.record.get("generated_at"))

    def _fix_timestamp(self, value: Any) -> None:
        # invariant mode stamps 2000-01-01; use the record's generation time instead, still
        # deterministic. TimeStamp is reportlab-internal, hence the defensive getattr.
        ts = getattr(getattr(self, "_doc", None), "_timeStamp", None)
        if ts is None or not value:
            return
        try:
            dt = datetime.fromisoformat(str(value))
        except ValueError:
            return
        offset = dt.utcoffset()
        minutes = int(offset.total_seconds() // 60) if offset else 0
        ts.YMDhms = (dt.year, dt.month, dt.day, dt.hour, dt.minute, dt.second)
        ts.dhh, ts.dmm = (minutes // 60, abs(minutes) % 60) if minutes >= 0 else (
            -(abs(minutes) // 60), abs(minutes) % 60)

    def showPage(self) -> None:  # noqa: N802 - reportlab API name
        self._held_pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._held_pages)
        for state in self._held_pages:
            self.__dict__.update(state)
            _draw_footer(self, self._ctx, total)
            super().showPage()
        super().save()


def _draw_footer(canv: Canvas, ctx: _Ctx, total: int) -> None:
    width, _ = canv._pagesize
    margin = _LAND_MARGIN_X if width > PORTRAIT[0] else _MARGIN_X
    y = 11 * mm
    canv.saveState()
    canv.setFont(ctx.fonts.serif, 9)
    canv.setFillColor(_BLACK)
    canv.drawCentredString(width / 2, y, f"第 {canv.getPageNumber()} 页  共 {total} 页")
    canv.setFont(ctx.fonts.serif, 7)
    canv.setFillColor(_GREY_TEXT)
    left = []
    if ctx.record.get("revision") is not None:
        left.append(f"第 {ctx.record['revision']} 版")
    if ctx.record.get("content_hash"):
        left.append(f"内容摘要 {str(ctx.record['content_hash'])[:12]}")
    if left:
        canv.drawString(margin, y, "  ".join(left))
    verification = ctx.record.get("verification") or {}
    if verification.get("code"):
        canv.drawRightString(width - margin, y, f"核验码 {verification['code']}")
    canv.restoreState()


def _draw_page(canv: Canvas, _doc: BaseDocTemplate, *, ctx: _Ctx) -> None:
    """Watermark (under the content) and running header, at the start of each page."""
    width, height = canv._pagesize
    landscape_page = width > PORTRAIT[0]
    margin = _LAND_MARGIN_X if landscape_page else _MARGIN_X
    canv.saveState()
    if ctx.draft:
        canv.setFillColor(_WATERMARK)
        canv.setFont(ctx.fonts.sans, 120)
        canv.translate(width / 2, height / 2)
        canv.rotate(35)
        canv.drawCentredString(0, -40, "草稿")
        canv.rotate(-35)
        canv.translate(-width / 2, -height / 2)
    y = height - (11 * mm if landscape_page else 13 * mm)
    canv.setFont(ctx.fonts.serif, 8)
    canv.setFillColor(_GREY_TEXT)
    canv.drawString(margin, y, ctx.unit)
    kind = KIND_LABELS.get(ctx.doc.get("kind", ""), "绩效自评")
    canv.drawRightString(width - margin, y, f"{ctx.year}年度{kind}报告")
    canv.setStrokeColor(_RULE)
    canv.setLineWidth(0.5)
    canv.line(margin, y - 2.5 * mm, width - margin, y - 2.5 * mm)
    canv.restoreState()


# --------------------------------------------------------------------------- flowables


class _GroupLabel(Flowable):
    """An indicator-group name in the first column(s) of the 自评表.

    reportlab cannot split a table inside a row span, and a first-level group (e.g. 过程,
    21 rows) is taller than a page. So groups are not spanned: the name is printed on the
    group's first row and again, marked （续）, on the first row of the group on each new
    page. Which row that is is only known while drawing, hence this flowable.
    """

    def __init__(self, text: str, key: str, tracker: dict, first: bool,
                 style: ParagraphStyle) -> None:
        super().__init__()
        self._key = key
        self._tracker = tracker
        self._first = first
        self._para = Paragraph(text if first else f"{text}<br/>（续）", style)

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.width, self.height = self._para.wrap(avail_width, avail_height)
        return self.width, self.height

    def draw(self) -> None:
        page = self.canv.getPageNumber()
        if self._first or self._tracker.get(self._key) != page:
            self._para.drawOn(self.canv, 0, 0)
        self._tracker[self._key] = page


class _ClosedTable(Table):
    """A table whose part on every page ends with a rule.

    The 自评表 has no row rules in its group columns, so a page break inside a group would
    leave that page's part open at the bottom. reportlab resolves a ``splitlast`` rule only
    for the first split and drops it from the remainder, so it is re-added on each split.
    """

    def onSplit(self, T: Table, byRow: int = 1) -> None:  # noqa: N803 - reportlab API
        T._addCommand(("LINEBELOW", (0, "splitlast"), (-1, "splitlast"), 0.8, _BLACK))


def _tstyle(commands: list[tuple]) -> TableStyle:
    """TableStyle whose plain-string cells use the CJK face (reportlab's default is an
    unembedded Helvetica, which even an empty cell references)."""
    font = register_fonts().serif
    return TableStyle([("FONTNAME", (0, 0), (-1, -1), font)] + list(commands))


def _p(text: Any, style: ParagraphStyle) -> Paragraph:
    return Paragraph(_esc(text), style)


def _ruled_table(data: list[list[Any]], widths: list[float], *, header_rows: int = 1,
                 extra: list[tuple] | None = None, **kwargs: Any) -> Table:
    """A thin-ruled table with a shaded header row repeated on every page."""
    table = Table(data, colWidths=widths, repeatRows=header_rows, **kwargs)
    style = [
        ("GRID", (0, 0), (-1, -1), 0.4, _RULE),
        ("BOX", (0, 0), (-1, -1), 0.8, _BLACK),
        ("BACKGROUND", (0, 0), (-1, header_rows - 1), _HEAD_FILL),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    table.setStyle(_tstyle(style + (extra or [])))
    return table


# --------------------------------------------------------------------------- sections


def _cover(ctx: _Ctx) -> list[Flowable]:
    doc, st, rec = ctx.doc, ctx.st, ctx.record
    kind = KIND_LABELS.get(doc.get("kind", ""), "绩效自评")
    leader = doc.get("project_leader") or ""
    if leader and doc.get("project_leader_phone"):
        leader = f"{leader}（电话：{doc['project_leader_phone']}）"
    period = ""
    if doc.get("period_start") or doc.get("period_end"):
        period = f"{fmt_date(doc.get('period_start'))} 至 {fmt_date(doc.get('period_end'))}"
    method = METHOD_LABELS.get(doc.get("method", ""), doc.get("method") or "")
    organ = f"{ctx.unit}绩效评价工作组" if doc.get("method") in ("self", None, "") else ""
    preparer = doc.get("preparer_name") or ""
    if preparer and doc.get("preparer_phone"):
        preparer = f"{preparer}（电话：{doc['preparer_phone']}）"
    rows = [
        ("项目名称", doc.get("project_name") or "整体支出"),
        ("实施单位", ctx.unit),
        ("主管部门", (doc.get("unit") or {}).get("supervising_department", "")),
        ("项目负责人", leader),
        ("评价期间", period),
        ("评价时间", TIMING_LABELS.get(doc.get("timing", ""), doc.get("timing") or "")),
        ("评价方式", method),
        ("评价机构", organ),
        ("填 报 人", preparer),
        ("报告日期", fmt_date(doc.get("report_date"))),
    ]
    info = Table(
        [[_p(label, st.cover_label), _p(value or " ", st.cover_value)] for label, value in rows],
        colWidths=[28 * mm, 100 * mm],
    )
    info.setStyle(_tstyle([
        ("LINEBELOW", (1, 0), (1, -1), 0.5, _BLACK),
        ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
        ("TOPPADDING", (0, 0), (-1, -1), 7),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]))
    flow: list[Flowable] = [
        Spacer(1, 30 * mm),
        # Long titles (a project name after a long unit name) get a smaller size so the
        # title stays within about three lines.
        Paragraph(_cover_title_markup(ctx), st.cover_title if len(ctx.title) <= 34 else
                  _dense(st.cover_title, 20, 31)),
        Spacer(1, 6 * mm),
        _p(f"（{kind}）", st.cover_sub),
        Spacer(1, 26 * mm),
        info,
        Spacer(1, 24 * mm),
        _p(ctx.unit, ParagraphStyle("cu", parent=st.cover_sub, fontName=ctx.fonts.sans)),
        _p(fmt_date(doc.get("report_date")), st.cover_sub),
    ]
    meta = []
    if rec.get("revision") is not None:
        meta.append(f"报告版本：第 {rec['revision']} 版")
    if rec.get("state_label"):
        meta.append(f"状态：{rec['state_label']}")
    if rec.get("content_hash"):
        meta.append(f"内容摘要（SHA-256）：{str(rec['content_hash'])[:16]}…")
    verification = rec.get("verification") or {}
    if verification.get("code"):
        meta.append(f"核验码：{verification['code']}")
    if meta:
        flow += [Spacer(1, 14 * mm),
                 _p("　　".join(meta), ParagraphStyle("cm", parent=st.note,
                                                     alignment=TA_CENTER))]
    return flow


def _cover_title_markup(ctx: _Ctx) -> str:
    # Break a long title after the unit's name rather than wherever the line fills up.
    if ctx.unit and ctx.title.startswith(ctx.unit) and len(ctx.title) > 16:
        return f"{_esc(ctx.unit)}<br/>{_esc(ctx.title[len(ctx.unit):])}"
    return _esc(ctx.title)


def _section_paragraphs(body: str, st: _Styles) -> list[Flowable]:
    out: list[Flowable] = []
    for line in (body or "").splitlines():
        text = line.strip()
        if not text:
            continue
        # Short unpunctuated lines numbered （一） or 1、/（1） are headings in these reports:
        # print （一） in 黑体 and keep either kind with the paragraph that follows.
        style = st.body
        if len(text) <= 40 and not text.endswith(("。", "；", "，", "：")):
            if _SUBHEADING.match(text):
                style = st.h2
            elif _MINOR_HEADING.match(text):
                style = st.h3
        out.append(_p(text, style))
    return out


def _numeral(n: int) -> str:
    if n <= 10:
        return _CN_DIGITS[n - 1]
    if n < 20:
        return "十" + _CN_DIGITS[n - 11]
    return str(n)


def _report_text(ctx: _Ctx) -> list[Flowable]:
    doc, st = ctx.doc, ctx.st
    flow: list[Flowable] = [_p(ctx.title, st.title)]
    sections = doc.get("sections") or []
    numbered = 0
    for section in sections:
        title = (section.get("title") or "").strip()
        if title:
            flow.append(_p(title, st.h1))
            numbered += bool(_NUMBERED_TITLE.match(title))
        flow += _section_paragraphs(section.get("body") or "", st)

    covered = any("问题" in (s.get("title") or "") for s in sections)
    if not covered and (doc.get("problems") or doc.get("measures")):
        prefix = f"{_numeral(numbered + 1)}、" if numbered else ""
        flow.append(_p(f"{prefix}存在的问题及改进措施", st.h1))
        if doc.get("problems"):
            flow.append(_p("（一）存在的主要问题", st.h2))
            flow += _section_paragraphs(doc["problems"], st)
        if doc.get("measures"):
            label = "（二）" if doc.get("problems") else "（一）"
            flow.append(_p(f"{label}改进措施及建议", st.h2))
            flow += _section_paragraphs(doc["measures"], st)

    # Keep the statement with the text it closes rather than alone on a last page.
    closing: list[Flowable] = [Spacer(1, 6 * mm), _p(STATEMENT, st.body)]
    if len(flow) > 1:
        closing.insert(0, flow.pop())
    flow.append(KeepTogether(closing))
    return flow


def _funding(ctx: _Ctx) -> list[Flowable]:
    st = ctx.st
    head = ["资金来源", "年初预算数", "全年预算数<br/>（调整后）", "到位数", "执行数",
            "资金到位率", "预算执行率"]
    rows: list[list[Any]] = [[Paragraph(h, st.cell_head) for h in head]]
    funding = ctx.doc.get("funding") or []
    totals: dict[str, list[Decimal | None]] = {k: [] for k in
                                               ("initial", "planned", "arrived", "spent")}
    for line in funding:
        values = {k: _dec(line.get(k)) for k in totals}
        for k, v in values.items():
            totals[k].append(v)
        label = SOURCE_LABELS.get(line.get("source", ""), line.get("source") or "")
        rows.append([_p(label, st.cell)] + [_p(fmt_money(values[k]), st.cell_r) for k in
                                            ("initial", "planned", "arrived", "spent")]
                    + [_p(fmt_rate(values["arrived"], values["planned"]), st.cell_r),
                       _p(fmt_rate(values["spent"], values["planned"]), st.cell_r)])
    sums = {k: _sum(v) for k, v in totals.items()}
    rows.append([Paragraph("合计", st.cell_head)]
                + [_p(fmt_money(sums[k]), st.cell_r) for k in
                   ("initial", "planned", "arrived", "spent")]
                + [_p(fmt_rate(sums["arrived"], sums["planned"]), st.cell_r),
                   _p(fmt_rate(sums["spent"], sums["planned"]), st.cell_r)])
    widths = [30 * mm, 21 * mm, 25 * mm, 21 * mm, 21 * mm, 26 * mm, 26 * mm]
    flow: list[Flowable] = [
        _p(ctx.table_title("预算资金到位及执行情况"), st.h1c),
        _p("单位：万元", ParagraphStyle("unit", parent=st.note, alignment=TA_RIGHT)),
        _ruled_table(rows, widths, extra=[("LINEABOVE", (0, -1), (-1, -1), 0.8, _BLACK)]),
        _p("注：资金到位率＝到位数÷全年预算数；预算执行率＝执行数÷全年预算数（调整后）。",
           st.note),
    ]

    expenses = ctx.doc.get("expenses") or []
    if expenses:
        head = ["序号", "支出项目（经济分类）", "预算数", "实际支出数", "差额<br/>（预算－实际）",
                "执行率"]
        erows: list[list[Any]] = [[Paragraph(h, st.cell_head) for h in head]]
        planned_all, actual_all = [], []
        for n, line in enumerate(expenses, start=1):
            planned, actual = _dec(line.get("planned")), _dec(line.get("actual"))
            planned_all.append(planned)
            actual_all.append(actual)
            diff = planned - actual if planned is not None and actual is not None else None
            erows.append([_p(n, st.cell_c), _p(line.get("category"), st.cell),
                          _p(fmt_money(planned), st.cell_r), _p(fmt_money(actual), st.cell_r),
                          _p(fmt_money(diff), st.cell_r), _p(fmt_rate(actual, planned),
                                                             st.cell_r)])
        tp, ta = _sum(planned_all), _sum(actual_all)
        tdiff = tp - ta if tp is not None and ta is not None else None
        erows.append([Paragraph("合计", st.cell_head), "", _p(fmt_money(tp), st.cell_r),
                      _p(fmt_money(ta), st.cell_r), _p(fmt_money(tdiff), st.cell_r),
                      _p(fmt_rate(ta, tp), st.cell_r)])
        widths = [12 * mm, 58 * mm, 24 * mm, 24 * mm, 26 * mm, 26 * mm]
        flow += [Spacer(1, 8 * mm), _p(ctx.table_title("支出明细（按经济分类）"), st.h1c),
                 _p("单位：万元", ParagraphStyle("unit2", parent=st.note, alignment=TA_RIGHT)),
                 _ruled_table(erows, widths, extra=[
                     ("SPAN", (0, -1), (1, -1)),
                     ("LINEABOVE", (0, -1), (-1, -1), 0.8, _BLACK)])]
    return flow


def _review_total(ctx: _Ctx) -> tuple[Decimal | None, bool]:
    """Sum of 复核 scores; unreviewed leaves count with their self-score (flag returned)."""
    if not ctx.reviews:
        return None, False
    total, partial_review = Decimal(0), False
    for leaf in ctx.leaves:
        if leaf.not_applicable:
            continue
        review = ctx.reviews.get(str(leaf.node.get("code") or "")) or {}
        value = _dec(review.get("score"))
        if value is None:
            partial_review = True
            value = leaf.score or Decimal(0)
        total += value
    return total, partial_review


def _summary(ctx: _Ctx) -> list[Flowable]:
    st = ctx.st
    heads = ["满分", "自评得分", "评价等级"]
    values = [fmt_score(ctx.total_weight), fmt_score(ctx.total_score), ctx.grade or "—"]
    if ctx.computed_total is not None:
        heads.append("按评分规则计算得分")
        values.append(fmt_score(ctx.computed_total))
    review_total, _ = _review_total(ctx)
    if review_total is not None:
        heads.append("财政复核得分")
        values.append(fmt_score(review_total))
    width = 170 * mm / len(heads)
    table = _ruled_table([[Paragraph(h, st.cell_head) for h in heads],
                          [_p(v, _dense(st.cell_c, 11, 15)) for v in values]],
                         [width] * len(heads))
    flow: list[Flowable] = [Spacer(1, 8 * mm), CondPageBreak(95 * mm),
                            _p("综合评价结果", st.h1c), table]
    if (ctx.computed_total is not None and ctx.total_score is not None
            and ctx.computed_total != ctx.total_score):
        diff = ctx.total_score - ctx.computed_total
        flow.append(_p(f"注：按各指标评分规则计算的总分为 {fmt_score(ctx.computed_total)} 分，"
                       f"与自评得分相差 {fmt_score(abs(diff))} 分，差异见自评表。", st.note))
    scheme = ctx.doc.get("grade_scheme") or {}
    if scheme.get("bands"):
        flow.append(_p(f"等级标准（{scheme.get('name', '')}）：" + _bands_text(scheme), st.note))

    # Chart: weight vs score per first-level indicator.
    groups: dict[str, dict[str, Any]] = {}
    for leaf in ctx.leaves:
        g = groups.setdefault(leaf.l1_code, {"name": leaf.l1_name,
                                             "w": [], "s": [], "r": []})
        if leaf.not_applicable:
            continue
        g["w"].append(leaf.weight)
        g["s"].append(leaf.score)
        review = ctx.reviews.get(str(leaf.node.get("code") or "")) or {}
        g["r"].append(_dec(review.get("score")) if review else leaf.score)
    if groups:
        names = [g["name"] for g in groups.values()]
        weights = [_sum(g["w"]) for g in groups.values()]
        scores = [_sum(g["s"]) for g in groups.values()]
        series = [("分值", weights, [fmt_score(v) for v in weights]),
                  ("自评得分", scores, [fmt_score(v) for v in scores])]
        if ctx.reviews:
            reviewed = [_sum(g["r"]) for g in groups.values()]
            series.append(("复核得分", reviewed, [fmt_score(v) for v in reviewed]))
        flow += [Spacer(1, 8 * mm), _p("各一级指标分值与得分", st.h1c),
                 score_chart(names, series, width=170 * mm)]
    return flow


def _bands_text(scheme: dict) -> str:
    bands = sorted(((_dec(b.get("min")) or Decimal(0), b.get("name", ""))
                    for b in scheme.get("bands", [])), reverse=True)
    parts = []
    upper: Decimal | None = None
    for minimum, name in bands:
        if upper is None:
            parts.append(f"{name} ≥{_plain(minimum)}")
        elif minimum > 0:
            parts.append(f"{name} {_plain(minimum)}～<{_plain(upper)}")
        else:
            parts.append(f"{name} <{_plain(upper)}")
        upper = minimum
    return "；".join(parts) + "（分）"


def _indicator_table(ctx: _Ctx) -> list[Flowable]:
    st = ctx.st
    doc = ctx.doc
    cell = _dense(st.cell, 7.5, 9.8)
    cell_c = _dense(st.cell_c, 7.5, 9.8)
    head_style = _dense(st.cell_head, 7.5, 9.8)
    label_style = _dense(st.cell, 7.5, 9.8)
    has_reviews = bool(ctx.reviews)
    kind_title = ("部门整体支出绩效自评表" if doc.get("kind") == "unit_whole"
                  else "项目支出绩效自评表")

    head = ["一级指标", "二级指标", "三级指标", "指标内容", "评价标准", "年度指标值",
            "实际完成值", "分值", "自评<br/>得分", "偏差原因分析<br/>及改进措施"]
    widths = [19, 18, 25, 48, 54, 20, 20, 10, 11, 44]
    if has_reviews:
        head.append("复核得分<br/>及意见")
        widths = [19, 18, 25, 42, 48, 19, 19, 10, 11, 36, 22]
    usable = LANDSCAPE[0] - 2 * _LAND_MARGIN_X
    scale = usable / (sum(widths) * mm)
    col_widths = [w * mm * scale for w in widths]

    rows: list[list[Any]] = [[Paragraph(h, head_style) for h in head]]
    style: list[tuple] = [
        ("BOX", (0, 0), (-1, -1), 0.8, _BLACK),
        ("INNERGRID", (2, 0), (-1, -1), 0.4, _RULE),
        ("LINEAFTER", (0, 0), (1, -1), 0.4, _RULE),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, _BLACK),
        ("BACKGROUND", (0, 0), (-1, 0), _HEAD_FILL),
        ("VALIGN", (0, 0), (-1, 0), "MIDDLE"),
        ("VALIGN", (0, 1), (-1, -1), "TOP"),
        ("VALIGN", (7, 1), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 2.5),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2.5),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    previous_l1 = previous_l2 = None
    for leaf in ctx.leaves:
        r = len(rows)
        node = leaf.node
        first_l1 = leaf.l1_code != previous_l1
        first_l2 = first_l1 or leaf.l2_code != previous_l2
        if first_l1 and r > 1:
            style.append(("LINEABOVE", (0, r), (-1, r), 0.4, _RULE))
        elif first_l2 and r > 1:
            style.append(("LINEABOVE", (1, r), (-1, r), 0.4, _RULE))
        previous_l1, previous_l2 = leaf.l1_code, leaf.l2_code
        score_text = "不适用" if leaf.not_applicable else fmt_score(leaf.score)
        row: list[Any] = [
            _GroupLabel(leaf.l1_label, f"l1:{leaf.l1_code}", ctx.label_tracker, first_l1,
                        label_style),
            _GroupLabel(leaf.l2_label, f"l2:{leaf.l2_code}", ctx.label_tracker, first_l2,
                        label_style) if leaf.l2_label else "",
            _p(node.get("name"), cell),
            _p(node.get("description"), cell),
            _p(node.get("standard"), cell),
            _p(node.get("target"), cell_c),
            _p(node.get("actual"), cell_c),
            _p(fmt_score(leaf.weight), cell_c),
            _p(score_text, cell_c),
            _p(_deviation_text(node), cell),
        ]
        if has_reviews:
            review = ctx.reviews.get(str(node.get("code") or "")) or {}
            text = _esc(fmt_score(review.get("score"))) if review else "—"
            if review.get("opinion"):
                text += f"<br/><font size=6.5>{_esc(review['opinion'])}</font>"
            row.append(Paragraph(text, cell_c))
        if leaf.not_applicable:
            style.append(("TEXTCOLOR", (2, r), (-1, r), _GREY_TEXT))
        rows.append(row)

    # Totals, grade and the rule-computed total, as the last rows of the form.
    n_cols = len(head)
    r = len(rows)
    total_row: list[Any] = [Paragraph("合计", head_style)] + [""] * (n_cols - 1)
    total_row[7] = _p(fmt_score(ctx.total_weight), cell_c)
    total_row[8] = _p(fmt_score(ctx.total_score), cell_c)
    review_total, partial_review = _review_total(ctx)
    if has_reviews:
        total_row[10] = _p(fmt_score(review_total), cell_c)
    rows.append(total_row)
    grade_text = f"综合评价等级：{ctx.grade or '—'}"
    scheme = doc.get("grade_scheme") or {}
    if scheme.get("bands"):
        grade_text += f"　（{_bands_text(scheme)}）"
    rows.append([_p(grade_text, cell)] + [""] * (n_cols - 1))
    notes = []
    if (ctx.computed_total is not None and ctx.total_score is not None
            and ctx.computed_total != ctx.total_score):
        notes.append(f"按各指标评分规则计算的总分为 {fmt_score(ctx.computed_total)} 分，"
                     f"与自评得分 {fmt_score(ctx.total_score)} 分不一致。")
    if partial_review:
        notes.append("复核得分合计中，未复核的指标按自评得分计。")
    if notes:
        rows.append([_p("注：" + "".join(notes), cell)] + [""] * (n_cols - 1))
    style += [
        ("LINEABOVE", (0, r), (-1, r), 0.8, _BLACK),
        ("SPAN", (0, r), (6, r)),
        ("INNERGRID", (0, r), (-1, -1), 0.4, _RULE),
        ("VALIGN", (0, r), (-1, -1), "MIDDLE"),
    ]
    for rr in range(r + 1, len(rows)):
        style.append(("SPAN", (0, rr), (-1, rr)))

    table = _ClosedTable(rows, colWidths=col_widths, repeatRows=1,
                  splitInRow=_needs_in_row_split(ctx.doc.get("indicators") or []))
    table.setStyle(_tstyle(style))

    funding = doc.get("funding") or []
    planned = _sum([_dec(f.get("planned")) for f in funding])
    spent = _sum([_dec(f.get("spent")) for f in funding])
    top = Table([[_p(f"填报单位：{ctx.unit}", st.cell),
                  _p(f"预算数（调整后）：{fmt_money(planned)}　执行数：{fmt_money(spent)}　"
                     f"预算执行率：{fmt_rate(spent, planned)}", st.cell_c),
                  _p("单位：万元", st.cell_r)]],
                colWidths=[usable * 0.3, usable * 0.5, usable * 0.2])
    top.setStyle(_tstyle([("LEFTPADDING", (0, 0), (-1, -1), 0),
                             ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                             ("BOTTOMPADDING", (0, 0), (-1, -1), 4)]))
    preparer = f"填报人：{doc.get('preparer_name') or ''}"
    if doc.get("preparer_phone"):
        preparer += f"　　联系电话：{doc['preparer_phone']}"
    return [_p(ctx.table_title(kind_title), st.h1c), top, table, Spacer(1, 3 * mm),
            _p(preparer, st.cell)]


def _needs_in_row_split(items: Any) -> int:
    """1 when some text is long enough that a single row might not fit on a page.

    reportlab can split inside a row, but when allowed it also does so where a clean
    break between rows was possible (and repeats the header mid-page), so it is only
    switched on for pathological input that would otherwise fail to lay out.
    """
    def longest(value: Any) -> int:
        if isinstance(value, dict):
            return max((longest(v) for v in value.values()), default=0)
        if isinstance(value, list):
            return max((longest(v) for v in value), default=0)
        return len(value) if isinstance(value, str) else 0

    return 1 if longest(items) > _IN_ROW_SPLIT_CHARS else 0


def _deviation_text(node: dict) -> str:
    parts = [node.get("deviation_reason") or ""]
    reason = node.get("score_reason") or ""
    if reason and reason not in parts[0]:
        parts.append(f"扣分理由：{reason}")
    return "\n".join(p for p in parts if p)


def _sub_projects(ctx: _Ctx) -> list[Flowable]:
    st = ctx.st
    items = ctx.doc.get("sub_projects") or []
    year = ctx.year
    head = ["序号", "项目名称", "预算数<br/>（调整后）", f"执行数<br/>（至{year}年底）",
            "结余交回<br/>财政数", "自评<br/>得分", "分项项目绩效目标",
            "分项项目绩效目标<br/>完成情况"]
    cell = _dense(st.cell, 8, 10)
    cell_c = _dense(st.cell_c, 8, 10)
    cell_r = _dense(st.cell_r, 8, 10)
    rows: list[list[Any]] = [[Paragraph(h, st.cell_head) for h in head]]
    budgets, executed, returned = [], [], []
    for n, item in enumerate(items, start=1):
        b, e, r = _dec(item.get("budget")), _dec(item.get("executed")), _dec(item.get("returned"))
        budgets.append(b)
        executed.append(e)
        returned.append(r)
        rows.append([_p(n, cell_c), _p(item.get("name"), cell), _p(fmt_money(b), cell_r),
                     _p(fmt_money(e), cell_r), _p(fmt_money(r), cell_r),
                     _p(fmt_score(item.get("self_score")), cell_c),
                     _p(item.get("target"), cell), _p(item.get("achieved"), cell)])
    rows.append([Paragraph("合计", st.cell_head), "", _p(fmt_money(_sum(budgets)), cell_r),
                 _p(fmt_money(_sum(executed)), cell_r), _p(fmt_money(_sum(returned)), cell_r),
                 "", "", ""])
    widths = [9, 60, 20, 22, 18, 11, 68, 58]
    usable = LANDSCAPE[0] - 2 * _LAND_MARGIN_X
    scale = usable / (sum(widths) * mm)
    table = _ruled_table(rows, [w * mm * scale for w in widths],
                         splitInRow=_needs_in_row_split(items),
                         extra=[("SPAN", (0, -1), (1, -1)),
                                ("LINEABOVE", (0, -1), (-1, -1), 0.8, _BLACK),
                                ("TOPPADDING", (0, 1), (-1, -1), 1.5),
                                ("BOTTOMPADDING", (0, 1), (-1, -1), 2.5)])
    top = Table([[_p(f"填报单位：{ctx.unit}", st.cell), _p("单位：万元", st.cell_r)]],
                colWidths=[usable / 2, usable / 2])
    top.setStyle(_tstyle([("LEFTPADDING", (0, 0), (-1, -1), 0),
                             ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                             ("BOTTOMPADDING", (0, 0), (-1, -1), 4)]))
    return [_p(ctx.table_title("分项绩效项目清单"), st.h1c), top, table]


def _signature_for(member: dict, signatures: list[dict]) -> dict | None:
    username = member.get("username")
    for sig in signatures:
        if username and sig.get("username") == username:
            return sig
    for sig in signatures:
        if sig.get("on_behalf_of_name") and sig.get("on_behalf_of_name") == member.get("name"):
            return sig
    return None


def _signature_cell(ctx: _Ctx, member: dict) -> Paragraph:
    st = ctx.st
    sig = _signature_for(member, ctx.record.get("signatures") or [])
    if sig is None:
        return Paragraph(f'<font color="#777777">{_esc("未签")}</font>', st.sign)
    signer = sig.get("name") or member.get("name") or ""
    if sig.get("on_behalf_of_name"):
        who = f"{_esc(signer)} 代 {_esc(sig['on_behalf_of_name'])} 签"
    else:
        who = _esc(signer)
    lines = [f'<font name="{ctx.fonts.sans}" size="9">{who}</font>']
    detail = [_fmt_datetime(sig.get("signed_at"))]
    if sig.get("content_hash"):
        detail.append(f"摘要 {str(sig['content_hash'])[:12]}")
    lines.append(_esc("　".join(d for d in detail if d)))
    current = ctx.record.get("content_hash")
    if current and sig.get("content_hash") and sig["content_hash"] != current:
        lines.append(_esc("（签名所对应的内容与本版本不一致）"))
    if sig.get("comment"):
        lines.append(_esc(f"意见：{sig['comment']}"))
    return Paragraph("<br/>".join(lines), st.sign)


def _team_page(ctx: _Ctx) -> list[Flowable]:
    st, doc, rec = ctx.st, ctx.doc, ctx.record
    team = sorted(doc.get("team") or [],
                  key=lambda m: _ROLE_ORDER.get(m.get("role", "member"), 3))
    head = ["组内角色", "姓名", "工作单位", "职务", "职称", "签字"]
    rows: list[list[Any]] = [[Paragraph(h, st.cell_head) for h in head]]
    for member in team:
        rows.append([_p(ROLE_LABELS.get(member.get("role", ""), member.get("role") or ""),
                        st.cell_c),
                     _p(member.get("name"), st.cell_c), _p(member.get("unit"), st.cell_c),
                     _p(member.get("position"), st.cell_c), _p(member.get("title"), st.cell_c),
                     _signature_cell(ctx, member)])
    table = _ruled_table(rows, [17 * mm, 18 * mm, 32 * mm, 25 * mm, 18 * mm, 60 * mm],
                         extra=[("TOPPADDING", (0, 1), (-1, -1), 5),
                                ("BOTTOMPADDING", (0, 1), (-1, -1), 6)])
    preparer = f"填报人：{doc.get('preparer_name') or ''}"
    if doc.get("preparer_phone"):
        preparer += f"　　　联系电话：{doc['preparer_phone']}"
    seal = ParagraphStyle("seal", parent=st.body, firstLineIndent=0, alignment=TA_RIGHT)
    closing: list[Flowable] = [
        Spacer(1, 6 * mm),
        _p(preparer, ParagraphStyle("prep", parent=st.body, firstLineIndent=0)),
        Spacer(1, 14 * mm),
        _p(f"{ctx.unit}（盖章）", seal),
        Spacer(1, 2 * mm),
        _p(fmt_date(doc.get("report_date")) or "　　年　　月　　日", seal),
    ]
    verification = rec.get("verification") or {}
    if verification.get("code"):
        closing += [Spacer(1, 12 * mm), _verification_block(ctx, verification)]
    return [_p("评价工作组人员名单及签字", st.h1c), Spacer(1, 2 * mm), table,
            KeepTogether(closing)]


def _verification_block(ctx: _Ctx, verification: dict) -> Table:
    st = ctx.st
    value = verification.get("url") or verification.get("code")
    size = 30 * mm
    widget = QrCodeWidget(str(value), barLevel="M")
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(size, size, initialFontName=ctx.fonts.serif,
                      transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(widget)
    text = [f'<font name="{ctx.fonts.sans}" size="10">{_esc("报告核验码：")}'
            f'{_esc(verification["code"])}</font>']
    if verification.get("url"):
        text.append(_esc(f"核验网址：{verification['url']}"))
    text.append(_esc("扫描二维码或访问上述网址，可核对本报告与财政部门公开的版本是否一致。"))
    info = Paragraph("<br/>".join(text), ParagraphStyle("verify", parent=st.cell, fontSize=8.5,
                                                        leading=14))
    table = Table([[drawing, info]], colWidths=[size + 4 * mm, 105 * mm])
    table.setStyle(_tstyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                               ("LEFTPADDING", (0, 0), (-1, -1), 0),
                               ("BOX", (0, 0), (-1, -1), 0.4, _RULE),
                               ("LEFTPADDING", (1, 0), (1, 0), 4),
                               ("TOPPADDING", (0, 0), (-1, -1), 3),
                               ("BOTTOMPADDING", (0, 0), (-1, -1), 3)]))
    table.hAlign = "LEFT"
    return table


# --------------------------------------------------------------------------- entry point


def _frame(page: tuple[float, float], mx: float, top: float, bottom: float, fid: str) -> Frame:
    return Frame(mx, bottom, page[0] - 2 * mx, page[1] - top - bottom, id=fid,
                 leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)


def render_report(doc: dict, *, record: dict | None = None) -> bytes:
    """Render the self-evaluation report of ``doc`` (a content document) as PDF bytes.

    ``record`` describes the revision being printed; every key is optional:
    ``revision``, ``content_hash``, ``draft`` (default ``True``: 草稿 watermark on every
    page), ``state_label``, ``signatures`` (list of dicts with ``username``, ``name``,
    ``role``, ``signed_at``, ``content_hash``, ``on_behalf_of_name``, ``comment``),
    ``reviews`` ({indicator code: {"score", "opinion"}}: adds the 复核 column),
    ``total_score``, ``computed_total_score``, ``grade``, ``verification``
    ({"code", "url"}: QR code on the last page) and ``generated_at`` (ISO datetime, the
    PDF's creation date).

    The result is deterministic: the same ``doc`` and ``record`` give the same bytes.
    """
    record = dict(record or {})
    ctx = _make_ctx(doc, record)
    buffer = io.BytesIO()
    template = BaseDocTemplate(
        buffer,
        pagesize=PORTRAIT,
        title=ctx.title,
        author=ctx.unit,
        subject=KIND_LABELS.get(doc.get("kind", ""), "绩效自评"),
        creator="绩效自评",
        producer="绩效自评 (reportlab)",
        keywords=str(record.get("content_hash") or ""),
        invariant=1,
        # The page preamble names an initial font; make it the embedded CJK face so that no
        # standard-14 Helvetica reference ends up in the file.
        initialFontName=ctx.fonts.serif,
        initialFontSize=10,
    )
    on_page = partial(_draw_page, ctx=ctx)
    template.addPageTemplates([
        PageTemplate("cover", [_frame(PORTRAIT, _MARGIN_X, _MARGIN_TOP, _MARGIN_BOTTOM, "c")],
                     onPage=on_page, pagesize=PORTRAIT),
        PageTemplate("body", [_frame(PORTRAIT, _MARGIN_X, _MARGIN_TOP, _MARGIN_BOTTOM, "b")],
                     onPage=on_page, pagesize=PORTRAIT),
        PageTemplate("landscape", [_frame(LANDSCAPE, _LAND_MARGIN_X, _LAND_MARGIN_TOP,
                                          _LAND_MARGIN_BOTTOM, "l")],
                     onPage=on_page, pagesize=LANDSCAPE),
    ])

    story: list[Flowable] = _cover(ctx)
    story += [NextPageTemplate("body"), PageBreak()]
    story += _report_text(ctx)
    story += [PageBreak()]
    story += _funding(ctx)
    story += _summary(ctx)
    if ctx.leaves:
        story += [NextPageTemplate("landscape"), PageBreak()]
        story += _indicator_table(ctx)
    if doc.get("sub_projects"):
        story += [NextPageTemplate("landscape"), PageBreak()]
        story += _sub_projects(ctx)
    story += [NextPageTemplate("body"), PageBreak()]
    story += _team_page(ctx)

    template.build(story, canvasmaker=partial(_ReportCanvas, ctx=ctx))
    return buffer.getvalue()
