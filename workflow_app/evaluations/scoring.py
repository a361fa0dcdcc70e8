"""Pure scoring engine for performance self-evaluations (绩效自评评分引擎).

No Flask, no SQLAlchemy: this module takes the ``indicators`` tree of the content document
(docs/evaluation-schema.md) and returns plain dataclasses, so the web forms, the API, the
import checker, the report renderer and the tests all score with the same code.

Arithmetic and rounding
-----------------------
* Every number is a :class:`decimal.Decimal` built from a **string** (or int / Decimal).
  A ``float`` anywhere in weights, scores, params or totals raises :class:`ScoringError`:
  the content document stores decimal strings and a float would already have lost digits.
* A computed indicator score is quantized once to 0.01 with ``ROUND_HALF_UP`` (``QUANT``)
  and then clamped to ``[0, weight]`` (clamping after rounding keeps a weight with more than
  two decimals from being exceeded by its own rounding).
* Totals are exact sums of the leaf scores; when indicators are not applicable the sum is
  rescaled in a single division and quantized once to 0.01 with ``ROUND_HALF_UP``.
  Node totals (``TreeResult.nodes``) are the exact, *unscaled* sums of their applicable leaves.

Rule types
----------
Each leaf carries ``"rule": {"type": ..., "params": {...}}``. ``w`` is the leaf's weight
(分值). Params are decimal strings unless stated; every param has the default shown, so
``params`` may be omitted. Unknown types, unknown param names and invalid values raise
:class:`ScoringError` with a Chinese message. ``actual`` (实际完成值) is parsed with
:func:`parse_actual`; a bare number is read in the unit the rule expects (percentages are
written ``"97.38%"`` or ``"97.38"``). A missing or unreadable actual gives no computed score
(``None``), never an error.

``band_higher`` — 高者为优的区间扣分 (收入预算完成率)
    params ``full_at`` (95), ``zero_at`` (85), ``step_cost`` (0.1 = share of w lost per
    point). actual: the rate in %. ``actual ≥ full_at`` → w; ``actual ≤ zero_at`` → 0;
    between → ``w − (full_at − actual) × step_cost × w`` (linear; fractions of a point
    count proportionally), floor 0.
``band_lower`` — 低者为优的区间扣分 (预算调整率)
    params ``full_at`` (0), ``zero_at`` (10), ``step_cost`` (0.1). actual: the rate in %.
    ``actual ≤ full_at`` → w; ``actual ≥ zero_at`` → 0; between →
    ``w − (actual − full_at) × step_cost × w``, floor 0.
``steps`` — 分档扣分 (结转结余率)
    params ``full_at`` (5), ``zero_at`` (50), ``step`` (5), ``step_cost`` (0.1). actual: the
    rate in %. ``actual ≤ full_at`` → w; ``actual ≥ zero_at`` → 0; between, every *started*
    step of ``step`` points above ``full_at`` costs ``step_cost × w``: 35% → 30 points over
    → 6 steps → ``2 − 6 × 0.2 = 0.8`` for w = 2.
``over_cap`` — 超限扣分 ("三公经费"控制率)
    params ``cap`` (100), ``step`` (0.1), ``step_deduct`` (0.1, points). actual: the rate in
    %. ``actual ≤ cap`` → w; above, ``(actual − cap) ÷ step × step_deduct`` points are
    deducted (proportionally, so 0.1 over costs 0.1), floor 0.
``rate`` — 完成率法 (政府采购执行率, 覆盖率, 应用率, 预算执行率)
    no params. actual: the rate in %. score = ``actual ÷ 100 × w``, never above w, floor 0.
``deductions`` — 逐项扣分，扣完为止
    params ``deduct`` (points per unmet item) **or** ``deduct_fraction`` (share of w per
    unmet item, e.g. "0.5" for 扣分值二分之一); one of them is required. actual: the number of
    unmet items (a non-negative integer). score = ``w − n × deduct``, floor 0.
``per_miss`` — 按次扣分 (支出进度)
    params ``deduct`` (1). actual: the number of misses (non-negative integer).
    score = ``w − n × deduct``, floor 0.
``satisfaction`` — 满意度分档
    params ``full_at`` (90), ``step`` (10), ``step_deduct`` (1.5, points), ``zero_below`` (60).
    actual: the satisfaction rate in %. ``actual ≥ full_at`` → w; ``actual < zero_below`` → 0;
    otherwise every started ``step`` below ``full_at`` costs ``step_deduct``, floor 0. This reads
    the printed "以80%为标准，每下降10%扣1.5分" as: 80 ≤ x < 90 costs one step, 70 ≤ x < 80 two.
``yes_no`` — 是/否
    no params. actual: 是 / 否 (also 按时, 完成, 达成, 合格, 1 … and their negations).
    yes → w, no → 0.
``target_ratio`` — 财预〔2020〕10号 default for quantitative targets
    no params; reads the leaf's ``target`` with :func:`parse_target`. actual: a number (units,
    if both sides state one, must agree). Higher-is-better targets (``≥``, ``>``, a bare number,
    ``10000余件``, ``95%以上``): met → w, missed → ``actual ÷ target × w``. Lower-is-better
    targets (``≤``, ``<``, ``30天以内``): met → w, missed → ``target ÷ actual × w``. Exact targets
    (``=44人``): equal → w, otherwise ``smaller ÷ larger × w``. Yes/no targets (``是否按时完成``):
    actual yes → w, no → 0. A free-text or empty target gives no computed score.
``manual`` — 定性评价（三档）
    params ``tier`` (optional default tier name), ``tiers`` (optional list of
    ``{"name", "min", "max"}`` shares of w; default 达成 0.8–1, 部分达成 0.6–0.8, 未达成 0–0.6).
    actual: the tier name (是 counts as 达成, 否 as 未达成); when empty, ``params.tier``.
    The computed score is the entered score when it lies within the tier's range (bounds
    inclusive), otherwise the nearest bound of the range; with no entered score there is no
    computed score. A manual score below w needs ``score_reason`` (see :func:`validate_tree`).

``not_applicable`` (不适用) is a leaf flag, not a rule type (``{"type": "not_applicable"}`` is
accepted as a synonym): the leaf is dropped and the remaining scores are rescaled so that the
applicable weights count as ``total_weight``.

Grade schemes
-------------
``{"name": ..., "bands": [{"name": "优秀", "min": "85"}, ...]}``: the grade is the band with
the highest ``min`` not above the total; a total below every ``min`` gets the lowest band.
Built-ins: :data:`PROJECT_2020` (优/良/中/差 at 90/80/60) and :data:`UNIT_WHOLE`
(优秀/良好/一般/较差 at 85/75/60). Regions rename grades (seed 000 prints 优秀 on the project
thresholds), so the scheme travels with each evaluation rather than being hard-coded.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

__all__ = [
    "PROJECT_2020",
    "QUANT",
    "RULE_TYPES",
    "UNIT_WHOLE",
    "Actual",
    "IndicatorResult",
    "NodeResult",
    "Problem",
    "ScoringError",
    "Target",
    "TreeResult",
    "describe_rule",
    "format_decimal",
    "grade_for",
    "parse_actual",
    "parse_target",
    "score_document",
    "score_indicator",
    "score_tree",
    "target_missed",
    "to_decimal",
    "validate_rule",
    "validate_tree",
]

QUANT = Decimal("0.01")
ZERO = Decimal("0")
ONE = Decimal("1")
HUNDRED = Decimal("100")
MAX_DEPTH = 3

PROJECT_2020: dict[str, Any] = {
    "name": "项目支出（财预〔2020〕10号：优/良/中/差）",
    "bands": [
        {"name": "优", "min": "90"},
        {"name": "良", "min": "80"},
        {"name": "中", "min": "60"},
        {"name": "差", "min": "0"},
    ],
}

UNIT_WHOLE: dict[str, Any] = {
    "name": "部门整体支出（优秀/良好/一般/较差）",
    "bands": [
        {"name": "优秀", "min": "85"},
        {"name": "良好", "min": "75"},
        {"name": "一般", "min": "60"},
        {"name": "较差", "min": "0"},
    ],
}


class ScoringError(ValueError):
    """A rule, a weight or a grade scheme is invalid; the message is Chinese, for users."""


# --------------------------------------------------------------------------- decimals


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


def _optional_decimal(value: Any, what: str) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return to_decimal(value, what)


def _quantize(value: Decimal) -> Decimal:
    return value.quantize(QUANT, rounding=ROUND_HALF_UP)


def _clamp(value: Decimal, weight: Decimal) -> Decimal:
    return min(max(value, ZERO), weight)


def format_decimal(value: Decimal) -> str:
    """Format a Decimal for Chinese messages without trailing zeros or exponent ("0.8", "2")."""
    if value == value.to_integral_value():
        return format(value.quantize(ONE), "f")
    return format(value.normalize(), "f")


_fmt = format_decimal


# --------------------------------------------------------------------------- parsing

# Full-width characters people type in Chinese input methods, mapped to ASCII.
_FULLWIDTH = str.maketrans("０１２３４５６７８９．％＞＜＝，＋－", "0123456789.%><=,+-")
_NUMBER = re.compile(r"[-+]?\d+(?:,\d{3})*(?:\.\d+)?")

# Longest spellings first so "≥" inside ">=" style aliases cannot shadow the longer form.
_OPERATOR_PREFIXES: tuple[tuple[str, str], ...] = (
    (">=", ">="), ("=>", ">="), ("≥", ">="), ("≧", ">="), ("不低于", ">="), ("不少于", ">="),
    ("不小于", ">="), ("至少", ">="), ("达到", ">="),
    ("<=", "<="), ("=<", "<="), ("≤", "<="), ("≦", "<="), ("不高于", "<="), ("不超过", "<="),
    ("不大于", "<="), ("不多于", "<="), ("至多", "<="), ("控制在", "<="),
    ("==", "="), ("=", "="), ("大于", ">"), ("高于", ">"), ("多于", ">"), (">", ">"),
    ("小于", "<"), ("低于", "<"), ("少于", "<"), ("<", "<"),
)
_UPPER_SUFFIXES = ("以内", "以下", "之内")
_LOWER_SUFFIXES = ("以上",)
_APPROX_PREFIXES = ("约", "近", "超", "共", "全年")

_YES_WORDS = frozenset({
    "是", "yes", "y", "true", "1", "√", "✓", "按时", "及时", "已完成", "完成", "按时完成",
    "达成", "已达成", "达到", "达标", "已达标", "合格", "符合", "有", "已按时完成", "全部完成",
})
_NO_WORDS = frozenset({
    "否", "no", "n", "false", "0", "×", "未按时", "不及时", "未完成", "未按时完成", "未达成",
    "未达到", "未达标", "不达标", "不合格", "不符合", "无", "没有",
})


def _normalise(text: str) -> str:
    return re.sub(r"\s+", "", text.translate(_FULLWIDTH))


@dataclass(frozen=True)
class Target:
    """A parsed 年度指标值.

    ``kind``: ``"compare"`` (op + value [+ unit]), ``"yes_no"`` (a 是否… question, met when
    the actual is yes), ``"text"`` (free text, not scorable) or ``"empty"``.
    ``op`` is one of ``">=", ">", "=", "<=", "<"``; ``implicit`` tells that no operator was
    written (a bare number or "10000余件" counts as ``>=``); ``qualifier`` keeps 余/以上/以内/约.
    """

    kind: str
    text: str
    op: str | None = None
    value: Decimal | None = None
    unit: str = ""
    qualifier: str = ""
    implicit: bool = False

    @property
    def lower_is_better(self) -> bool:
        """True for ≤ / < targets (the smaller the actual, the better)."""
        return self.op in ("<=", "<")


@dataclass(frozen=True)
class Actual:
    """A parsed 实际完成值.

    ``kind`` is ``"number"``, ``"yes"``, ``"no"``, ``"text"`` or ``"empty"``.
    """

    kind: str
    text: str
    value: Decimal | None = None
    unit: str = ""
    qualifier: str = ""


def _split_number(body: str) -> tuple[Decimal, str, str] | None:
    """Split "10000余件" → (10000, "件", "余"); None when body does not start with a number."""
    qualifier = ""
    for prefix in _APPROX_PREFIXES:
        if body.startswith(prefix):
            qualifier, body = prefix, body[len(prefix):]
            break
    match = _NUMBER.match(body)
    if not match:
        return None
    value = Decimal(match.group(0).replace(",", ""))
    rest = body[match.end():]
    for marker in ("余", "多"):
        if rest.startswith(marker):
            qualifier, rest = marker, rest[len(marker):]
            break
    return value, rest, qualifier


def parse_target(text: str | None) -> Target:
    """Parse a target (年度指标值): ``≥95%``, ``≤30天``, ``=44人``, ``10000余件``, ``是否按时完成``.

    Never raises: anything unreadable comes back as ``kind="text"``.
    """
    raw = (text or "").strip()
    body = _normalise(raw)
    if not body:
        return Target(kind="empty", text=raw)
    if body.startswith("是否"):
        return Target(kind="yes_no", text=raw)
    op: str | None = None
    for spelling, canonical in _OPERATOR_PREFIXES:
        if body.startswith(spelling):
            op, body = canonical, body[len(spelling):]
            break
    split = _split_number(body)
    if split is None:
        return Target(kind="text", text=raw)
    value, unit, qualifier = split
    implicit = op is None
    for suffix in _UPPER_SUFFIXES + _LOWER_SUFFIXES:
        if unit.endswith(suffix):
            unit = unit[: -len(suffix)]
            qualifier = qualifier or suffix
            if implicit:
                op, implicit = ("<=" if suffix in _UPPER_SUFFIXES else ">="), False
            break
    if op is None:
        # 10号 convention: a bare quantity target ("4次", "10000余件") is reached by doing at
        # least that much.
        op = ">="
    if not _plausible_unit(unit):
        return Target(kind="text", text=raw)
    return Target(kind="compare", text=raw, op=op, value=value, unit=unit,
                  qualifier=qualifier, implicit=implicit)


def _plausible_unit(unit: str) -> bool:
    # A unit is short ("%", "件", "万元", "个百分点"); a long tail means the number was just
    # the start of a sentence ("2个季度完成验收工作") and the target is free text.
    return len(unit) <= 4 and not any(ch.isdigit() for ch in unit)


def parse_actual(text: str | None) -> Actual:
    """Parse an actual value (实际完成值): ``"97.38%"``, ``"11000余件"``, ``"1"``, ``"是"``.

    Numbers win over yes/no, so ``"1"`` is the number 1 (rules that want yes/no accept 1/0).
    Never raises: anything unreadable comes back as ``kind="text"``.
    """
    raw = (text or "").strip()
    body = _normalise(raw)
    if not body:
        return Actual(kind="empty", text=raw)
    split = _split_number(body)
    if split is not None:
        value, unit, qualifier = split
        for suffix in _UPPER_SUFFIXES + _LOWER_SUFFIXES:
            if unit.endswith(suffix):
                unit, qualifier = unit[: -len(suffix)], qualifier or suffix
                break
        if _plausible_unit(unit):
            return Actual(kind="number", text=raw, value=value, unit=unit, qualifier=qualifier)
    lowered = body.lower()
    if lowered in _NO_WORDS:
        return Actual(kind="no", text=raw)
    if lowered in _YES_WORDS:
        return Actual(kind="yes", text=raw)
    return Actual(kind="text", text=raw)


def _yes_no(actual: Actual) -> bool | None:
    if actual.kind == "yes":
        return True
    if actual.kind == "no":
        return False
    if actual.kind == "number" and actual.value in (ZERO, ONE) and not actual.unit:
        return actual.value == ONE
    return None


# --------------------------------------------------------------------------- rules


class _Missing(Exception):
    """Internal: the actual is missing or unreadable; carries the Chinese reason."""


@dataclass(frozen=True)
class _RuleSpec:
    defaults: Mapping[str, str | None]
    compute: Callable[[Decimal, Mapping[str, Any], dict[str, Any]], Decimal]
    describe: Callable[[Decimal, Mapping[str, Any], dict[str, Any]], str]
    check: Callable[[Mapping[str, Any]], None] = lambda p: None
    decimal_params: tuple[str, ...] = ()


def _fraction_text(share: Decimal) -> str:
    names = {
        Decimal("0.1"): "十分之一", Decimal("0.2"): "五分之一", Decimal("0.25"): "四分之一",
        Decimal("0.5"): "二分之一", Decimal("0.05"): "二十分之一", ONE: "全部",
    }
    return f"分值的{names[share]}" if share in names else f"分值×{_fmt(share)}"


def _number_actual(leaf: dict[str, Any], what: str = "实际完成值") -> Decimal:
    actual = parse_actual(leaf.get("actual"))
    if actual.kind == "empty":
        raise _Missing(f"{what}未填写")
    if actual.kind != "number":
        raise _Missing(f"{what}「{actual.text}」不是数字")
    return actual.value  # type: ignore[return-value]


def _count_actual(leaf: dict[str, Any]) -> Decimal:
    value = _number_actual(leaf, "实际完成值（次数/项数）")
    if value < 0 or value != value.to_integral_value():
        raise _Missing(f"实际完成值「{leaf.get('actual')}」应为非负整数（次数/项数）")
    return value


def _positive(p: Mapping[str, Any], *names: str) -> None:
    for name in names:
        if p[name] <= 0:
            raise ScoringError(f"参数 {name} 必须大于 0（当前为 {_fmt(p[name])}）")


def _non_negative(p: Mapping[str, Any], *names: str) -> None:
    for name in names:
        if p[name] is not None and p[name] < 0:
            raise ScoringError(f"参数 {name} 不能为负数（当前为 {_fmt(p[name])}）")


# band_higher ---------------------------------------------------------------

def _check_band_higher(p: Mapping[str, Any]) -> None:
    if p["full_at"] <= p["zero_at"]:
        raise ScoringError(
            f"满分线 full_at（{_fmt(p['full_at'])}）必须高于零分线 zero_at（{_fmt(p['zero_at'])}）")
    _non_negative(p, "step_cost")


def _band_higher(w: Decimal, p: Mapping[str, Any], leaf: dict[str, Any]) -> Decimal:
    x = _number_actual(leaf)
    if x >= p["full_at"]:
        return w
    if x <= p["zero_at"]:
        return ZERO
    return w - (p["full_at"] - x) * p["step_cost"] * w


def _describe_band_higher(w: Decimal, p: Mapping[str, Any], leaf: dict[str, Any]) -> str:
    return (f"≥{_fmt(p['full_at'])}%得满分，≤{_fmt(p['zero_at'])}%得0分，其间每降低1个百分点"
            f"扣{_fraction_text(p['step_cost'])}")


# band_lower ----------------------------------------------------------------

def _check_band_lower(p: Mapping[str, Any]) -> None:
    if p["full_at"] >= p["zero_at"]:
        raise ScoringError(
            f"满分线 full_at（{_fmt(p['full_at'])}）必须低于零分线 zero_at（{_fmt(p['zero_at'])}）")
    _non_negative(p, "step_cost")


def _band_lower(w: Decimal, p: Mapping[str, Any], leaf: dict[str, Any]) -> Decimal:
    x = _number_actual(leaf)
    if x <= p["full_at"]:
        return w
    if x >= p["zero_at"]:
        return ZERO
    return w - (x - p["full_at"]) * p["step_cost"] * w


def _describe_band_lower(w: Decimal, p: Mapping[str, Any], leaf: dict[str, Any]) -> str:
    return (f"≤{_fmt(p['full_at'])}%得满分，≥{_fmt(p['zero_at'])}%得0分，其间每增加1个百分点"
            f"扣{_fraction_text(p['step_cost'])}")


# steps ---------------------------------------------------------------------

def _check_steps(p: Mapping[str, Any]) -> None:
    _check_band_lower(p)
    _positive(p, "step")


def _steps(w: Decimal, p: Mapping[str, Any], leaf: dict[str, Any]) -> Decimal:
    x = _number_actual(leaf)
    if x <= p["full_at"]:
        return w
    if x >= p["zero_at"]:
        return ZERO
    # A started step counts as a whole step ("每五个百分点为档").
    started = ((x - p["full_at"]) / p["step"]).to_integral_value(rounding=ROUND_CEILING)
    return w - started * p["step_cost"] * w


def _describe_steps(w: Decimal, p: Mapping[str, Any], leaf: dict[str, Any]) -> str:
    return (f"≤{_fmt(p['full_at'])}%得满分，≥{_fmt(p['zero_at'])}%得0分，其间每{_fmt(p['step'])}"
            f"个百分点为一档（不足一档按一档计），每档扣{_fraction_text(p['step_cost'])}")


# over_cap ------------------------------------------------------------------

def _check_over_cap(p: Mapping[str, Any]) -> None:
    _positive(p, "step")
    _non_negative(p, "step_deduct")


def _over_cap(w: Decimal, p: Mapping[str, Any], leaf: dict[str, Any]) -> Decimal:
    x = _number_actual(leaf)
    if x <= p["cap"]:
        return w
    return w - (x - p["cap"]) / p["step"] * p["step_deduct"]


def _describe_over_cap(w: Decimal, p: Mapping[str, Any], leaf: dict[str, Any]) -> str:
    return (f"≤{_fmt(p['cap'])}%得满分，超出部分每{_fmt(p['step'])}个百分点扣"
            f"{_fmt(p['step_deduct'])}分，扣完为止")


# rate ----------------------------------------------------------------------

def _rate(w: Decimal, p: Mapping[str, Any], leaf: dict[str, Any]) -> Decimal:
    return _number_actual(leaf) / HUNDRED * w


def _describe_rate(w: Decimal, p: Mapping[str, Any], leaf: dict[str, Any]) -> str:
    return "完成率法：得分=完成率×分值，超出分值不加分"


# deductions ----------------------------------------------------------------

def _check_deductions(p: Mapping[str, Any]) -> None:
    if (p["deduct"] is None) == (p["deduct_fraction"] is None):
        raise ScoringError(
            "逐项扣分规则须且只能设置 deduct（每项扣分）或 deduct_fraction（每项扣分值的比例）之一")
    _non_negative(p, "deduct", "deduct_fraction")


def _deduct_points(w: Decimal, p: Mapping[str, Any]) -> Decimal:
    return p["deduct"] if p["deduct"] is not None else p["deduct_fraction"] * w


def _deductions(w: Decimal, p: Mapping[str, Any], leaf: dict[str, Any]) -> Decimal:
    return w - _count_actual(leaf) * _deduct_points(w, p)


def _describe_deductions(w: Decimal, p: Mapping[str, Any], leaf: dict[str, Any]) -> str:
    if p["deduct"] is not None:
        each = f"{_fmt(p['deduct'])}分"
    else:
        each = _fraction_text(p["deduct_fraction"])
    return f"全部符合得满分，每有一项不符合扣{each}，扣完为止"


# per_miss ------------------------------------------------------------------

def _check_per_miss(p: Mapping[str, Any]) -> None:
    _non_negative(p, "deduct")


def _per_miss(w: Decimal, p: Mapping[str, Any], leaf: dict[str, Any]) -> Decimal:
    return w - _count_actual(leaf) * p["deduct"]


def _describe_per_miss(w: Decimal, p: Mapping[str, Any], leaf: dict[str, Any]) -> str:
    return f"每有一次未达到要求扣{_fmt(p['deduct'])}分，扣完为止"


# satisfaction --------------------------------------------------------------

def _check_satisfaction(p: Mapping[str, Any]) -> None:
    _positive(p, "step")
    _non_negative(p, "step_deduct")
    if p["zero_below"] > p["full_at"]:
        raise ScoringError(
            f"零分线 zero_below（{_fmt(p['zero_below'])}）"
            f"不能高于满分线 full_at（{_fmt(p['full_at'])}）")


def _satisfaction(w: Decimal, p: Mapping[str, Any], leaf: dict[str, Any]) -> Decimal:
    x = _number_actual(leaf)
    if x >= p["full_at"]:
        return w
    if x < p["zero_below"]:
        return ZERO
    started = ((p["full_at"] - x) / p["step"]).to_integral_value(rounding=ROUND_CEILING)
    return w - started * p["step_deduct"]


def _describe_satisfaction(w: Decimal, p: Mapping[str, Any], leaf: dict[str, Any]) -> str:
    return (f"满意度≥{_fmt(p['full_at'])}%得满分，每低{_fmt(p['step'])}个百分点（不足按一档计）扣"
            f"{_fmt(p['step_deduct'])}分，低于{_fmt(p['zero_below'])}%不得分")


# yes_no --------------------------------------------------------------------

def _yes_no_rule(w: Decimal, p: Mapping[str, Any], leaf: dict[str, Any]) -> Decimal:
    actual = parse_actual(leaf.get("actual"))
    if actual.kind == "empty":
        raise _Missing("实际完成值未填写")
    answer = _yes_no(actual)
    if answer is None:
        raise _Missing(f"实际完成值「{actual.text}」不是“是/否”")
    return w if answer else ZERO


def _describe_yes_no(w: Decimal, p: Mapping[str, Any], leaf: dict[str, Any]) -> str:
    return "是（按时/达成）得满分，否则得0分"


# target_ratio --------------------------------------------------------------

def _target_ratio(w: Decimal, p: Mapping[str, Any], leaf: dict[str, Any]) -> Decimal:
    target = parse_target(leaf.get("target"))
    if target.kind == "empty":
        raise _Missing("未填写年度指标值")
    if target.kind == "text":
        raise _Missing(f"年度指标值「{target.text}」不是可计算的数值")
    if target.kind == "yes_no":
        return _yes_no_rule(w, p, leaf)
    x = _number_actual(leaf)
    actual = parse_actual(leaf.get("actual"))
    if target.unit and actual.unit and target.unit != actual.unit:
        raise _Missing(f"实际完成值单位「{actual.unit}」与指标值单位「{target.unit}」不一致")
    t = target.value
    assert t is not None
    x = max(x, ZERO)
    if _meets(target, x):
        return w
    if target.op in (">=", ">"):
        return x / t * w if t > 0 else w
    if target.op in ("<=", "<"):
        return t / x * w if x > 0 else w
    # "=": the nearer to the target, the better, whichever side.
    low, high = min(x, t), max(x, t)
    return low / high * w if high > 0 else w


def _meets(target: Target, x: Decimal) -> bool:
    t = target.value
    assert t is not None
    return {
        ">=": x >= t, ">": x > t, "=": x == t, "<=": x <= t, "<": x < t,
    }[target.op or ">="]


def _describe_target_ratio(w: Decimal, p: Mapping[str, Any], leaf: dict[str, Any]) -> str:
    target = parse_target(leaf.get("target"))
    if target.kind == "yes_no":
        return f"指标「{target.text}」：是得满分，否得0分"
    shown = f"（{target.text}）" if target.text else ""
    if target.kind == "compare" and target.lower_is_better:
        return f"达到年度指标值{shown}得满分，未达到按指标值÷实际完成值×分值计分"
    if target.kind == "compare" and target.op == "=":
        return f"等于年度指标值{shown}得满分，否则按较小值÷较大值×分值计分"
    return f"达到年度指标值{shown}得满分，未达到按实际完成值÷指标值×分值计分"


# manual --------------------------------------------------------------------

_DEFAULT_TIERS = (
    {"name": "达成", "min": "0.8", "max": "1"},
    {"name": "部分达成", "min": "0.6", "max": "0.8"},
    {"name": "未达成", "min": "0", "max": "0.6"},
)


def _tiers(p: Mapping[str, Any]) -> list[tuple[str, Decimal, Decimal]]:
    raw = p["tiers"] if p["tiers"] is not None else _DEFAULT_TIERS
    if not isinstance(raw, list | tuple) or not raw:
        raise ScoringError("参数 tiers 必须是非空列表，每项含 name、min、max")
    tiers = []
    for item in raw:
        if not isinstance(item, Mapping) or not str(item.get("name", "")).strip():
            raise ScoringError("参数 tiers 的每一项须含档次名称 name")
        name = str(item["name"]).strip()
        low = to_decimal(item.get("min"), f"档次「{name}」的下限 min")
        high = to_decimal(item.get("max"), f"档次「{name}」的上限 max")
        if not ZERO <= low <= high <= ONE:
            raise ScoringError(f"档次「{name}」的区间须满足 0 ≤ min ≤ max ≤ 1（分值的比例）")
        tiers.append((name, low, high))
    return tiers


def _check_manual(p: Mapping[str, Any]) -> None:
    tiers = _tiers(p)
    if p["tier"] is not None and p["tier"] not in {t[0] for t in tiers}:
        raise ScoringError(f"参数 tier「{p['tier']}」不是已定义的档次")


def _manual_tier(p: Mapping[str, Any], leaf: dict[str, Any]) -> tuple[str, Decimal, Decimal]:
    tiers = _tiers(p)
    by_name = {t[0]: t for t in tiers}
    text = _normalise(str(leaf.get("actual") or ""))
    if text in by_name:
        return by_name[text]
    if text:
        answer = _yes_no(parse_actual(text))
        # 是/否 map onto the best / worst tier so a yes/no actual still picks a range.
        if answer is True:
            return tiers[0]
        if answer is False:
            return tiers[-1]
        names = "、".join(f"「{t[0]}」" for t in tiers)
        raise _Missing(f"实际完成值「{leaf.get('actual')}」不是定性档次（{names}）")
    if p["tier"] is not None:
        return by_name[p["tier"]]
    raise _Missing("未选择定性评价档次（实际完成值未填写）")


def _manual(w: Decimal, p: Mapping[str, Any], leaf: dict[str, Any]) -> Decimal:
    name, low, high = _manual_tier(p, leaf)
    entered = _optional_decimal(leaf.get("score"), "得分")
    if entered is None:
        raise _Missing(
            f"定性指标（{name}）须由评价工作组在 {_fmt(_quantize(low * w))}–"
            f"{_fmt(_quantize(high * w))} 分之间评定得分，尚未填报得分")
    return min(max(entered, low * w), high * w)


def _describe_manual(w: Decimal, p: Mapping[str, Any], leaf: dict[str, Any]) -> str:
    try:
        name, low, high = _manual_tier(p, leaf)
    except _Missing:
        tiers = "，".join(
            f"{n}得分值的{_fmt(lo * HUNDRED)}%–{_fmt(hi * HUNDRED)}%" for n, lo, hi in _tiers(p))
        return f"定性评价：{tiers}"
    return (f"定性评价「{name}」，得分应在 {_fmt(_quantize(low * w))}–"
            f"{_fmt(_quantize(high * w))} 分之间")


_RULES: dict[str, _RuleSpec] = {
    "band_higher": _RuleSpec(
        {"full_at": "95", "zero_at": "85", "step_cost": "0.1"}, _band_higher,
        _describe_band_higher, _check_band_higher, ("full_at", "zero_at", "step_cost")),
    "band_lower": _RuleSpec(
        {"full_at": "0", "zero_at": "10", "step_cost": "0.1"}, _band_lower,
        _describe_band_lower, _check_band_lower, ("full_at", "zero_at", "step_cost")),
    "steps": _RuleSpec(
        {"full_at": "5", "zero_at": "50", "step": "5", "step_cost": "0.1"}, _steps,
        _describe_steps, _check_steps, ("full_at", "zero_at", "step", "step_cost")),
    "over_cap": _RuleSpec(
        {"cap": "100", "step": "0.1", "step_deduct": "0.1"}, _over_cap, _describe_over_cap,
        _check_over_cap, ("cap", "step", "step_deduct")),
    "rate": _RuleSpec({}, _rate, _describe_rate),
    "deductions": _RuleSpec(
        {"deduct": None, "deduct_fraction": None}, _deductions, _describe_deductions,
        _check_deductions, ("deduct", "deduct_fraction")),
    "per_miss": _RuleSpec(
        {"deduct": "1"}, _per_miss, _describe_per_miss, _check_per_miss, ("deduct",)),
    "satisfaction": _RuleSpec(
        {"full_at": "90", "step": "10", "step_deduct": "1.5", "zero_below": "60"},
        _satisfaction, _describe_satisfaction, _check_satisfaction,
        ("full_at", "step", "step_deduct", "zero_below")),
    "yes_no": _RuleSpec({}, _yes_no_rule, _describe_yes_no),
    "target_ratio": _RuleSpec({}, _target_ratio, _describe_target_ratio),
    "manual": _RuleSpec({"tier": None, "tiers": None}, _manual, _describe_manual, _check_manual),
}

#: Every rule type name, in the order of the module docstring.
RULE_TYPES: tuple[str, ...] = (*_RULES, "not_applicable")

_RULE_NAMES = {
    "band_higher": "区间扣分（高者为优）", "band_lower": "区间扣分（低者为优）",
    "steps": "分档扣分", "over_cap": "超限扣分", "rate": "完成率法",
    "deductions": "逐项扣分", "per_miss": "按次扣分", "satisfaction": "满意度分档",
    "yes_no": "是/否", "target_ratio": "指标值比例法", "manual": "定性评价",
}


def _resolve_rule(rule: Any) -> tuple[str, _RuleSpec, dict[str, Any]]:
    """Check a rule dict and return (type, spec, params with defaults and Decimals)."""
    if not isinstance(rule, Mapping):
        raise ScoringError("评分规则必须是包含 type 和 params 的对象")
    kind = rule.get("type")
    if kind not in _RULES:
        known = "、".join(RULE_TYPES)
        raise ScoringError(f"未知的评分规则类型「{kind}」；可用类型：{known}")
    spec = _RULES[kind]
    raw = rule.get("params") or {}
    if not isinstance(raw, Mapping):
        raise ScoringError(f"评分规则「{_RULE_NAMES[kind]}」的参数 params 必须是对象")
    unknown = sorted(set(raw) - set(spec.defaults))
    if unknown:
        allowed = "、".join(spec.defaults) or "无"
        raise ScoringError(
            f"评分规则「{_RULE_NAMES[kind]}」不支持参数 {'、'.join(unknown)}"
            f"（可用参数：{allowed}）")
    params: dict[str, Any] = {**spec.defaults, **raw}
    for name in spec.decimal_params:
        params[name] = _optional_decimal(
            params[name], f"评分规则「{_RULE_NAMES[kind]}」的参数 {name}")
    try:
        spec.check(params)
    except ScoringError as exc:
        raise ScoringError(f"评分规则「{_RULE_NAMES[kind]}」参数有误：{exc}") from None
    return kind, spec, params


def validate_rule(rule: Any) -> None:
    """Raise ScoringError (Chinese message) when ``rule`` is not a valid rule dict."""
    if isinstance(rule, Mapping) and rule.get("type") == "not_applicable":
        return
    _resolve_rule(rule)


def describe_rule(rule: Any, weight: Any = "1", leaf: dict[str, Any] | None = None) -> str:
    """A short Chinese description of ``rule`` for a leaf of ``weight``, as in explanations."""
    if isinstance(rule, Mapping) and rule.get("type") == "not_applicable":
        return "不适用"
    _, spec, params = _resolve_rule(rule)
    return spec.describe(to_decimal(weight, "分值"), params, leaf or {})


# --------------------------------------------------------------------------- indicator


@dataclass(frozen=True)
class IndicatorResult:
    """The scoring of one leaf: ``computed`` by its rule (None when it cannot be computed),
    ``entered`` by the team, ``flagged`` when both exist and differ, and a Chinese explanation."""

    code: str
    name: str
    weight: Decimal
    computed: Decimal | None
    entered: Decimal | None
    flagged: bool
    explanation: str
    not_applicable: bool = False

    @property
    def difference(self) -> Decimal | None:
        """entered − computed, when both exist."""
        if self.computed is None or self.entered is None:
            return None
        return self.entered - self.computed


def _is_not_applicable(leaf: Mapping[str, Any]) -> bool:
    rule = leaf.get("rule")
    return bool(leaf.get("not_applicable")) or (
        isinstance(rule, Mapping) and rule.get("type") == "not_applicable")


def score_indicator(leaf: dict[str, Any]) -> IndicatorResult:
    """Score one third-level indicator (a leaf dict as in docs/evaluation-schema.md).

    Raises ScoringError for an invalid weight, entered score or rule; a missing or unreadable
    actual is not an error: ``computed`` is None and the explanation says why.
    """
    code = str(leaf.get("code") or "")
    name = str(leaf.get("name") or "")
    label = f"指标「{name}」" if name else "指标"
    weight = to_decimal(leaf.get("weight"), f"{label}的分值")
    if weight < 0:
        raise ScoringError(f"{label}的分值不能为负数")
    entered = _optional_decimal(leaf.get("score"), f"{label}的得分")
    if _is_not_applicable(leaf):
        return IndicatorResult(code, name, weight, None, entered, False,
                               "不适用：已从评分中剔除，其余指标按比例折算", True)
    if leaf.get("rule") is None:
        return IndicatorResult(code, name, weight, None, entered, False,
                               "未设置评分规则，无法计算得分")
    _, spec, params = _resolve_rule(leaf["rule"])
    description = spec.describe(weight, params, leaf)
    try:
        computed = _clamp(_quantize(spec.compute(weight, params, leaf)), weight)
    except _Missing as missing:
        explanation = f"{missing}，无法按评分规则（{description}）计算得分"
        if entered is not None:
            explanation += f"；填报得分 {_fmt(entered)} 分"
        return IndicatorResult(code, name, weight, None, entered, False, explanation)
    head = f"按评分规则（{description}）计算得 {_fmt(computed)} 分"
    if entered is None:
        return IndicatorResult(code, name, weight, computed, None, False, f"{head}，尚未填报得分")
    if entered == computed:
        return IndicatorResult(code, name, weight, computed, entered, False,
                               f"{head}，与填报得分一致")
    gap = abs(entered - computed)
    return IndicatorResult(code, name, weight, computed, entered, True,
                           f"{head}，填报得分 {_fmt(entered)} 分，相差 {_fmt(gap)} 分")


def target_missed(leaf: Mapping[str, Any]) -> bool:
    """True when the leaf's target is readable, its actual is readable, and the target is missed."""
    target = parse_target(leaf.get("target"))
    actual = parse_actual(leaf.get("actual"))
    if target.kind == "yes_no":
        return _yes_no(actual) is False
    if target.kind != "compare" or actual.kind != "number" or actual.value is None:
        return False
    if target.unit and actual.unit and target.unit != actual.unit:
        return False
    return not _meets(target, actual.value)


