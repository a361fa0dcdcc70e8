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

import gc
import io
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial

from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
)

from .compression import use_report_level
from .context import make_context
from .cover import cover_page
from .funding import funding_tables, summary_block
from .furniture import ReportCanvas, draw_page, page_frame
from .score_table import indicator_table, sub_projects
from .signatures import team_page
from .styles import (
    LAND_MARGIN_BOTTOM,
    LAND_MARGIN_TOP,
    LAND_MARGIN_X,
    LANDSCAPE,
    MARGIN_BOTTOM,
    MARGIN_TOP,
    MARGIN_X,
    PORTRAIT,
)
from .text import report_text
from .typography import start_report
from .values import (  # noqa: F401 - the renderer's public names
    KIND_LABELS,
    METHOD_LABELS,
    ROLE_LABELS,
    SOURCE_LABELS,
    STATEMENT,
    TIMING_LABELS,
    fmt_date,
    fmt_money,
    fmt_rate,
    fmt_score,
    report_title,
)

__all__ = ["render_report", "report_title", "TIMING_LABELS", "METHOD_LABELS", "SOURCE_LABELS"]


_pause = {"depth": 0, "resume": False}  # renders in progress; whether gc was on before them
_pause_lock = threading.Lock()


@contextmanager
def _collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while a report renders.

    A render allocates a few hundred thousand short-lived objects (flowables, fragments,
    table cells); the collector walked them again and again, a sixth of a 300-indicator
    report's time and the part that grew faster than the report. The render's cycles are
    collected after it, when the collector is back. Counted, so that of renders in several
    threads of one process the last to end resumes it, and only if it was on.
    """
    with _pause_lock:
        if _pause["depth"] == 0:
            _pause["resume"] = gc.isenabled()
            gc.disable()
        _pause["depth"] += 1
    try:
        yield
    finally:
        with _pause_lock:
            _pause["depth"] -= 1
            if _pause["depth"] == 0 and _pause["resume"]:
                gc.enable()


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
    with _collector_paused():
        return _render(doc, dict(record or {}))


def _render(doc: dict, record: dict) -> bytes:
    use_report_level()
    start_report()
    ctx = make_context(doc, record)
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
    on_page = partial(draw_page, ctx=ctx)
    template.addPageTemplates([
        PageTemplate("cover", [page_frame(PORTRAIT, MARGIN_X, MARGIN_TOP, MARGIN_BOTTOM, "c")],
                     onPage=on_page, pagesize=PORTRAIT),
        PageTemplate("body", [page_frame(PORTRAIT, MARGIN_X, MARGIN_TOP, MARGIN_BOTTOM, "b")],
                     onPage=on_page, pagesize=PORTRAIT),
        PageTemplate("landscape", [page_frame(LANDSCAPE, LAND_MARGIN_X, LAND_MARGIN_TOP,
                                          LAND_MARGIN_BOTTOM, "l")],
                     onPage=on_page, pagesize=LANDSCAPE),
    ])

    story: list[Flowable] = cover_page(ctx)
    story += [NextPageTemplate("body"), PageBreak()]
    story += report_text(ctx)
    story += [PageBreak()]
    story += funding_tables(ctx)
    story += summary_block(ctx)
    if ctx.leaves:
        story += [NextPageTemplate("landscape"), PageBreak()]
        story += indicator_table(ctx)
    if doc.get("sub_projects"):
        story += [NextPageTemplate("landscape"), PageBreak()]
        story += sub_projects(ctx)
    story += [NextPageTemplate("body"), PageBreak()]
    story += team_page(ctx)

    template.build(story, canvasmaker=partial(ReportCanvas, ctx=ctx))
    return buffer.getvalue()

