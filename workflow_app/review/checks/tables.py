"""The tables against each other: expense lines against the funding spent and planned,
sub-project sums and rows, and a rate indicator (预算执行率, 资金到位率) against the amounts
it is the ratio of."""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal

from workflow_app.review.facts import Facts
from workflow_app.review.findings import Finding, error, warning
from workflow_app.review.numbers import decimal_or_none, fmt, same_figure
from workflow_app.review.text import normalise

# Amounts are 万元 with up to four decimals; sums are exact, so any difference is real.


def expenses_exceed_spending(facts: Facts) -> Iterator[Finding]:
    """The expense lines' actual spending differs from (or exceeds) the funding table's spent,
    or their planned amounts exceed the funding planned."""
    if not facts.expenses or not facts.funding:
        return
    actual = facts.column_sum(facts.expenses, "actual")
    spent = facts.funding_total("spent")
    if actual is not None and spent is not None and actual != spent:
        over = actual > spent
        make = error if over else warning
        yield make("expenses_exceed_spending" if over else "expenses_differ_from_spending",
                   f"支出明细的实际支出合计 {fmt(actual)} 万元"
                   + ("超过" if actual > spent else "与")
                   + f"资金表的执行数 {fmt(spent)} 万元" + ("。" if actual > spent else "不一致。"),
                   "expenses", "")
    planned = facts.column_sum(facts.expenses, "planned")
    budget = facts.funding_total("planned")
    if planned is not None and budget is not None and planned > budget:
        yield error("expenses_exceed_budget",
                    f"支出明细的预算数合计 {fmt(planned)} 万元超过资金表的全年预算数 "
                    f"{fmt(budget)} 万元。", "expenses", "")


def expense_line_over_plan(facts: Facts) -> Iterator[Finding]:
    """An expense line spent more than it planned (a blank plan is not a plan of 0)."""
    for i, row in enumerate(facts.expenses, 1):
        planned, actual = decimal_or_none(row.get("planned")), decimal_or_none(row.get("actual"))
        if planned is not None and actual is not None and actual > planned:
            yield warning("expense_line_over_plan",
                          f"支出明细第 {i} 行「{row.get('category', '')}」"
                          f"实际支出 {fmt(actual)} 万元"
                          f"超过预算数 {fmt(planned)} 万元，请在偏差说明中说明原因。",
                          "expenses", str(i))


def sub_projects_exceed_funding(facts: Facts) -> Iterator[Finding]:
    """The 分项项目清单 executes (or budgets) more than the whole funding table."""
    if not facts.sub_projects or not facts.funding:
        return
    for column, funding_column, what, table_what in (
            ("executed", "spent", "执行数", "执行数"),
            ("budget", "planned", "预算数", "全年预算数")):
        total = facts.column_sum(facts.sub_projects, column)
        whole = facts.funding_total(funding_column)
        if total is not None and whole is not None and total > whole:
            yield error("sub_projects_exceed_funding",
                        f"分项项目清单的{what}合计 {fmt(total)} 万元超过资金表的{table_what} "
                        f"{fmt(whole)} 万元。", "sub_projects", "")


def sub_project_row_inconsistent(facts: Facts) -> Iterator[Finding]:
    """A sub-project executed more than its budget, or executed plus returned exceeds it."""
    for i, row in enumerate(facts.sub_projects, 1):
        budget = decimal_or_none(row.get("budget"))
        executed = decimal_or_none(row.get("executed")) or Decimal(0)
        returned = decimal_or_none(row.get("returned")) or Decimal(0)
        name = row.get("name", "")
        if budget is None:
            continue
        if executed > budget:
            yield error("sub_project_row_inconsistent",
                        f"分项项目第 {i} 项「{name}」执行数 {fmt(executed)} 万元超过预算数 "
                        f"{fmt(budget)} 万元。", "sub_projects", str(i))
        elif executed + returned > budget:
            yield warning("sub_project_row_inconsistent",
                          f"分项项目第 {i} 项「{name}」执行数与结余交回数之和 "
                          f"{fmt(executed + returned)} 万元超过预算数 {fmt(budget)} 万元。",
                          "sub_projects", str(i))


# Indicator names that are a ratio of the funding table's amounts.
RATE_INDICATORS = (("execution", ("预算执行率", "资金执行率", "支出执行率")),
                   ("arrival", ("资金到位率", "到位率")))
_PCT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*%?\s*$")


def rate_indicator_differs_from_amounts(facts: Facts) -> Iterator[Finding]:
    """A 预算执行率 / 资金到位率 indicator whose actual is not the funding table's ratio."""
    rates = {"execution": facts.execution_rate, "arrival": facts.arrival_rate}
    for node in facts.leaves:
        kind = next((k for k, names in RATE_INDICATORS if any(n in node.name for n in names)),
                    None)
        rate = rates.get(kind) if kind else None
        if rate is None:
            continue
        actual = normalise(str(node.data.get("actual") or ""))
        match = _PCT.match(actual)
        if not match:
            continue
        quoted = Decimal(match.group(1))
        if not same_figure(quoted, match.group(1), rate):
            what = "执行数 ÷ 全年预算数" if kind == "execution" else "到位数 ÷ 全年预算数"
            yield error("rate_indicator_differs_from_amounts",
                        f"指标 {node.code}「{node.name}」的实际完成值为 {actual}，按资金表"
                        f" {what} 计算为 {fmt(rate.quantize(Decimal('0.01')))}%。",
                        "indicators", node.code)
