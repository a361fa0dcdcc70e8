"""Exact decimals for scores and weights: conversion, rounding, clamping and formatting.

Every number of the engine is a :class:`decimal.Decimal` built from a **string** (or int /
Decimal). A ``float`` raises :class:`ScoringError`: by the time a float exists the exact value
the user typed is gone.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

QUANT = Decimal("0.01")
ZERO = Decimal("0")
ONE = Decimal("1")
HUNDRED = Decimal("100")


class ScoringError(ValueError):
    """A rule, a weight or a grade scheme is invalid; the message is Chinese, for users."""


def to_decimal(value: Any, what: str = "数值") -> Decimal:
    """Convert a decimal string / int / Decimal to a finite Decimal, or raise ScoringError.

    Floats are refused on purpose: by the time a float exists the exact value is gone.
    """
    if isinstance(value, bool | float):
        raise ScoringError(f"{what}必须以字符串形式的十进制数给出，不能使用浮点数：{value!r}")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, str):
        try:
            result = Decimal(value.strip())
        except InvalidOperation:
            raise ScoringError(f"{what}不是有效的数字：{value!r}") from None
    else:
        raise ScoringError(f"{what}不是有效的数字：{value!r}")
    if not result.is_finite():
        raise ScoringError(f"{what}不是有效的数字：{value!r}")
    return result


def optional_decimal(value: Any, what: str) -> Decimal | None:
    """``to_decimal`` that reads None and blank strings as None (a score not yet entered)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return to_decimal(value, what)


def quantize(value: Decimal) -> Decimal:
    """Round once to 0.01, half up (the only rounding of a computed score or total)."""
    return value.quantize(QUANT, rounding=ROUND_HALF_UP)


def clamp(value: Decimal, weight: Decimal) -> Decimal:
    """Keep a score within [0, weight]."""
    return min(max(value, ZERO), weight)


def format_decimal(value: Decimal) -> str:
    """Format a Decimal for Chinese messages without trailing zeros or exponent ("0.8", "2")."""
    if value == value.to_integral_value():
        return format(value.quantize(ONE), "f")
    return format(value.normalize(), "f")