# --------------------------------------------------------------------------- tree


@dataclass(frozen=True)
class Problem:
    """A validation problem: ``code`` of the indicator ("" for the tree as a whole), a ``kind``
    tag for programs, and a Chinese ``message`` for people."""

    code: str
    kind: str
    message: str


@dataclass(frozen=True)
class NodeResult:
    """Totals of one node (or leaf) of the tree: unscaled sums over its applicable leaves."""

    code: str
    name: str
    level: int
    weight: Decimal | None
    entered: Decimal
    computed: Decimal
    is_leaf: bool


@dataclass
class TreeResult:
    """The scoring of a whole indicator tree.

    ``entered_total`` / ``computed_total`` are rescaled to ``total_weight`` when indicators are
    not applicable (``scale`` = total ÷ applicable weight, 1 otherwise) and quantized to 0.01.
    Missing scores count as 0 in the totals; ``uncomputed`` lists leaves without a computed
    score, ``flagged`` those whose entered score differs from the computed one.
    """

    total_weight: Decimal
    entered_total: Decimal
    computed_total: Decimal
    entered_grade: str
    computed_grade: str
    scale: Decimal
    leaves: dict[str, IndicatorResult] = field(default_factory=dict)
    nodes: dict[str, NodeResult] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    flagged: list[str] = field(default_factory=list)
    uncomputed: list[str] = field(default_factory=list)


