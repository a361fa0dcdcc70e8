"""The funding and expense tables and the score summary with its chart."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    KeepTogether,
    Spacer,
)

from .charts import score_chart
from .context import ReportContext, bands_text, review_total
from .styles import BLACK, dense, para, ruled_table
from .typography import CJKParagraph
from .values import SOURCE_LABELS, dec, fmt_money, fmt_rate, fmt_score, sum_present


def funding_tables(ctx: ReportContext) -> list[Flowable]:
    st = ctx.st
    head = ["资金来源", "年初预算数", "全年预算数<br/>（调整后）", "到位数", "执行数",
            "资金到位率", "预算执行率"]
    rows: list[list[Any]] = [[CJKParagraph(h, st.cell_head) for h in head]]
    funding = ctx.doc.get("funding") or []
    totals: dict[str, list[Decimal | None]] = {k: [] for k in
                                               ("initial", "planned", "arrived", "spent")}
    for line in funding:
        values = {k: dec(line.get(k)) for k in totals}
        for k, v in values.items():
            totals[k].append(v)
        label = SOURCE_LABELS.get(line.get("source", ""), line.get("source") or "")
        rows.append([para(label, st.cell)] + [para(fmt_money(values[k]), st.cell_r) for k in
                                            ("initial", "planned", "arrived", "spent")]
                    + [para(fmt_rate(values["arrived"], values["planned"]), st.cell_r),
                       para(fmt_rate(values["spent"], values["planned"]), st.cell_r)])
    sums = {k: sum_present(v) for k, v in totals.items()}
    rows.append([CJKParagraph("合计", st.cell_head)]
                + [para(fmt_money(sums[k]), st.cell_r) for k in
                   ("initial", "planned", "arrived", "spent")]
                + [para(fmt_rate(sums["arrived"], sums["planned"]), st.cell_r),
                   para(fmt_rate(sums["spent"], sums["planned"]), st.cell_r)])
    widths = [30 * mm, 21 * mm, 25 * mm, 21 * mm, 21 * mm, 26 * mm, 26 * mm]
    flow: list[Flowable] = [
        para(ctx.table_title("预算资金到位及执行情况"), st.h1c),
        para("单位：万元", ParagraphStyle("unit", parent=st.note, alignment=TA_RIGHT)),
        ruled_table(rows, widths, extra=[("LINEABOVE", (0, -1), (-1, -1), 0.8, BLACK)]),
        para("注：资金到位率＝到位数÷全年预算数；预算执行率＝执行数÷全年预算数（调整后）。",
           st.note),
    ]

    expenses = ctx.doc.get("expenses") or []
    if expenses:
        head = ["序号", "支出项目（经济分类）", "预算数", "实际支出数", "差额<br/>（预算－实际）",
                "执行率"]
        erows: list[list[Any]] = [[CJKParagraph(h, st.cell_head) for h in head]]
        planned_all, actual_all = [], []
        for n, line in enumerate(expenses, start=1):
            planned, actual = dec(line.get("planned")), dec(line.get("actual"))
            planned_all.append(planned)
            actual_all.append(actual)
            diff = planned - actual if planned is not None and actual is not None else None
            # A blank plan is printed blank (as the unit left it), and so are its
            # difference and rate: there is nothing to compare the spending with.
            erows.append([para(n, st.cell_c), para(line.get("category"), st.cell),
                          para(_blank_or(fmt_money, planned), st.cell_r),
                          para(fmt_money(actual), st.cell_r),
                          para(_blank_or(fmt_money, diff), st.cell_r),
                          para(fmt_rate(actual, planned) if planned is not None else "",
                               st.cell_r)])
        ta = sum_present(actual_all)
        tp = None if any(p is None for p in planned_all) else sum_present(planned_all)
        tdiff = tp - ta if tp is not None and ta is not None else None
        erows.append([CJKParagraph("合计", st.cell_head), "",
                      para(_blank_or(fmt_money, tp), st.cell_r),
                      para(fmt_money(ta), st.cell_r), para(_blank_or(fmt_money, tdiff), st.cell_r),
                      para(fmt_rate(ta, tp) if tp is not None else "", st.cell_r)])
        widths = [12 * mm, 58 * mm, 24 * mm, 24 * mm, 26 * mm, 26 * mm]
        # Room for the title and a few rows, or the table starts on the next page.
        flow += [Spacer(1, 8 * mm), CondPageBreak(45 * mm),
                 para(ctx.table_title("支出明细（按经济分类）"), st.h1c),
                 para("单位：万元", ParagraphStyle("unit2", parent=st.note, alignment=TA_RIGHT)),
                 ruled_table(erows, widths, extra=[
                     ("SPAN", (0, -1), (1, -1)),
                     ("LINEABOVE", (0, -1), (-1, -1), 0.8, BLACK)])]
    return flow


def summary_block(ctx: ReportContext) -> list[Flowable]:
    st = ctx.st
    heads = ["满分", "自评得分", "评价等级"]
    values = [fmt_score(ctx.total_weight), fmt_score(ctx.total_score), ctx.grade or "—"]
    if ctx.computed_total is not None:
        heads.append("按评分规则计算得分")
        values.append(fmt_score(ctx.computed_total) + (
            f"（另有 {ctx.computed_open} 项需人工判断）" if ctx.computed_open else ""))
    reviewed, _ = review_total(ctx)
    if reviewed is not None:
        heads.append("财政复核得分")
        values.append(fmt_score(reviewed))
    width = 170 * mm / len(heads)
    table = ruled_table([[CJKParagraph(h, st.cell_head) for h in heads],
                          [para(v, dense(st.cell_c, 11, 15)) for v in values]],
                         [width] * len(heads))
    flow: list[Flowable] = [para("综合评价结果", st.h1c), table]
    if (ctx.computed_total is not None and ctx.total_score is not None
            and ctx.computed_total != ctx.total_score):
        diff = ctx.total_score - ctx.computed_total
        open_text = (f"另有 {ctx.computed_open} 项需人工判断、未计入，"
                     if ctx.computed_open else "")
        flow.append(para(f"注：按各指标评分规则计算的总分为 {fmt_score(ctx.computed_total)} 分，"
                       f"{open_text}与自评得分相差 {fmt_score(abs(diff))} 分，差异见自评表。",
                         st.note))
    scheme = ctx.doc.get("grade_scheme") or {}
    if scheme.get("bands"):
        flow.append(para(f"等级标准（{scheme.get('name', '')}）：" + bands_text(scheme), st.note))

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
        g["r"].append(dec(review.get("score")) if review else leaf.score)
    if groups:
        names = [g["name"] for g in groups.values()]
        weights = [sum_present(g["w"]) for g in groups.values()]
        scores = [sum_present(g["s"]) for g in groups.values()]
        series = [("分值", weights, [fmt_score(v) for v in weights]),
                  ("自评得分", scores, [fmt_score(v) for v in scores])]
        if ctx.reviews:
            reviewed = [sum_present(g["r"]) for g in groups.values()]
            series.append(("复核得分", reviewed, [fmt_score(v) for v in reviewed]))
        flow += [Spacer(1, 8 * mm), para("各一级指标分值与得分", st.h1c),
                 score_chart(names, series, width=170 * mm)]
    # The result, its notes and the chart stay on one page: never a page with only a chart.
    return [Spacer(1, 8 * mm), KeepTogether(flow)]


def _blank_or(fmt: Any, value: Any) -> str:
    """The formatted value, or an empty cell for a value that was left blank."""
    return "" if value is None else fmt(value)
