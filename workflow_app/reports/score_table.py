"""The self-evaluation table (自评表) and the sub-project list (分项绩效项目清单), landscape."""

from __future__ import annotations

from typing import Any

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    Flowable,
    Spacer,
    Table,
)

from .context import ReportContext, bands_text, review_total
from .styles import (
    BLACK,
    GREY_TEXT,
    HEAD_FILL,
    LAND_MARGIN_X,
    LANDSCAPE,
    RULE,
    dense,
    para,
    ruled_table,
    tstyle,
)
from .typography import CJKParagraph, TailTable
from .values import IN_ROW_SPLIT_CHARS, dec, esc, fmt_money, fmt_rate, fmt_score, sum_present


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
        self._para = CJKParagraph(text if first else f"{text}<br/>（续）", style)

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.width, self.height = self._para.wrap(avail_width, avail_height)
        return self.width, self.height

    def draw(self) -> None:
        page = self.canv.getPageNumber()
        if self._first or self._tracker.get(self._key) != page:
            self._para.drawOn(self.canv, 0, 0)
        self._tracker[self._key] = page


class _ClosedTable(TailTable):
    """A table whose part on every page ends with a rule.

    The 自评表 has no row rules in its group columns, so a page break inside a group would
    leave that page's part open at the bottom. reportlab resolves a ``splitlast`` rule only
    for the first split and drops it from the remainder, so it is re-added on each split.
    """

    def onSplit(self, T: Table, byRow: int = 1) -> None:  # noqa: N803 - reportlab API
        T._addCommand(("LINEBELOW", (0, "splitlast"), (-1, "splitlast"), 0.8, BLACK))


def indicator_table(ctx: ReportContext) -> list[Flowable]:
    st = ctx.st
    doc = ctx.doc
    cell = dense(st.cell, 7.5, 9.8)
    cell_c = dense(st.cell_c, 7.5, 9.8)
    head_style = dense(st.cell_head, 7.5, 9.8)
    label_style = dense(st.cell, 7.5, 9.8)
    has_reviews = bool(ctx.reviews)
    kind_title = ("部门整体支出绩效自评表" if doc.get("kind") == "unit_whole"
                  else "项目支出绩效自评表")

    head = ["一级指标", "二级指标", "三级指标", "指标内容", "评价标准", "年度指标值",
            "实际完成值", "分值", "自评<br/>得分", "偏差原因分析<br/>及改进措施"]
    widths = [19, 18, 25, 48, 54, 20, 20, 10, 11, 44]
    if has_reviews:
        head.append("复核得分<br/>及意见")
        widths = [19, 18, 25, 42, 48, 19, 19, 10, 11, 36, 22]
    usable = LANDSCAPE[0] - 2 * LAND_MARGIN_X
    scale = usable / (sum(widths) * mm)
    col_widths = [w * mm * scale for w in widths]

    rows: list[list[Any]] = [[CJKParagraph(h, head_style) for h in head]]
    style: list[tuple] = [
        ("BOX", (0, 0), (-1, -1), 0.8, BLACK),
        ("INNERGRID", (2, 0), (-1, -1), 0.4, RULE),
        ("LINEAFTER", (0, 0), (1, -1), 0.4, RULE),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, BLACK),
        ("BACKGROUND", (0, 0), (-1, 0), HEAD_FILL),
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
            style.append(("LINEABOVE", (0, r), (-1, r), 0.4, RULE))
        elif first_l2 and r > 1:
            style.append(("LINEABOVE", (1, r), (-1, r), 0.4, RULE))
        previous_l1, previous_l2 = leaf.l1_code, leaf.l2_code
        score_text = "不适用" if leaf.not_applicable else fmt_score(leaf.score)
        row: list[Any] = [
            _GroupLabel(leaf.l1_label, f"l1:{leaf.l1_code}", ctx.label_tracker, first_l1,
                        label_style),
            _GroupLabel(leaf.l2_label, f"l2:{leaf.l2_code}", ctx.label_tracker, first_l2,
                        label_style) if leaf.l2_label else "",
            para(node.get("name"), cell),
            para(node.get("description"), cell),
            para(node.get("standard"), cell),
            para(node.get("target"), cell_c),
            para(node.get("actual"), cell_c),
            para(fmt_score(leaf.weight), cell_c),
            para(score_text, cell_c),
            para(_deviation_text(node), cell),
        ]
        if has_reviews:
            review = ctx.reviews.get(str(node.get("code") or "")) or {}
            text = esc(fmt_score(review.get("score"))) if review else "—"
            if review.get("opinion"):
                text += f"<br/><font size=6.5>{esc(review['opinion'])}</font>"
            row.append(CJKParagraph(text, cell_c))
        if leaf.not_applicable:
            style.append(("TEXTCOLOR", (2, r), (-1, r), GREY_TEXT))
        rows.append(row)

    # Totals, grade and the rule-computed total, as the last rows of the form.
    n_cols = len(head)
    r = len(rows)
    total_row: list[Any] = [CJKParagraph("合计", head_style)] + [""] * (n_cols - 1)
    total_row[7] = para(fmt_score(ctx.total_weight), cell_c)
    total_row[8] = para(fmt_score(ctx.total_score), cell_c)
    reviewed, partial_review = review_total(ctx)
    if has_reviews:
        total_row[10] = para(fmt_score(reviewed), cell_c)
    rows.append(total_row)
    grade_text = f"综合评价等级：{ctx.grade or '—'}"
    scheme = doc.get("grade_scheme") or {}
    if scheme.get("bands"):
        grade_text += f"　（{bands_text(scheme)}）"
    rows.append([para(grade_text, cell)] + [""] * (n_cols - 1))
    notes = []
    if (ctx.computed_total is not None and ctx.total_score is not None
            and ctx.computed_total != ctx.total_score):
        open_text = (f"（另有 {ctx.computed_open} 项需人工判断、未计入）"
                     if ctx.computed_open else "")
        notes.append(f"按各指标评分规则计算的总分为 {fmt_score(ctx.computed_total)} 分{open_text}，"
                     f"与自评得分 {fmt_score(ctx.total_score)} 分不一致。")
    if partial_review:
        notes.append("复核得分合计中，未复核的指标按自评得分计。")
    if notes:
        rows.append([para("注：" + "".join(notes), cell)] + [""] * (n_cols - 1))
    style += [
        ("LINEABOVE", (0, r), (-1, r), 0.8, BLACK),
        ("SPAN", (0, r), (6, r)),
        ("INNERGRID", (0, r), (-1, -1), 0.4, RULE),
        ("VALIGN", (0, r), (-1, -1), "MIDDLE"),
    ]
    for rr in range(r + 1, len(rows)):
        style.append(("SPAN", (0, rr), (-1, rr)))

    table = _ClosedTable(rows, colWidths=col_widths, repeatRows=1,
                  splitInRow=_needs_in_row_split(ctx.doc.get("indicators") or []))
    table.setStyle(tstyle(style))

    funding = doc.get("funding") or []
    planned = sum_present([dec(f.get("planned")) for f in funding])
    spent = sum_present([dec(f.get("spent")) for f in funding])
    top = Table([[para(f"填报单位：{ctx.unit}", st.cell),
                  para(f"预算数（调整后）：{fmt_money(planned)}　执行数：{fmt_money(spent)}　"
                     f"预算执行率：{fmt_rate(spent, planned)}", st.cell_c),
                  para("单位：万元", st.cell_r)]],
                colWidths=[usable * 0.3, usable * 0.5, usable * 0.2])
    top.setStyle(tstyle([("LEFTPADDING", (0, 0), (-1, -1), 0),
                             ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                             ("BOTTOMPADDING", (0, 0), (-1, -1), 4)]))
    preparer = f"填报人：{doc.get('preparer_name') or ''}"
    if doc.get("preparer_phone"):
        preparer += f"　　联系电话：{doc['preparer_phone']}"
    return [para(ctx.table_title(kind_title), st.h1c), top, table, Spacer(1, 3 * mm),
            para(preparer, st.cell)]


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

    return 1 if longest(items) > IN_ROW_SPLIT_CHARS else 0