def _walk(indicators: Iterable[Any], prefix: str = "", level: int = 1):
    """Yield (code, level, node) depth-first; codes are recomputed from positions."""
    for index, node in enumerate(indicators, start=1):
        code = f"{prefix}{index}"
        yield code, level, node
        children = node.get("children") if isinstance(node, Mapping) else None
        if children:
            yield from _walk(children, f"{code}.", level + 1)


def _label(node: Mapping[str, Any], code: str) -> str:
    return f"指标 {code}「{node.get('name', '')}」"


def validate_tree(indicators: list[dict[str, Any]], total_weight: Any) -> list[Problem]:
    """Check an indicator tree; return Chinese problems, each pointing at an indicator code.

    Checks: at most three levels; weights and scores are decimal strings; each stated
    non-leaf weight equals the sum of its children; leaf weights sum to ``total_weight``
    (code ""); 0 ≤ score ≤ weight; a missing score; a valid rule on every leaf; a manual score
    below the weight has ``score_reason``; a missed target has ``deviation_reason``.
    """
    problems: list[Problem] = []
    total = to_decimal(total_weight, "总分值")
    if not indicators:
        return [Problem("", "empty", "指标体系为空")]

    def weight_of(node: Mapping[str, Any], code: str) -> Decimal | None:
        try:
            value = _optional_decimal(node.get("weight"), f"{_label(node, code)}的分值")
        except ScoringError as exc:
            problems.append(Problem(code, "weight", str(exc)))
            return None
        if value is not None and value < 0:
            problems.append(Problem(code, "weight", f"{_label(node, code)}的分值不能为负数"))
        return value

    def leaf_sum(node: Mapping[str, Any], code: str, level: int) -> Decimal:
        children = node.get("children") or []
        stated = weight_of(node, code)
        if level > MAX_DEPTH:
            problems.append(Problem(
                code, "depth", f"{_label(node, code)}超过三级指标，指标体系最多三级"))
        if not children:
            if stated is None:
                problems.append(Problem(code, "weight", f"{_label(node, code)}未填写分值"))
                return ZERO
            _check_leaf(node, code, stated, problems)
            return stated
        subtotal = sum(
            (leaf_sum(child, f"{code}.{i}", level + 1) for i, child in enumerate(children, 1)),
            ZERO)
        if stated is not None and stated != subtotal:
            problems.append(Problem(
                code, "node_weight",
                f"{_label(node, code)}的分值 {_fmt(stated)} "
                f"与下级指标分值之和 {_fmt(subtotal)} 不一致"))
        return subtotal

    leaves_total = sum(
        (leaf_sum(node, str(i), 1) for i, node in enumerate(indicators, 1)), ZERO)
    if leaves_total != total:
        problems.insert(0, Problem(
            "", "weight_sum",
            f"末级指标分值之和为 {_fmt(leaves_total)}，与总分值 {_fmt(total)} 不一致"))
    applicable = [node for _, _, node in _walk(indicators)
                  if not node.get("children") and not _is_not_applicable(node)]
    if not applicable:
        problems.append(Problem("", "all_not_applicable", "所有指标均为不适用，无法计分"))
    return problems


