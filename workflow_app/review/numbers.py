"""Numbers as reports write them: Arabic or Chinese numerals (四个, 二十分, 三十三), money in
元 / 万元 / 亿元, and the comparison of a quoted figure with a table's exact one.

Pure functions over text and Decimal; the spelling tables are data.
"""

from __future__ import annotations

import re
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
           "七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000}
CN_CHARS = "零〇一二两三四五六七八九十百千"

# One number as text: Arabic (with decimals) or a run of Chinese numerals.
NUM = rf"(?:\d+(?:\.\d+)?|[{CN_CHARS}]+)"
ARABIC = r"\d+(?:\.\d+)?"

# Money units and their factor to 万元 (the tables' unit).
MONEY_UNITS = {"亿元": Decimal(10000), "万元": Decimal(1), "千元": Decimal("0.1"),
               "元": Decimal("0.0001")}
MONEY = re.compile(rf"({ARABIC})\s*(亿元|万元|千元|元)")


def chinese_to_int(text: str) -> int | None:
    """三十三 → 33, 二十 → 20, 十二 → 12, 一百零五 → 105, 四 → 4; None when not a numeral."""
    if not text or any(ch not in _DIGITS and ch not in _UNITS for ch in text):
        return None
    total, current = 0, None
    for ch in text:
        if ch in _DIGITS:
            current = _DIGITS[ch] if current is None else current * 10 + _DIGITS[ch]
        else:
            unit = _UNITS[ch]
            total += (1 if current is None else current) * unit
            current = None
    return total + (current or 0)


def to_number(text: str) -> Decimal | None:
    """A numeral of either script as an exact Decimal (None when it is not one)."""
    text = (text or "").strip()
    if not text:
        return None
    if text[0].isdigit():
        try:
            return Decimal(text)
        except InvalidOperation:
            return None
    value = chinese_to_int(text)
    return None if value is None else Decimal(value)


def decimal_or_none(value: object) -> Decimal | None:
    """A document's decimal string (or None/"" for blank) as Decimal."""
    if value is None or value == "" or isinstance(value, bool | float):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def places(text: str) -> int:
    """How many decimals the quoted figure was written with ("69" → 0, "97.38" → 2)."""
    return len(text.split(".", 1)[1]) if "." in text else 0


def same_figure(quoted: Decimal, quoted_text: str | int, exact: Decimal) -> bool:
    """Does a figure quoted with the text's precision stand for the exact table value?

    ``quoted_text`` is the figure as written (its decimals give the precision) or the number
    of decimals. Reports round (69.27% → "69%") and sometimes truncate (89.974 → "89.97");
    both count.
    """
    n = quoted_text if isinstance(quoted_text, int) else places(quoted_text)
    n = max(n, 0)
    step = Decimal(1).scaleb(-n)
    if exact.quantize(step, rounding=ROUND_HALF_UP) == quoted:
        return True
    return exact.quantize(step, rounding=ROUND_DOWN) == quoted


def money_places(number: str, unit: str) -> int:
    """Decimals of an amount once converted to 万元 ("35600元" → 4, "3.62亿元" → 0)."""
    shift = {"亿元": -4, "万元": 0, "千元": 1, "元": 4}[unit]
    return max(places(number) + shift, 0)


def fmt(value: Decimal | None) -> str:
    """A Decimal as reports print it: no exponent, no trailing zeros."""
    if value is None:
        return "—"
    text = f"{value.normalize():f}"
    return text


def percent(part: Decimal | None, whole: Decimal | None) -> Decimal | None:
    """part ÷ whole × 100 (exact enough: 10 decimals), or None when whole is not positive."""
    if part is None or whole is None or whole <= 0:
        return None
    return (part / whole * 100).quantize(Decimal("1e-10"))
