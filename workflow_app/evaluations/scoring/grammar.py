"""The grammar of targets and actuals (年度指标值 / 实际完成值) as real reports write them.

``parse_target`` reads ``≥95%``, ``不低于95%``, ``95%以上``, ``90%-95%``, ``≤30个工作日``,
``2021年12月底前``, ``是否按时完成``, ``效果明显``…; ``parse_actual`` reads ``97.38%``,
``11000余件``, ``已于2021年11月完成``, ``提前完成``, ``达成预期指标``…. All spellings come from
the tables of ``spellings.py``, units are read by ``units.py`` and dates by ``dates.py``; this
module only knows the order of the parts: [label] [operator] [approx] number [余] [unit]
[suffix operator] [noise]. Nothing here raises: text that does not read comes back as
``kind="text"``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from workflow_app.evaluations.scoring import spellings as sp
from workflow_app.evaluations.scoring.dates import (  # noqa: F401 — re-exported
    Date,
    find_date,
    find_span,
    strip_basis_note,
)
from workflow_app.evaluations.scoring.numbers import ONE, ZERO
from workflow_app.evaluations.scoring.text import normalise  # noqa: F401 — re-exported
from workflow_app.evaluations.scoring.units import (  # noqa: F401 — re-exported
    Unit,
    _take_unit,
    convert,
    lookup_unit,
    operator_in_name,
    unit_in_name,
)

# --------------------------------------------------------------------------- numbers


_NUMBER = re.compile(r"[-+]?\d+(?:\.\d+)?")
_CN_NUMBER = re.compile(r"[零〇一二两三四五六七八九十]+")
_SORTED_PREFIXES = sorted(sp.OPERATOR_PREFIXES, key=len, reverse=True)
_SORTED_SUFFIXES = sorted(sp.OPERATOR_SUFFIXES, key=len, reverse=True)
_SORTED_NOISE = sorted(sp.TRAILING_NOISE, key=len, reverse=True)
_SORTED_TIER_PHRASES_LONG = sorted((p for p in sp.TIER_PHRASES if len(p) > 1), key=len,
                                   reverse=True)
_SORTED_APPROX = sorted(sp.APPROX_PREFIXES, key=len, reverse=True)


def _cn_value(text: str) -> int | None:
    """"十二" → 12, "两" → 2, "二十" → 20; None for anything longer than tens."""
    if sp.CN_TENS in text:
        head, _, tail = text.partition(sp.CN_TENS)
        if sp.CN_TENS in tail or len(head) > 1 or len(tail) > 1:
            return None
        tens = sp.CN_DIGITS.get(head, None) if head else 1
        ones = sp.CN_DIGITS.get(tail, None) if tail else 0
        return None if tens is None or ones is None else tens * 10 + ones
    if len(text) == 1:
        return sp.CN_DIGITS.get(text)
    return None


def _take_number(body: str) -> tuple[Decimal, str] | None:
    match = _NUMBER.match(body)
    if match:
        return Decimal(match.group(0)), body[match.end():]
    match = _CN_NUMBER.match(body)
    if match:
        value = _cn_value(match.group(0))
        rest = body[match.end():]
        # A Chinese numeral counts only before a unit ("一年", "两次"), never in prose.
        if value is not None and _take_unit(rest)[0]:
            return Decimal(value), rest
    return None


# --------------------------------------------------------------------------- tiers


def infer_tier(text: str | None) -> str | None:
    """The 10号 tier a qualitative text states: 达成 / 部分达成 / 未达成, or None.

    Scans for the longest known phrase at each position; a positive phrase right after a
    negator (未, 不, 没有…) counts as 未达成; the worst tier found wins ("产出达成，质量部分达成"
    is 部分达成).
    """
    body = normalise(text or "")
    if not body:
        return None
    found: set[str] = set()
    # One-character phrases ("是", "否", "无", "差") count only as the whole answer: inside a
    # sentence they are parts of other words ("无法判断", "差距", "是否").
    if len(body) == 1:
        return sp.TIER_PHRASES.get(body)
    phrases = _SORTED_TIER_PHRASES_LONG
    i = 0
    while i < len(body):
        hit = next((p for p in phrases if body.startswith(p, i)), None)
        if hit is None:
            i += 1
            continue
        tier = sp.TIER_PHRASES[hit]
        if tier != "未达成" and _negated(body, i):
            tier = "未达成"
        found.add(tier)
        i += len(hit)
    for name, _, _ in reversed(sp.TIERS):
        if name in found:
            return name
    return None


def _negated(body: str, at: int) -> bool:
    for negator in sp.NEGATORS:
        start = at - len(negator)
        if start >= 0 and body[start:at] == negator:
            return not any(body.startswith(exc, start) for exc in sp.NEGATOR_EXCEPTIONS)
    return False


def tier_share(tier: str) -> tuple[Decimal, Decimal]:
    """(min, max) share of the weight of a 10号 tier."""
    for name, low, high in sp.TIERS:
        if name == tier:
            return Decimal(low), Decimal(high)
    raise KeyError(tier)


# --------------------------------------------------------------------------- quantities


@dataclass(frozen=True)
class _Quantity:
    op: str | None
    value: Decimal
    unit: Unit | None
    qualifier: str
    high: Decimal | None = None
    high_unit: Unit | None = None


_LABEL = re.compile(
    r"^[\u4e00-\u9fff()“”\"]{1,16}?(?=[≥≤<>=]|(?:"
    + "|".join(sorted(sp.LABELLED_OPERATORS, key=len, reverse=True)) + r")[\d≥≤<>=])")


def _strip_label(body: str) -> str:
    """Drop a leading label before an operator: "满意度≥95%" → "≥95%", "满意程度达到100%"."""
    if body[:1].isdigit() or any(body.startswith(op) for op in _SORTED_PREFIXES):
        return body
    match = _LABEL.match(body)
    return body[match.end():] if match else body


def _take_prefix_op(body: str) -> tuple[str | None, bool, str]:
    for spelling in _SORTED_PREFIXES:
        if body.startswith(spelling):
            return sp.OPERATOR_PREFIXES[spelling], spelling in sp.WEAK_PREFIXES, \
                body[len(spelling):]
    return None, False, body


def _take_approx(body: str) -> tuple[str, str]:
    for prefix in _SORTED_APPROX:
        if body.startswith(prefix) and len(body) > len(prefix):
            return prefix, body[len(prefix):]
    return "", body


def _take_suffix_op(body: str) -> tuple[str | None, str, str]:
    for suffix in _SORTED_SUFFIXES:
        if body.startswith(suffix):
            return sp.OPERATOR_SUFFIXES[suffix], suffix, body[len(suffix):]
    return None, "", body


def _strip_noise(body: str) -> str:
    changed = True
    while body and changed:
        changed = False
        for noise in _SORTED_NOISE:
            if body.startswith(noise):
                body, changed = body[len(noise):], True
                break
    return body


def _unknown_unit(rest: str) -> tuple[Unit | None, str] | None:
    """A short measure word the tables do not know ("≥3家企业" keeps "家企业" readable)."""
    match = re.match(r"^[\u4e00-\u9fffA-Za-z/]{1,4}", rest)
    if not match:
        return None
    word = match.group(0)
    return Unit(word, word, "unknown", ONE), rest[match.end():]


def _parse_quantity(body: str) -> _Quantity | None:
    body = _strip_label(body)
    approx, op, weak = "", None, False
    # "至少全年完成2次": operator and approximation words come in any order before the number.
    for _ in range(4):
        if _take_number(body) is not None:
            break
        word, body = _take_approx(body)
        approx = approx or word
        new_op, new_weak, rest = _take_prefix_op(body)
        if new_op is not None and rest != body:
            # A strong operator ("至少") keeps its reading over a later weak word ("完成").
            if op is None or (weak and not new_weak):
                op, weak = new_op, new_weak
            body = rest
            continue
        if not word:
            break
    taken = _take_number(body)
    if taken is None:
        return None
    value, rest = taken
    qualifier = approx
    for marker in sp.NUMBER_QUALIFIERS:
        if rest.startswith(marker):
            qualifier, rest = marker, rest[len(marker):]
            break
    unit, rest = _take_unit(rest)
    # A range: "90%-95%", "90-95%", "3至5次".
    for sep in sp.RANGE_SEPARATORS:
        if rest.startswith(sep):
            second = _take_number(rest[len(sep):])
            if second is not None:
                high, tail = second
                high_unit, tail = _take_unit(tail)
                tail = _strip_noise(tail)
                if not tail and high >= value:
                    unit = unit or high_unit
                    return _Quantity("between", value, unit, qualifier, high, high_unit or unit)
            break
    suffix_op, suffix, rest = _take_suffix_op(rest)
    if unit is None and rest:
        unit2, rest2 = _take_unit(rest)
        if unit2 is not None:
            unit, rest = unit2, rest2
            if suffix_op is None:
                suffix_op, suffix, rest = _take_suffix_op(rest)
    rest = _strip_noise(rest)
    if rest and suffix_op is None:
        suffix_op, suffix, rest = _take_suffix_op(rest)
        rest = _strip_noise(rest)
    if rest:
        if unit is None:
            guessed = _unknown_unit(rest)
            if guessed is None:
                return None
            unit, rest = guessed
            if suffix_op is None:
                suffix_op, suffix, rest = _take_suffix_op(rest)
            rest = _strip_noise(rest)
        if rest and not re.fullmatch(r"[\u4e00-\u9fff]{1,4}", rest):
            return None
        if rest and re.search(r"完成|开展|实施|建设|工作|验收|保障|推进", rest):
            return None
    qualifier = suffix or qualifier
    if suffix_op is not None and (op is None or weak):
        op = suffix_op
    return _Quantity(op, value, unit, qualifier)


# --------------------------------------------------------------------------- targets


@dataclass(frozen=True)
class Target:
    """A parsed 年度指标值.

    ``kind``: ``"compare"`` (op + value [+ unit]), ``"range"`` (value ≤ x ≤ high),
    ``"deadline"`` (done by ``deadline``), ``"yes_no"`` (met when the actual is yes, or no when
    ``expect_yes`` is False: "无", "0起" style), ``"text"`` (free text; ``qualitative`` tells
    it is a judgement phrase such as 效果明显) or ``"empty"``.
    ``op`` is one of ``">=", ">", "=", "<=", "<"``; ``implicit`` tells that no operator was
    written (a bare number counts as ``>=``, or ``<=`` for cost-like names);
    ``qualifier`` keeps 余/以上/以内/约. ``unit`` is the unit as written (or from the name).
    """

    kind: str
    text: str
    op: str | None = None
    value: Decimal | None = None
    unit: str = ""
    qualifier: str = ""
    implicit: bool = False
    high: Decimal | None = None
    measure: Unit | None = None
    deadline: Date | None = None
    expect_yes: bool = True
    qualitative: bool = False
    ceiling_by_name: bool = False
    unit_from_name: bool = False

    @property
    def lower_is_better(self) -> bool:
        """True for ≤ / < targets (the smaller the actual, the better)."""
        return self.op in ("<=", "<")

    @property
    def direction(self) -> str:
        """"higher", "lower", "exact", "within" or "" (not a number)."""
        if self.kind == "range":
            return "within"
        if self.kind != "compare":
            return ""
        return {"<=": "lower", "<": "lower", "=": "exact"}.get(self.op or "", "higher")

    @property
    def is_percent(self) -> bool:
        return self.measure is not None and self.measure.dimension == "percent"


_BARE_YEAR = re.compile(r"^(?P<y>(?:19|20)\d{2})年(?:度|全年|内|底前?|末前?)?$")


def _bare_year(body: str) -> Date | None:
    match = _BARE_YEAR.match(body)
    return Date(int(match.group("y")), 12, 31) if match else None


def _rate_name(name: str | None) -> bool:
    return normalise(name or "").endswith(sp.CEILING_EXCEPTIONS)


def _last_context(context: str) -> str:
    # Only the direct parent (the 二级指标 "成本指标") counts, not "产出指标" above it.
    parts = [p for p in re.split(r"[>|/\s]+", context or "") if p]
    return parts[-1] if parts else ""


def _ceiling_name(name: str | None) -> bool:
    body = normalise(name or "")
    if body.endswith(sp.CEILING_EXCEPTIONS):
        return False
    return any(word in body for word in sp.CEILING_NAME_WORDS)


@lru_cache(maxsize=4096)
def parse_target(text: str | None, name: str | None = None, context: str = "") -> Target:
    """Parse a target (年度指标值); ``name`` (the indicator's name) supplies a unit written in
    parentheses ("培训参与率(%)") and makes a bare target of a cost-like indicator a ceiling;
    ``context`` (the names of the indicator's parents, "产出指标 成本指标") does the same for
    the ceiling only.

    Never raises: anything unreadable comes back as ``kind="text"``.
    """
    raw = (text or "").strip()
    body = normalise(raw)
    if not body:
        return Target(kind="empty", text=raw)
    plain = body.strip("()")
    if plain in sp.NO_TARGETS:
        return Target(kind="yes_no", text=raw, expect_yes=False)
    if (plain in sp.YES_TARGETS or plain.startswith(sp.YES_NO_TARGET_PREFIXES)
            or plain.endswith(sp.YES_NO_TARGET_SUFFIXES)):
        return Target(kind="yes_no", text=raw)
    if not any(ch.isdigit() for ch in plain) and (
            plain.endswith(sp.YES_TARGET_ENDINGS)
            or any(word in plain for word in sp.ON_TIME_WORDS)):
        # "按质按量完成", "在项目计划完成时间内完成": a promise, met when the actual says yes.
        return Target(kind="yes_no", text=raw)
    body = strip_basis_note(body)
    year_end = _bare_year(body)
    if year_end is not None:
        # "2020年" in a 时效 column: done within that year.
        return Target(kind="deadline", text=raw, deadline=year_end)
    span = find_span(body)
    if span is not None:
        return Target(kind="deadline", text=raw, deadline=span)
    date = find_date(body)
    if date is not None and _is_deadline(body, date):
        return Target(kind="deadline", text=raw, deadline=date[0])
    quantity = _parse_quantity(body)
    if quantity is None:
        return Target(kind="text", text=raw, qualitative=infer_tier(body) is not None
                      or any(p in body for p in sp.QUALITATIVE_TARGET_PHRASES))
    unit = quantity.unit
    from_name = False
    if unit is None:
        unit = unit_in_name(name)
        from_name = unit is not None
    written = unit.written.strip("()") if unit else ""
    if quantity.op == "between" and _is_month_span(quantity):
        # "1-12月" in a 时效 column is the period of the work: done by the end of its last month.
        return Target(kind="deadline", text=raw,
                      deadline=Date(None, int(quantity.high), None))  # type: ignore[arg-type]
    if quantity.op == "between":
        return Target(kind="range", text=raw, op="between", value=quantity.value,
                      high=quantity.high, unit=written, measure=unit,
                      qualifier=quantity.qualifier, unit_from_name=from_name)
    op, implicit, ceiling = quantity.op, quantity.op is None, False
    if op is None and from_name:
        op = operator_in_name(name)
        implicit = op is None
    if op is None:
        # 10号 convention: a bare quantity ("4次", "10000余件") is reached by doing at least
        # that much, except for costs and other lower-is-better measures (a ceiling).
        ceiling = _ceiling_name(name) or (
            not _rate_name(name) and _ceiling_name(_last_context(context)))
        op = "<=" if ceiling else ">="
    if quantity.value == ZERO and implicit:
        # "0起", "0次" (事故, 投诉): nothing may happen, a ceiling.
        op = "<="
    return Target(kind="compare", text=raw, op=op, value=quantity.value, unit=written,
                  qualifier=quantity.qualifier, implicit=implicit, measure=unit,
                  ceiling_by_name=ceiling, unit_from_name=from_name)


def _is_month_span(quantity: _Quantity) -> bool:
    unit = quantity.unit
    return (unit is not None and unit.written == "月" and quantity.high is not None
            and quantity.value == quantity.value.to_integral_value()
            and quantity.high == quantity.high.to_integral_value()
            and 1 <= quantity.value < quantity.high <= 12)


def _is_deadline(body: str, found: tuple[Date, int, int]) -> bool:
    date, start, end = found
    tail = body[end:]
    if re.search(r"\d", tail):
        # "至少全年完成2次宣传": a quantity follows the period word, the target is the quantity.
        return False
    if any(tail.startswith(marker) for marker in sp.DEADLINE_MARKERS):
        return True
    if start == 0 and not tail:
        # "2021年12月" alone, or "年底" alone.
        return True
    return date.year is None and not tail.strip("前完成")


# --------------------------------------------------------------------------- actuals


@dataclass(frozen=True)
class Actual:
    """A parsed 实际完成值.

    ``kind`` is ``"number"``, ``"date"``, ``"yes"``, ``"no"``, ``"text"`` or ``"empty"``.
    ``tier`` is the qualitative tier the text states (达成 / 部分达成 / 未达成), if any.
    """

    kind: str
    text: str
    value: Decimal | None = None
    unit: str = ""
    qualifier: str = ""
    measure: Unit | None = None
    date: Date | None = None
    tier: str | None = None
    on_time: bool | None = None
    high: Decimal | None = None


def _deadline_words(body: str) -> bool | None:
    if any(word in body for word in sp.LATE_WORDS):
        return False
    if any(word in body for word in sp.ON_TIME_WORDS):
        return True
    return None


@lru_cache(maxsize=4096)
def parse_actual(text: str | None, name: str | None = None) -> Actual:
    """Parse an actual value (实际完成值): ``"97.38%"``, ``"11000余件"``, ``"1"``, ``"是"``,
    ``"2021年11月"``, ``"提前完成"``, ``"达成预期指标"``.

    Numbers win over yes/no, so ``"1"`` is the number 1 (rules that want yes/no accept 1/0).
    Never raises: anything unreadable comes back as ``kind="text"``.
    """
    raw = (text or "").strip()
    body = normalise(raw)
    if not body:
        return Actual(kind="empty", text=raw)
    on_time = _deadline_words(body)
    tier = infer_tier(body)
    date = find_date(body)
    if date is not None and not _looks_like_quantity_of_time(body):
        return Actual(kind="date", text=raw, date=date[0], on_time=on_time, tier=tier)
    quantity = _parse_quantity(body)
    if quantity is not None:
        unit = quantity.unit or unit_in_name(name)
        written = unit.written.strip("()") if unit else ""
        if not (written in ("年",) and quantity.value >= 1900 and quantity.unit is not None):
            return Actual(kind="number", text=raw, value=quantity.value, unit=written,
                          qualifier=quantity.qualifier or (quantity.op or ""), measure=unit,
                          high=quantity.high)
        return Actual(kind="date", text=raw, date=Date(int(quantity.value), 12, 31),
                      on_time=on_time, tier=tier)
    lowered = body.lower()
    if lowered in sp.NO_WORDS:
        return Actual(kind="no", text=raw, tier="未达成", on_time=on_time)
    if lowered in sp.YES_WORDS:
        return Actual(kind="yes", text=raw, tier="达成", on_time=on_time)
    if on_time is not None:
        return Actual(kind="yes" if on_time else "no", text=raw, on_time=on_time,
                      tier=tier or ("达成" if on_time else "未达成"))
    return Actual(kind="text", text=raw, tier=tier)


def _looks_like_quantity_of_time(body: str) -> bool:
    # "12个月" or "3月" as a duration is a number; "2021年12月" is a date.
    return bool(re.fullmatch(r"[≥≤<>=]?\d{1,2}个?月(以上|以内)?", body))


def yes_no(actual: Actual) -> bool | None:
    """True / False for a yes / no actual (1 / 0, 达成 / 未达成 count), else None."""
    if actual.kind == "yes":
        return True
    if actual.kind == "no":
        return False
    if actual.kind == "number" and actual.value in (ZERO, ONE) and not actual.unit:
        return actual.value == ONE
    if actual.on_time is not None:
        return actual.on_time
    if actual.tier == "达成":
        return True
    if actual.tier == "未达成":
        return False
    return None