def _check_leaf(node: Mapping[str, Any], code: str, weight: Decimal,
                problems: list[Problem]) -> None:
    label = _label(node, code)
    if _is_not_applicable(node):
        return
    rule = node.get("rule")
    if rule is None:
        problems.append(Problem(code, "rule", f"{label}未设置评分规则"))
    else:
        try:
            validate_rule(rule)
        except ScoringError as exc:
            problems.append(Problem(code, "rule", f"{label}：{exc}"))
    try:
        score = _optional_decimal(node.get("score"), f"{label}的得分")
    except ScoringError as exc:
        problems.append(Problem(code, "score_format", str(exc)))
        return
    if score is None:
        problems.append(Problem(code, "missing_score", f"{label}尚未填写得分"))
    elif not ZERO <= score <= weight:
        problems.append(Problem(
            code, "score_range", f"{label}的得分 {_fmt(score)} 超出 0–{_fmt(weight)} 分的范围"))
    elif (isinstance(rule, Mapping) and rule.get("type") == "manual" and score < weight
          and not str(node.get("score_reason") or "").strip()):
        problems.append(Problem(
            code, "score_reason",
            f"{label}为定性指标，得分 {_fmt(score)} 低于分值 {_fmt(weight)}，须填写扣分理由"))
    if target_missed(node) and not str(node.get("deviation_reason") or "").strip():
        problems.append(Problem(
            code, "deviation_reason",
            f"{label}未达到年度指标值「{node.get('target')}」（实际完成值「{node.get('actual')}」），"
            f"须填写偏差原因分析及改进措施"))