def _deviation_text(node: dict) -> str:
    parts = [node.get("deviation_reason") or ""]
    reason = node.get("score_reason") or ""
    if reason and reason not in parts[0]:
        parts.append(f"扣分理由：{reason}")
    return "\n".join(p for p in parts if p)


def sub_projects(ctx: ReportContext) -> list[Flowable]:
    st = ctx.st
    items = ctx.doc.get("sub_projects") or []
    year = ctx.year
    head = ["序号", "项目名称", "预算数<br/>（调整后）", f"执行数<br/>（至{year}年底）",
            "结余交回<br/>财政数", "自评<br/>得分", "分项项目绩效目标",
            "分项项目绩效目标<br/>完成情况"]
    cell = dense(st.cell, 8, 10)
    cell_c = dense(st.cell_c, 8, 10)
    cell_r = dense(st.cell_r, 8, 10)
    rows: list[list[Any]] = [[CJKParagraph(h, st.cell_head) for h in head]]
    budgets, executed, returned = [], [], []
    for n, item in enumerate(items, start=1):
        b, e, r = dec(item.get("budget")), dec(item.get("executed")), dec(item.get("returned"))
        budgets.append(b)
        executed.append(e)
        returned.append(r)
        rows.append([para(n, cell_c), para(item.get("name"), cell), para(fmt_money(b), cell_r),
                     para(fmt_money(e), cell_r), para(fmt_money(r), cell_r),
                     para(fmt_score(item.get("self_score")), cell_c),
                     para(item.get("target"), cell), para(item.get("achieved"), cell)])
    rows.append([CJKParagraph("合计", st.cell_head), "",
                 para(fmt_money(sum_present(budgets)), cell_r),
                 para(fmt_money(sum_present(executed)), cell_r),
                 para(fmt_money(sum_present(returned)), cell_r), "", "", ""])
    widths = [9, 60, 20, 22, 18, 11, 68, 58]
    usable = LANDSCAPE[0] - 2 * LAND_MARGIN_X
    scale = usable / (sum(widths) * mm)
    table = ruled_table(rows, [w * mm * scale for w in widths],
                         splitInRow=_needs_in_row_split(items),
                         extra=[("SPAN", (0, -1), (1, -1)),
                                ("LINEABOVE", (0, -1), (-1, -1), 0.8, BLACK),
                                ("TOPPADDING", (0, 1), (-1, -1), 1.5),
                                ("BOTTOMPADDING", (0, 1), (-1, -1), 2.5)])
    top = Table([[para(f"填报单位：{ctx.unit}", st.cell), para("单位：万元", st.cell_r)]],
                colWidths=[usable / 2, usable / 2])
    top.setStyle(tstyle([("LEFTPADDING", (0, 0), (-1, -1), 0),
                             ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                             ("BOTTOMPADDING", (0, 0), (-1, -1), 4)]))
    return [para(ctx.table_title("分项绩效项目清单"), st.h1c), top, table]

