"""Rates the funding table computes: 预算执行率 = spent ÷ planned, 资金到位率 = arrived ÷ planned.

``planned`` is the budget after adjustment (全年预算数); a blank planned amount gives no rate.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from workflow_app.evaluations.scoring import spellings as sp
from workflow_app.evaluations.scoring.grammar import normalise
from workflow_app.evaluations.scoring.numbers import (
    HUNDRED,
    ZERO,
    ScoringError,
    quantize,
    to_decimal,
)

RATE_LABELS = {"execution": "预算执行率（全年执行数÷全年预算数）",
               "arrival": "资金到位率（到位数÷全年预算数）"}


def _total(rows: list[Mapping[str, Any]], key: str) -> Decimal | None:
    values = [row.get(key) for row in rows]
    if not values or any(v is None or (isinstance(v, str) and not v.strip()) for v in values):
        return None
    try:
        return sum((to_decimal(v, key) for v in values), ZERO)
    except ScoringError:
        return None


def funding_rates(funding: Iterable[Mapping[str, Any]] | None) -> dict[str, Decimal]:
    """{"execution": %, "arrival": %} from the funding rows (each rate only when computable)."""
    rows = [row for row in (funding or []) if isinstance(row, Mapping)]
    planned = _total(rows, "planned")
    if planned is None or planned <= 0:
        return {}
    rates: dict[str, Decimal] = {}
    spent = _total(rows, "spent")
    if spent is not None:
        rates["execution"] = quantize(spent / planned * HUNDRED)
    arrived = _total(rows, "arrived")
    if arrived is not None:
        rates["arrival"] = quantize(arrived / planned * HUNDRED)
    return rates


def rate_kind(name: str | None) -> str | None:
    """"execution" / "arrival" when the indicator's name is one of the funding rates."""
    body = normalise(name or "")
    for word in sorted(sp.FUNDING_RATE_NAMES, key=len, reverse=True):
        if word in body:
            return sp.FUNDING_RATE_NAMES[word]
    return None
