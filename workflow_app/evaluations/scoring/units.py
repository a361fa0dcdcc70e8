"""Units of measure as reports write them ("个工作日", "㎡", "万人次", "元/人"): lookup,
units and operators written in an indicator's name, and conversion between compatible units.
All spellings come from ``spellings.py``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from workflow_app.evaluations.scoring import spellings as sp
from workflow_app.evaluations.scoring.text import normalise

_SORTED_UNITS = sorted(sp.UNITS, key=len, reverse=True)

@dataclass(frozen=True)
class Unit:
    """A measure: the unit as written, its canonical spelling, dimension and factor."""

    written: str
    canonical: str
    dimension: str
    factor: Decimal

    def compatible(self, other: Unit) -> bool:
        """Same dimension (after synonyms), or both measure words of counts."""
        if self.dimension == other.dimension:
            return True
        if self.dimension == "unknown" or other.dimension == "unknown":
            return self.written == other.written
        return False


def lookup_unit(text: str) -> Unit | None:
    """The unit spelt exactly ``text`` ("个工作日", "㎡", "(%)", "万人次"), or None."""
    body = text.strip("()")
    if not body:
        return None
    if body in sp.UNITS:
        canonical, dimension, factor = sp.UNITS[body]
        return Unit(text, canonical, dimension, factor)
    return None


def _take_unit(body: str) -> tuple[Unit | None, str]:
    """The longest known unit at the start of ``body`` (also inside parentheses), with a
    per-unit denominator when one follows ("元/人", "元/生.年")."""
    if body.startswith("("):
        end = body.find(")")
        if end > 0:
            unit = lookup_unit(body[1:end])
            if unit:
                return unit, body[end + 1:]
    for spelling in _SORTED_UNITS:
        if body.startswith(spelling):
            unit, rest = lookup_unit(spelling), body[len(spelling):]
            return _per_unit(unit, rest)  # type: ignore[arg-type]
    return None, body


_PER = re.compile(r"^(?:" + "|".join(re.escape(s) for s in sp.PER_SEPARATORS)
                  + r")([\u4e00-\u9fff][\u4e00-\u9fff.·]{0,4})")


def _per_unit(unit: Unit, rest: str) -> tuple[Unit, str]:
    match = _PER.match(rest)
    if not match or unit.written + rest[:match.end()] in sp.UNITS:
        return unit, rest
    per = match.group(1)
    written = unit.written + rest[:match.end()]
    return Unit(written, f"{unit.canonical}/{per}", f"{unit.dimension}/{per}", unit.factor), \
        rest[match.end():]


_NAME_UNIT = re.compile(r"\(([^()]{1,10})\)")


def _name_parentheses(name: str | None) -> list[str]:
    # "公猪舍(≥**平方米)": the template's placeholder stars and the operator are dropped here;
    # the operator is read by operator_in_name.
    return [m.group(1).lstrip("≥≤<>=").strip("*").strip()
            for m in _NAME_UNIT.finditer(normalise(name or ""))]


def unit_in_name(name: str | None) -> Unit | None:
    """A unit written in parentheses in an indicator's name: "培训参与率(%)", "时限（天）",
    "公猪舍(≥**平方米)"."""
    for inner in _name_parentheses(name):
        unit = lookup_unit(inner)
        if unit:
            return unit
    return None


def operator_in_name(name: str | None) -> str | None:
    """The operator a template wrote in the name's parentheses ("保育栏(≥套)"), or None."""
    for match in _NAME_UNIT.finditer(normalise(name or "")):
        inner = match.group(1)
        for symbol, op in (("≥", ">="), ("≤", "<="), (">", ">"), ("<", "<")):
            if inner.startswith(symbol) and lookup_unit(inner.lstrip("≥≤<>=").strip("*")):
                return op
    return None


def convert(value: Decimal, source: Unit | None, target: Unit | None) -> Decimal | None:
    """``value`` written in ``source`` expressed in ``target``; None when they do not compare.

    A side without a unit is read in the other's unit (reports often drop it on one side).
    """
    if source is None or target is None:
        return value
    if not source.compatible(target):
        return None
    if source.dimension == "unknown":
        return value
    return value * source.factor / target.factor
