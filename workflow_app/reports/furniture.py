"""Page furniture: running header, 草稿 watermark, "第 X 页 共 Y 页" footer and the page frames."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Frame,
)

from .context import ReportContext
from .styles import BLACK, GREY_TEXT, LAND_MARGIN_X, MARGIN_X, PORTRAIT, RULE, WATERMARK
from .values import KIND_LABELS, revision_label


class ReportCanvas(Canvas):
    """Canvas that holds every page until the end so the footer can say "共 Y 页"."""

    def __init__(self, *args: Any, ctx: ReportContext, **kwargs: Any) -> None:
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


def _draw_footer(canv: Canvas, ctx: ReportContext, total: int) -> None:
    width, _ = canv._pagesize
    margin = LAND_MARGIN_X if width > PORTRAIT[0] else MARGIN_X
    y = 11 * mm
    canv.saveState()
    canv.setFont(ctx.fonts.serif, 9)
    canv.setFillColor(BLACK)
    canv.drawCentredString(width / 2, y, f"第 {canv.getPageNumber()} 页  共 {total} 页")
    canv.setFont(ctx.fonts.serif, 7)
    canv.setFillColor(GREY_TEXT)
    left = []
    if revision_label(ctx.record):
        left.append(revision_label(ctx.record))
    if ctx.record.get("content_hash"):
        left.append(f"内容摘要 {str(ctx.record['content_hash'])[:12]}")
    if left:
        canv.drawString(margin, y, "  ".join(left))
    verification = ctx.record.get("verification") or {}
    if verification.get("code"):
        canv.drawRightString(width - margin, y, f"核验码 {verification['code']}")
    canv.restoreState()


def draw_page(canv: Canvas, _doc: BaseDocTemplate, *, ctx: ReportContext) -> None:
    """Watermark (under the content) and running header, at the start of each page."""
    width, height = canv._pagesize
    landscape_page = width > PORTRAIT[0]
    margin = LAND_MARGIN_X if landscape_page else MARGIN_X
    canv.saveState()
    if ctx.draft:
        canv.setFillColor(WATERMARK)
        canv.setFont(ctx.fonts.sans, 120)
        canv.translate(width / 2, height / 2)
        canv.rotate(35)
        canv.drawCentredString(0, -40, "草稿")
        canv.rotate(-35)
        canv.translate(-width / 2, -height / 2)
    y = height - (11 * mm if landscape_page else 13 * mm)
    canv.setFont(ctx.fonts.serif, 8)
    canv.setFillColor(GREY_TEXT)
    canv.drawString(margin, y, ctx.unit)
    kind = KIND_LABELS.get(ctx.doc.get("kind", ""), "绩效自评")
    canv.drawRightString(width - margin, y, f"{ctx.year}年度{kind}报告")
    canv.setStrokeColor(RULE)
    canv.setLineWidth(0.5)
    canv.line(margin, y - 2.5 * mm, width - margin, y - 2.5 * mm)
    canv.restoreState()


def page_frame(page: tuple[float, float], mx: float, top: float, bottom: float, fid: str) -> Frame:
    return Frame(mx, bottom, page[0] - 2 * mx, page[1] - top - bottom, id=fid,
                 leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)