def grade_for(total: Any, scheme: Mapping[str, Any]) -> str:
    """The grade name for ``total`` under ``scheme`` (``{"bands": [{"name", "min"}, ...]}``).

    The band with the highest ``min`` not above ``total`` wins; below every ``min``, the lowest
    band. Raises ScoringError for a malformed scheme.
    """
    value = to_decimal(total, "总分")
    bands = scheme.get("bands") if isinstance(scheme, Mapping) else None
    if not bands:
        raise ScoringError("等级方案须含至少一个等级（bands）")
    parsed: list[tuple[Decimal, str]] = []
    for band in bands:
        if not isinstance(band, Mapping) or not str(band.get("name", "")).strip():
            raise ScoringError("等级方案的每个等级须含名称 name")
        name = str(band["name"]).strip()
        parsed.append((to_decimal(band.get("min"), f"等级「{name}」的下限 min"), name))
    parsed.sort(key=lambda item: item[0], reverse=True)
    for minimum, name in parsed:
        if value >= minimum:
            return name
    return parsed[-1][1]


def score_tree(indicators: list[dict[str, Any]], total_weight: Any,
               grade_scheme: Mapping[str, Any]) -> TreeResult:
    """Score a whole indicator tree (the ``indicators`` list of the content document).

    Returns per-leaf results and per-node totals keyed by position code ("2.1.4"), the entered
    and computed totals (rescaled for not-applicable leaves), their grades, and the problems of
    :func:`validate_tree` plus any rule errors. Invalid rules do not raise here: the leaf gets
    no computed score and a ``rule`` problem, so one bad leaf cannot hide the rest.
    """
    total = to_decimal(total_weight, "总分值")
    problems = validate_tree(indicators, total)
    result = TreeResult(total, ZERO, ZERO, "", "", ONE, problems=problems)
    rule_problem_codes = {p.code for p in problems if p.kind in ("rule", "weight", "score_format")}

    def visit(node: Mapping[str, Any], code: str, level: int) -> tuple[Decimal, Decimal, Decimal]:
        """Return (applicable weight, entered sum, computed sum) of the subtree."""
        children = node.get("children") or []
        name = str(node.get("name") or "")
        if children:
            sums = [visit(child, f"{code}.{i}", level + 1) for i, child in enumerate(children, 1)]
            weight_sum = sum((s[0] for s in sums), ZERO)
            entered = sum((s[1] for s in sums), ZERO)
            computed = sum((s[2] for s in sums), ZERO)
            try:
                stated = _optional_decimal(node.get("weight"), "分值")
            except ScoringError:
                stated = None
            result.nodes[code] = NodeResult(code, name, level, stated, entered, computed, False)
            return weight_sum, entered, computed
        leaf = {**node, "code": code}
        try:
            res = score_indicator(leaf)
        except ScoringError as exc:
            if code not in rule_problem_codes:
                result.problems.append(Problem(code, "rule", f"{_label(node, code)}：{exc}"))
            res = IndicatorResult(code, name, ZERO, None, None, False, str(exc))
        result.leaves[code] = res
        entered = res.entered or ZERO
        computed = res.computed or ZERO
        if res.not_applicable:
            result.nodes[code] = NodeResult(code, name, level, res.weight, ZERO, ZERO, True)
            return ZERO, ZERO, ZERO
        if res.flagged:
            result.flagged.append(code)
        if res.computed is None:
            result.uncomputed.append(code)
        result.nodes[code] = NodeResult(code, name, level, res.weight, entered, computed, True)
        return res.weight, entered, computed

    sums = [visit(node, str(i), 1) for i, node in enumerate(indicators, 1)]
    applicable = sum((s[0] for s in sums), ZERO)
    entered = sum((s[1] for s in sums), ZERO)
    computed = sum((s[2] for s in sums), ZERO)
    has_na = any(r.not_applicable for r in result.leaves.values())
    if has_na and applicable > 0:
        # One division per total, then one rounding: no error accumulates across leaves.
        result.scale = total / applicable
        result.entered_total = _quantize(entered * total / applicable)
        result.computed_total = _quantize(computed * total / applicable)
    else:
        result.entered_total = _quantize(entered)
        result.computed_total = _quantize(computed)
    result.entered_grade = grade_for(result.entered_total, grade_scheme)
    result.computed_grade = grade_for(result.computed_total, grade_scheme)
    return result


def score_document(doc: Mapping[str, Any]) -> TreeResult:
    """Score a whole content document: ``score_tree`` on its indicators, total and scheme."""
    return score_tree(doc.get("indicators") or [], doc.get("total_weight", "100"),
                      doc.get("grade_scheme") or PROJECT_2020)
