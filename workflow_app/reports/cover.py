"""The cover page of the printed report."""

from __future__ import annotations

from reportlab.lib.enums import TA_CENTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    Flowable,
    Spacer,
    Table,
)

from workflow_app.integrity import hashing

from .context import ReportContext
from .styles import BLACK, dense, para, tstyle
from .typography import CJKParagraph
from .values import KIND_LABELS, METHOD_LABELS, TIMING_LABELS, esc, fmt_date, revision_label


def cover_page(ctx: ReportContext) -> list[Flowable]:
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
    # Address and postcode as the unit prints them in its header, when given.
    rows += [(label, doc.get(key)) for label, key in (("地　　址", "address"),
                                                      ("邮政编码", "postcode")) if doc.get(key)]
    info = Table(
        [[para(label, st.cover_label), para(value or " ", st.cover_value)]
         for label, value in rows],
        colWidths=[28 * mm, 100 * mm],
    )
    info.setStyle(tstyle([
        ("LINEBELOW", (1, 0), (1, -1), 0.5, BLACK),
        ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
        ("TOPPADDING", (0, 0), (-1, -1), 7),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]))
    flow: list[Flowable] = [
        Spacer(1, 30 * mm),
        # Long titles (a project name after a long unit name) get a smaller size so the
        # title stays within about three lines.
        CJKParagraph(_cover_title_markup(ctx), st.cover_title if len(ctx.title) <= 34 else
                  dense(st.cover_title, 20, 31)),
        Spacer(1, 6 * mm),
        para(f"（{kind}）", st.cover_sub),
        Spacer(1, 26 * mm),
        info,
        Spacer(1, 24 * mm),
        para(ctx.unit, ParagraphStyle("cu", parent=st.cover_sub, fontName=ctx.fonts.sans)),
        para(fmt_date(doc.get("report_date")), st.cover_sub),
    ]
    meta = []
    if revision_label(rec):
        meta.append(f"报告版本：{revision_label(rec)}")
    if rec.get("state_label"):
        meta.append(f"状态：{rec['state_label']}")
    if rec.get("content_hash"):
        meta.append(f"内容摘要（{hashing.label(rec.get('hash_algorithm'))}）："
                    f"{str(rec['content_hash'])[:16]}…")
    verification = rec.get("verification") or {}
    if verification.get("code"):
        meta.append(f"核验码：{verification['code']}")
    if meta:
        flow += [Spacer(1, 14 * mm),
                 para("　　".join(meta), ParagraphStyle("cm", parent=st.note,
                                                     alignment=TA_CENTER))]
    return flow


def _cover_title_markup(ctx: ReportContext) -> str:
    # Break a long title after the unit's name rather than wherever the line fills up.
    if ctx.unit and ctx.title.startswith(ctx.unit) and len(ctx.title) > 16:
        return f"{esc(ctx.unit)}<br/>{esc(ctx.title[len(ctx.unit):])}"
    return esc(ctx.title)

