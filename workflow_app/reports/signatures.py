"""The team's signature page, 填报人, seal line and the verification QR code."""

from __future__ import annotations

from typing import Any

from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    Spacer,
    Table,
)

from .context import ReportContext
from .qrmark import QrMark
from .styles import RULE, para, ruled_table, tstyle
from .typography import CJKParagraph, one_line
from .values import ROLE_LABELS, ROLE_ORDER, esc, fmt_date, fmt_datetime, keep_spaces

_NAME_WIDTH = 18 * mm


def name_cell(name: str | None, style: ParagraphStyle, width: float) -> CJKParagraph:
    """A person's name on one line of its cell (cell padding of 3 pt each side)."""
    text = name or ""
    return one_line(keep_spaces(text), text, style, width - 6)


def _signature_for(member: dict, signatures: list[dict]) -> dict | None:
    username = member.get("username")
    for sig in signatures:
        if username and sig.get("username") == username:
            return sig
    for sig in signatures:
        if sig.get("on_behalf_of_name") and sig.get("on_behalf_of_name") == member.get("name"):
            return sig
    return None


def _signature_cell(ctx: ReportContext, member: dict) -> CJKParagraph:
    st = ctx.st
    sig = _signature_for(member, ctx.record.get("signatures") or [])
    if sig is None:
        return CJKParagraph(f'<font color="#777777">{esc("未签")}</font>', st.sign)
    signer = sig.get("name") or member.get("name") or ""
    if sig.get("on_behalf_of_name"):
        who = f"{esc(signer)} 代 {esc(sig['on_behalf_of_name'])} 签"
    else:
        who = esc(signer)
    lines = [f'<font name="{ctx.fonts.sans}" size="9">{who}</font>']
    detail = [fmt_datetime(sig.get("signed_at"))]
    if sig.get("content_hash"):
        detail.append(f"摘要 {str(sig['content_hash'])[:12]}")
    lines.append(esc("　".join(d for d in detail if d)))
    current = ctx.record.get("content_hash")
    if current and sig.get("content_hash") and sig["content_hash"] != current:
        lines.append(esc("（签名所对应的内容与本版本不一致）"))
    if sig.get("comment"):
        lines.append(esc(f"意见：{sig['comment']}"))
    return CJKParagraph("<br/>".join(lines), st.sign)


def _added_signers(team: list[dict], signatures: list[dict]) -> list[dict]:
    """Members who signed but are not in the snapshot's team: added by 加签 during review."""
    known = {m.get("username") for m in team}
    added = []
    for sig in signatures:
        if sig.get("kind", "sign") != "sign" or sig.get("username") in known:
            continue
        known.add(sig.get("username"))
        added.append({"username": sig.get("username"), "role": "member",
                      "name": sig.get("member_name") or sig.get("name"),
                      "unit": sig.get("unit", ""), "position": sig.get("position", ""),
                      "title": sig.get("title", ""), "added_in_review": True})
    return added


def team_page(ctx: ReportContext) -> list[Flowable]:
    st, doc, rec = ctx.st, ctx.doc, ctx.record
    team = sorted(doc.get("team") or [],
                  key=lambda m: ROLE_ORDER.get(m.get("role", "member"), 3))
    head = ["组内角色", "姓名", "工作单位", "职务", "职称", "签字"]
    rows: list[list[Any]] = [[CJKParagraph(h, st.cell_head) for h in head]]
    for member in team + _added_signers(team, rec.get("signatures") or []):
        role = ROLE_LABELS.get(member.get("role", ""), member.get("role") or "")
        if member.get("added_in_review"):
            role = "加签成员"
        rows.append([para(role, st.cell_c),
                     name_cell(member.get("name"), st.cell_c, _NAME_WIDTH),
                     para(member.get("unit"), st.cell_c),
                     para(member.get("position"), st.cell_c), para(member.get("title"), st.cell_c),
                     _signature_cell(ctx, member)])
    table = ruled_table(rows, [17 * mm, _NAME_WIDTH, 32 * mm, 25 * mm, 18 * mm, 60 * mm],
                         extra=[("TOPPADDING", (0, 1), (-1, -1), 5),
                                ("BOTTOMPADDING", (0, 1), (-1, -1), 6)])
    preparer = f"填报人：{doc.get('preparer_name') or ''}"
    if doc.get("preparer_phone"):
        preparer += f"　　　联系电话：{doc['preparer_phone']}"
    seal = ParagraphStyle("seal", parent=st.body, firstLineIndent=0, alignment=TA_RIGHT)
    closing: list[Flowable] = [
        Spacer(1, 6 * mm),
        para(preparer, ParagraphStyle("prep", parent=st.body, firstLineIndent=0)),
        Spacer(1, 14 * mm),
        para(f"{ctx.unit}（盖章）", seal),
        Spacer(1, 2 * mm),
        para(fmt_date(doc.get("report_date")) or "　　年　　月　　日", seal),
    ]
    verification = rec.get("verification") or {}
    if verification.get("code"):
        closing += [Spacer(1, 12 * mm), _verification_block(ctx, verification)]
    if not team:  # a draft whose team is not formed yet: say so rather than an empty form
        table = para("（评价工作组尚未组建。）", ParagraphStyle("noteam", parent=st.body,
                                                         firstLineIndent=0, alignment=TA_CENTER))
    return [para("评价工作组人员名单及签字", st.h1c), Spacer(1, 2 * mm), table,
            KeepTogether(closing)]


def _verification_block(ctx: ReportContext, verification: dict) -> Table:
    st = ctx.st
    value = verification.get("url") or verification.get("code")
    size = 30 * mm
    drawing = QrMark(str(value), size)
    text = [f'<font name="{ctx.fonts.sans}" size="10">{esc("报告核验码：")}'
            f'{esc(verification["code"])}</font>']
    if verification.get("url"):
        text.append(esc(f"核验网址：{verification['url']}"))
    text.append(esc("扫描二维码或访问上述网址，可核对本报告与财政部门公开的版本是否一致。"))
    info = CJKParagraph("<br/>".join(text), ParagraphStyle("verify", parent=st.cell,
                                                           fontSize=8.5,
                                                        leading=14))
    table = Table([[drawing, info]], colWidths=[size + 4 * mm, 105 * mm])
    table.setStyle(tstyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                               ("LEFTPADDING", (0, 0), (-1, -1), 0),
                               ("BOX", (0, 0), (-1, -1), 0.4, RULE),
                               ("LEFTPADDING", (1, 0), (1, 0), 4),
                               ("TOPPADDING", (0, 0), (-1, -1), 3),
                               ("BOTTOMPADDING", (0, 0), (-1, -1), 3)]))
    table.hAlign = "LEFT"
    return table

