"""Page geometry, colours, paragraph styles and the table primitives of every report part."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    Table,
    TableStyle,
)

from .fonts import register_fonts
from .typography import CJKParagraph, TailTable
from .values import esc

PORTRAIT = A4


LANDSCAPE = landscape(A4)


MARGIN_X = 20 * mm


MARGIN_TOP = 22 * mm


MARGIN_BOTTOM = 20 * mm


LAND_MARGIN_X = 14 * mm


LAND_MARGIN_TOP = 18 * mm


LAND_MARGIN_BOTTOM = 16 * mm


BLACK = colors.black


RULE = colors.Color(0.2, 0.2, 0.2)


HEAD_FILL = colors.Color(0.93, 0.93, 0.93)


GREY_TEXT = colors.Color(0.4, 0.4, 0.4)


WATERMARK = colors.Color(0.86, 0.86, 0.86)


@dataclass(frozen=True)
class Styles:
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
def report_styles() -> Styles:
    fonts = register_fonts()
    base = ParagraphStyle("jx-base", fontName=fonts.serif, fontSize=11.5, leading=20,
                          wordWrap="CJK", textColor=BLACK)

    def s(name: str, **kw: Any) -> ParagraphStyle:
        return ParagraphStyle(name, parent=base, **kw)

    # rightIndent leaves room for punctuation that reportlab hangs past the line end.
    cell = s("cell", fontSize=8.5, leading=11.5, rightIndent=2)
    return Styles(
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
        note=s("note", fontSize=9, leading=13, textColor=GREY_TEXT),
        right=s("right", alignment=TA_RIGHT),
        cell=cell,
        cell_c=ParagraphStyle("cell_c", parent=cell, alignment=TA_CENTER),
        cell_r=ParagraphStyle("cell_r", parent=cell, alignment=TA_RIGHT),
        cell_head=ParagraphStyle("cell_head", parent=cell, fontName=fonts.sans,
                                 alignment=TA_CENTER),
        cell_small=ParagraphStyle("cell_small", parent=cell, fontSize=7.5, leading=10),
        sign=ParagraphStyle("sign", parent=cell, fontSize=8, leading=11),
    )


def dense(style: ParagraphStyle, size: float, leading: float) -> ParagraphStyle:
    return ParagraphStyle(f"{style.name}-{size}", parent=style, fontSize=size, leading=leading)


def tstyle(commands: list[tuple]) -> TableStyle:
    """TableStyle whose plain-string cells use the CJK face (reportlab's default is an
    unembedded Helvetica, which even an empty cell references)."""
    font = register_fonts().serif
    return TableStyle([("FONTNAME", (0, 0), (-1, -1), font)] + list(commands))


def para(text: Any, style: ParagraphStyle) -> CJKParagraph:
    return CJKParagraph(esc(text), style)


def ruled_table(data: list[list[Any]], widths: list[float], *, header_rows: int = 1,
                 extra: list[tuple] | None = None, **kwargs: Any) -> Table:
    """A thin-ruled table with a shaded header row repeated on every page."""
    table = TailTable(data, colWidths=widths, repeatRows=header_rows, **kwargs)
    style = [
        ("GRID", (0, 0), (-1, -1), 0.4, RULE),
        ("BOX", (0, 0), (-1, -1), 0.8, BLACK),
        ("BACKGROUND", (0, 0), (-1, header_rows - 1), HEAD_FILL),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    table.setStyle(tstyle(style + (extra or [])))
    return table

