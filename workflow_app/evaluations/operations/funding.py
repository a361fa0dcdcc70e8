"""The 资金与支出 tab: funding sources (资金来源), expense lines (支出明细) and the rates."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from workflow_app.auth.models import User
from workflow_app.evaluations.models import (
    Evaluation,
    ExpenseLine,
    FundingSource,
    FundingSourceKind,
)
from workflow_app.evaluations.operations.common import _begin, _Check, _done, _rows, _touch
from workflow_app.extensions import db

FUNDING_AMOUNTS = (("initial", "年初预算数"), ("planned", "全年预算数"), ("arrived", "到位数"),
                   ("spent", "执行数"))


def _parse_funding(check: _Check, rows: Any) -> list[tuple[FundingSourceKind, dict]]:
    """Validated funding rows: (source, amounts) in form order; errors go to ``check``."""
    parsed, seen = [], set()
    for i, row in enumerate(_rows(rows)):
        f = f"funding-{i}-"
        source = check.choice(row, "source", "资金来源", FundingSourceKind, field=f + "source")
        if source is not None and source in seen:
            check.fail(f + "source", f"资金来源“{source.label}”重复，每种来源只填一行")
        seen.add(source)
        amounts = {key: check.decimal(row, key, label, field=f + key, required=key != "initial")
                   for key, label in FUNDING_AMOUNTS}
        if amounts["planned"] is not None and amounts["arrived"] is not None and \
                amounts["arrived"] > amounts["planned"]:
            check.fail(f + "arrived", "到位数不能大于全年预算数")
        if amounts["arrived"] is not None and amounts["spent"] is not None and \
                amounts["spent"] > amounts["arrived"]:
            check.fail(f + "spent", "执行数不能大于到位数")
        parsed.append((source, {k: v if v is not None or k == "initial" else Decimal(0)
                                for k, v in amounts.items()}))
    return parsed


def _apply_funding(evaluation: Evaluation, parsed: list[tuple[FundingSourceKind, dict]]) -> None:
    """Upsert by source: a kept source updates its row in place, a dropped one is deleted
    (and flushed) before a new one is inserted, so UNIQUE (evaluation, source) always holds —
    the unit of work would otherwise insert the new row before deleting the old one."""
    existing = {f.source: f for f in evaluation.funding}
    wanted = {source for source, _ in parsed}
    dropped = [f for source, f in existing.items() if source not in wanted]
    if dropped:
        evaluation.funding = [f for f in evaluation.funding if f not in dropped]
        db.session.flush()
    rows = []
    for source, amounts in parsed:
        row = existing.get(source) or FundingSource(source=source)
        for key, value in amounts.items():
            if getattr(row, key) != value:
                setattr(row, key, value)
        rows.append(row)
    evaluation.funding = rows


def _parse_expenses(check: _Check, rows: Any) -> list[ExpenseLine]:
    """Validated expense lines (not yet attached); errors go to ``check``."""
    built = []
    for i, row in enumerate(_rows(rows)):
        f = f"expenses-{i}-"
        built.append(ExpenseLine(
            position=i + 1,
            category=check.text(row, "category", "经济分类", field=f + "category",
                                required=True, max_len=100),
            # Real reports often give no plan per category: blank stays blank, not 0.
            planned=check.decimal(row, "planned", "预算数", field=f + "planned"),
            actual=check.decimal(row, "actual", "实际支出", field=f + "actual", required=True),
        ))
    return built


def set_funding(evaluation: Evaluation, actor: User, expected_version: Any,
                rows: list[dict[str, Any]]) -> Evaluation:
    """资金来源: one row per source with 年初预算数, 全年预算数, 到位数, 执行数 (万元)."""
    _begin(evaluation, actor, expected_version)
    check = _Check()
    parsed = _parse_funding(check, rows)
    check.raise_if_failed()
    _touch(evaluation)
    _apply_funding(evaluation, parsed)
    _done(evaluation, actor, "funding", rows=len(parsed))
    return evaluation


def set_funding_and_expenses(evaluation: Evaluation, actor: User, expected_version: Any,
                             funding: list[dict[str, Any]],
                             expenses: list[dict[str, Any]]) -> Evaluation:
    """The editor's 资金与支出 tab in one step: both tables are validated together (every
    error at its field) and saved together, or neither is."""
    _begin(evaluation, actor, expected_version)
    check = _Check()
    parsed = _parse_funding(check, funding)
    lines = _parse_expenses(check, expenses)
    check.raise_if_failed()
    _touch(evaluation)
    _apply_funding(evaluation, parsed)
    evaluation.expenses = lines
    _done(evaluation, actor, "funding", rows=len(parsed), expenses=len(lines))
    return evaluation


def funding_rates(evaluation: Evaluation) -> dict[str, Decimal | None]:
    """Totals and the two rates: 资金到位率 = arrived ÷ planned, 预算执行率 = spent ÷ planned."""
    planned = sum((f.planned for f in evaluation.funding), Decimal(0))
    arrived = sum((f.arrived for f in evaluation.funding), Decimal(0))
    spent = sum((f.spent for f in evaluation.funding), Decimal(0))
    initial = [f.initial for f in evaluation.funding if f.initial is not None]
    return {
        "initial": sum(initial, Decimal(0)) if initial else None,
        "planned": planned, "arrived": arrived, "spent": spent,
        "arrival_rate": arrived / planned if planned else None,
        "execution_rate": spent / planned if planned else None,
    }


def set_expenses(evaluation: Evaluation, actor: User, expected_version: Any,
                 rows: list[dict[str, Any]]) -> Evaluation:
    """支出明细: category, planned and actual amounts (万元), in display order."""
    _begin(evaluation, actor, expected_version)
    check = _Check()
    built = _parse_expenses(check, rows)
    check.raise_if_failed()
    _touch(evaluation)
    evaluation.expenses = built
    _done(evaluation, actor, "expenses", rows=len(built))
    return evaluation
