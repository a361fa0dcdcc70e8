"""The scoring rules (评分规则): one small function per rule type, its defaults and checks.

Each leaf carries ``"rule": {"type": ..., "params": {...}}``; ``w`` is the leaf's weight (分值).
Params are decimal strings; every param has a default, so ``params`` may be omitted. Unknown
types, unknown param names and invalid values raise :class:`ScoringError` (Chinese). The rule
types are documented in the package docstring (``scoring/__init__.py``).

A rule's ``compute`` raises :class:`Missing` (with the Chinese reason) when the leaf cannot be
read; the indicator is then open (``needs_judgement``), never scored 0.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal
from typing import Any

from workflow_app.evaluations.scoring.grammar import (
    Actual,
    Target,
    convert,
    normalise,
    parse_actual,
    parse_target,
    yes_no,
)
from workflow_app.evaluations.scoring.labels import HIDDEN_PARAMS, PARAM_LABELS, RULE_LABELS
from workflow_app.evaluations.scoring.numbers import (
    HUNDRED,
    ONE,
    ZERO,
    ScoringError,
    optional_decimal,
    quantize,
    to_decimal,
)
from workflow_app.evaluations.scoring.numbers import format_decimal as _fmt
from workflow_app.evaluations.scoring.spellings import TIERS


class Missing(Exception):
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


def leaf_target(leaf: Mapping[str, Any]) -> Target:
    """The leaf's parsed target (its name supplies a unit in parentheses, or a ceiling; its
    parents' names, ``_context``, a ceiling: a bare amount under 成本指标)."""
    return parse_target(leaf.get("target"), leaf.get("name"), str(leaf.get("_context") or ""))


def leaf_actual(leaf: Mapping[str, Any]) -> Actual:
    """The leaf's parsed actual (its name supplies a unit in parentheses)."""
    return parse_actual(leaf.get("actual"), leaf.get("name"))


def note(leaf: dict[str, Any], text: str) -> None:
    """Add a Chinese remark to the leaf's explanation (the working copy made by indicator.py)."""
    leaf.setdefault("_notes", []).append(text)


def flag(leaf: dict[str, Any], code: str, message: str, severity: str = "warning") -> None:
    """Record an engine flag on the leaf's working copy (read by the consistency review)."""
    leaf.setdefault("_flags", []).append((code, severity, message))


def _number_actual(leaf: dict[str, Any], what: str = "实际完成值") -> Decimal:
    actual = leaf_actual(leaf)
    if actual.kind == "empty":
        raise Missing(f"{what}未填写")
    if actual.kind != "number":
        raise Missing(f"{what}「{actual.text}」不是数字")
    return actual.value  # type: ignore[return-value]


def _count_actual(leaf: dict[str, Any]) -> Decimal:
    value = _number_actual(leaf, "实际完成值（次数/项数）")
    if value < 0 or value != value.to_integral_value():
        raise Missing(f"实际完成值「{leaf.get('actual')}」应为非负整数（次数/项数）")
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

def _own_percent_target(leaf: dict[str, Any]) -> Target | None:
    target = leaf_target(leaf)
    if (target.kind == "compare" and target.direction == "higher" and target.value
            and target.value > 0 and (target.is_percent or target.measure is None)):
        return target
    return None


def _rate(w: Decimal, p: Mapping[str, Any], leaf: dict[str, Any]) -> Decimal:
    x = _number_actual(leaf)
    target = _own_percent_target(leaf)
    if target is not None:
        return x / target.value * w  # type: ignore[operator]
    return x / HUNDRED * w


def _describe_rate(w: Decimal, p: Mapping[str, Any], leaf: dict[str, Any]) -> str:
    target = _own_percent_target(leaf)
    if target is not None:
        return f"完成率法：得分=实际完成值÷年度指标值（{target.text}）×分值，超出分值不加分"
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


def _satisfaction_full_at(p: Mapping[str, Any], leaf: dict[str, Any]) -> Decimal:
    """The leaf's own target (≥95%) sets the full-marks line unless the rule states one."""
    target = _own_percent_target(leaf)
    if target is None:
        return p["full_at"]
    if "full_at" in p.get("__explicit__", ()):
        if p["full_at"] != target.value:
            flag(leaf, "rule_contradicts_target",
                 f"满意度评分规则的满分线 {_fmt(p['full_at'])}% 与本指标的年度指标值"
                 f"「{target.text}」不一致")
        return p["full_at"]
    return target.value  # type: ignore[return-value]


def _satisfaction(w: Decimal, p: Mapping[str, Any], leaf: dict[str, Any]) -> Decimal:
    x = _number_actual(leaf)
    full_at = _satisfaction_full_at(p, leaf)
    if x >= full_at:
        return w
    if x < min(p["zero_below"], full_at):
        return ZERO
    started = ((full_at - x) / p["step"]).to_integral_value(rounding=ROUND_CEILING)
    return w - started * p["step_deduct"]


def _describe_satisfaction(w: Decimal, p: Mapping[str, Any], leaf: dict[str, Any]) -> str:
    full_at = _satisfaction_full_at(p, {**leaf, "_flags": []})
    own = "（本指标年度指标值）" if full_at != p["full_at"] else ""
    return (f"满意度≥{_fmt(full_at)}%{own}得满分，每低{_fmt(p['step'])}个百分点（不足按一档计）扣"
            f"{_fmt(p['step_deduct'])}分，低于{_fmt(min(p['zero_below'], full_at))}%不得分")


# yes_no --------------------------------------------------------------------

def _answer(leaf: dict[str, Any]) -> bool:
    actual = leaf_actual(leaf)
    if actual.kind == "empty":
        raise Missing("实际完成值未填写")
    answer = yes_no(actual)
    if answer is None:
        raise Missing(f"实际完成值「{actual.text}」未说明是否完成（是/否）")
    return answer


def _yes_no_rule(w: Decimal, p: Mapping[str, Any], leaf: dict[str, Any]) -> Decimal:
    target = leaf_target(leaf)
    if target.kind == "yes_no" and not target.expect_yes:
        actual = leaf_actual(leaf)
        if actual.kind == "number":
            return w if actual.value == ZERO else ZERO
        return ZERO if _answer(leaf) else w
    if target.kind == "deadline":
        return w if deadline_met(target, leaf) else ZERO
    return w if _answer(leaf) else ZERO


def _describe_yes_no(w: Decimal, p: Mapping[str, Any], leaf: dict[str, Any]) -> str:
    target = leaf_target(leaf)
    if target.kind == "yes_no" and not target.expect_yes:
        return f"按是/否判断：未发生（{target.text}）得满分，否则得0分"
    if target.kind == "deadline":
        return f"按期限判断：在{target.deadline.text()}前完成得满分，否则得0分"  # type: ignore[union-attr]
    return "按是/否判断：是（按时/达成）得满分，否则得0分"


# deadlines -----------------------------------------------------------------

def deadline_met(target: Target, leaf: dict[str, Any]) -> bool:
    """Done by the deadline: an actual date compared with it, or 按时/提前/延期 words."""
    actual = leaf_actual(leaf)
    deadline = target.deadline
    assert deadline is not None
    if actual.kind == "date" and actual.date is not None:
        done = actual.date
        fiscal = leaf.get("fiscal_year")
        fallback = deadline.year or done.year or (int(fiscal) if str(fiscal or "").isdigit()
                                                  else None)
        done_year = done.year or fallback or 0
        due_year = deadline.year or done.year or fallback or 0
        if done.day is None or deadline.day is None:
            return (done_year, done.month) <= (due_year, deadline.month)
        return (done_year, done.month, done.day) <= (due_year, deadline.month, deadline.day)
    if actual.kind == "empty":
        raise Missing("实际完成值未填写")
    answer = yes_no(actual)
    if answer is None:
        raise Missing(f"实际完成值「{actual.text}」不是完成日期，也未说明是否按时完成")
    return answer


# target_ratio --------------------------------------------------------------

def compare_value(target: Target, leaf: dict[str, Any]) -> Decimal:
    """The actual expressed in the target's unit (synonyms and 元/万元 converted)."""
    actual = leaf_actual(leaf)
    if actual.kind == "empty":
        raise Missing("实际完成值未填写")
    if actual.kind != "number" or actual.value is None:
        raise Missing(f"实际完成值「{actual.text}」不是数字")
    value = convert(actual.value, actual.measure, target.measure)
    if value is None:
        raise Missing(f"实际完成值单位「{actual.unit}」与指标值单位「{target.unit}」不一致")
    _check_magnitude(target, actual, value, leaf)
    return value


def _check_magnitude(target: Target, actual: Actual, value: Decimal,
                     leaf: dict[str, Any]) -> None:
    """Flag an amount whose unit looks wrong (元 written for 万元, or the reverse)."""
    if target.value is None or target.value <= 0 or value <= 0 or actual.value is None:
        return
    money = [m for m in (target.measure, actual.measure) if m is not None]
    if not money or any(m.dimension != "money" for m in money):
        return
    ratio = value / target.value
    if ratio >= 1000 or ratio <= Decimal("0.001"):
        raw = actual.value / target.value
        if Decimal("0.05") <= raw <= 20 or Decimal("0.05") <= ratio / 10000 <= 20 \
                or Decimal("0.05") <= ratio * 10000 <= 20:
            flag(leaf, "money_magnitude",
                 f"实际完成值「{actual.text}」与年度指标值「{target.text}」相差约一万倍，"
                 f"金额单位（元/万元）疑似填写有误", "error")


def meets(target: Target, x: Decimal) -> bool:
    """True when ``x`` (in the target's unit) reaches the compare or range target."""
    t = target.value
    assert t is not None
    if target.kind == "range":
        assert target.high is not None
        return t <= x <= target.high
    return {
        ">=": x >= t, ">": x > t, "=": x == t, "<=": x <= t, "<": x < t,
    }[target.op or ">="]


_meets = meets


def _target_ratio(w: Decimal, p: Mapping[str, Any], leaf: dict[str, Any]) -> Decimal:
    target = leaf_target(leaf)
    if target.kind == "empty":
        raise Missing("未填写年度指标值")
    if target.kind == "text":
        raise Missing(f"年度指标值「{target.text}」不是可计算的数值")
    if target.kind in ("yes_no", "deadline"):
        return _yes_no_rule(w, p, leaf)
    actual = leaf_actual(leaf)
    if actual.kind in ("text", "yes", "no") and actual.tier == "达成" and yes_no(actual):
        # "达成预期指标" against "≥95%": the team states the target was met without a number.
        note(leaf, f"实际完成值「{actual.text}」未给出数值，按文字视为已达到年度指标值")
        flag(leaf, "actual_not_numeric",
             f"实际完成值「{actual.text}」未给出数值，无法核对是否达到「{target.text}」", "info")
        return w
    x = max(compare_value(target, leaf), ZERO)
    t = target.value
    assert t is not None
    if meets(target, x):
        return w
    if target.kind == "range":
        assert target.high is not None
        if x < t:
            return x / t * w if t > 0 else w
        return target.high / x * w if target.ceiling_by_name else w
    if target.op in (">=", ">"):
        return x / t * w if t > 0 else w
    if target.op in ("<=", "<"):
        return t / x * w if x > 0 else w
    # "=": the nearer to the target, the better, whichever side.
    low, high = min(x, t), max(x, t)
    return low / high * w if high > 0 else w


def _describe_target_ratio(w: Decimal, p: Mapping[str, Any], leaf: dict[str, Any]) -> str:
    target = leaf_target(leaf)
    if target.kind in ("yes_no", "deadline"):
        return _describe_yes_no(w, p, leaf)
    shown = f"（{target.text}）" if target.text else ""
    if target.kind == "range":
        return f"按区间目标{shown}计分：在区间内得满分，低于下限按实际完成值÷下限×分值计分"
    ceiling = "，成本类指标视为上限" if target.ceiling_by_name else ""
    if target.kind == "compare" and target.lower_is_better:
        return (f"按≤目标值比例计分：达到年度指标值{shown}得满分，未达到按指标值÷实际完成值"
                f"×分值计分{ceiling}")
    if target.kind == "compare" and target.op == "=":
        return f"等于年度指标值{shown}得满分，否则按较小值÷较大值×分值计分"
    return f"按≥目标值比例计分：达到年度指标值{shown}得满分，未达到按实际完成值÷指标值×分值计分"


# manual --------------------------------------------------------------------

_DEFAULT_TIERS = tuple({"name": name, "min": low, "max": high} for name, low, high in TIERS)


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


def manual_tier(p: Mapping[str, Any], leaf: dict[str, Any]) -> tuple[str, Decimal, Decimal]:
    """The tier of a qualitative leaf: named in the actual, chosen in ``params.tier``, or
    inferred from the actual's text ("达成预期指标", "基本完成", "效果不明显")."""
    tiers = _tiers(p)
    by_name = {t[0]: t for t in tiers}
    text = normalise(str(leaf.get("actual") or ""))
    if text in by_name:
        return by_name[text]
    if p["tier"] is not None:
        return by_name[p["tier"]]
    if text:
        target_text = normalise(str(leaf.get("target") or ""))
        inferred = "达成" if target_text and text == target_text else \
            leaf_actual({"actual": text}).tier
        if inferred is not None:
            found = _tier_by_standard_name(tiers, inferred)
            note(leaf, f"档次「{found[0]}」由实际完成值「{leaf.get('actual')}」推断")
            return found
        names = "、".join(f"「{t[0]}」" for t in tiers)
        raise Missing(
            f"实际完成值「{leaf.get('actual')}」未说明达成程度，须选择定性档次（{names}）")
    raise Missing("未选择定性评价档次（实际完成值未填写）")


def _tier_by_standard_name(tiers: list[tuple[str, Decimal, Decimal]],
                           name: str) -> tuple[str, Decimal, Decimal]:
    for tier in tiers:
        if tier[0] == name:
            return tier
    # Custom tier names: the 10号 tier of the same rank (best, middle, worst).
    rank = [t[0] for t in TIERS].index(name)
    if rank == 0:
        return tiers[0]
    if rank == len(TIERS) - 1:
        return tiers[-1]
    return tiers[len(tiers) // 2]


def _manual(w: Decimal, p: Mapping[str, Any], leaf: dict[str, Any]) -> Decimal:
    name, low, high = manual_tier(p, leaf)
    entered = optional_decimal(leaf.get("score"), "得分")
    if entered is None:
        raise Missing(
            f"定性指标（{name}）须由评价工作组在 {_fmt(quantize(low * w))}–"
            f"{_fmt(quantize(high * w))} 分之间评定得分，尚未填报得分")
    return min(max(entered, low * w), high * w)


def _describe_manual(w: Decimal, p: Mapping[str, Any], leaf: dict[str, Any]) -> str:
    try:
        name, low, high = manual_tier(p, leaf)
    except Missing:
        tiers = "，".join(
            f"{n}得分值的{_fmt(lo * HUNDRED)}%–{_fmt(hi * HUNDRED)}%" for n, lo, hi in _tiers(p))
        return f"定性评价：{tiers}"
    return (f"定性评价「{name}」，得分应在 {_fmt(quantize(low * w))}–"
            f"{_fmt(quantize(high * w))} 分之间")


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

def resolve_rule(rule: Any) -> tuple[str, _RuleSpec, dict[str, Any]]:
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
        raise ScoringError(f"评分规则「{RULE_LABELS[kind]}」的参数 params 必须是对象")
    unknown = sorted(set(raw) - set(spec.defaults))
    if unknown:
        allowed = "、".join(spec.defaults) or "无"
        raise ScoringError(
            f"评分规则「{RULE_LABELS[kind]}」不支持参数 {'、'.join(unknown)}"
            f"（可用参数：{allowed}）")
    params: dict[str, Any] = {**spec.defaults, **raw, "__explicit__": frozenset(raw)}
    for name in spec.decimal_params:
        params[name] = optional_decimal(
            params[name], f"评分规则「{RULE_LABELS[kind]}」的参数 {name}")
    try:
        spec.check(params)
    except ScoringError as exc:
        raise ScoringError(f"评分规则「{RULE_LABELS[kind]}」参数有误：{exc}") from None
    return kind, spec, params


#: The rule type that asks the engine to infer the rule from the target (see inference.py).
INFERRED_RULE = "auto"


def validate_rule(rule: Any) -> None:
    """Raise ScoringError (Chinese message) when ``rule`` is not a valid rule dict."""
    if isinstance(rule, Mapping) and rule.get("type") in ("not_applicable", INFERRED_RULE):
        return
    resolve_rule(rule)


def describe_rule(rule: Any, weight: Any = "1", leaf: dict[str, Any] | None = None) -> str:
    """A short Chinese description of ``rule`` for a leaf of ``weight``, as in explanations."""
    if isinstance(rule, Mapping) and rule.get("type") == "not_applicable":
        return "不适用"
    if isinstance(rule, Mapping) and rule.get("type") == INFERRED_RULE:
        from workflow_app.evaluations.scoring.inference import infer_rule

        rule, how = infer_rule(leaf or {})
        return f"{how}（未设置评分规则，按年度指标值推断）"
    _, spec, params = resolve_rule(rule)
    return spec.describe(to_decimal(weight, "分值"), params, leaf or {})


def rule_defaults(kind: str) -> Mapping[str, Any]:
    """The parameters of rule type ``kind`` with their defaults (``{}`` for an unknown type)."""
    spec = _RULES.get(kind)
    return dict(spec.defaults) if spec else {}


def rule_params(kind: str) -> list[tuple[str, str, str, str]]:
    """(name, label, unit, default) of each parameter of rule type ``kind`` that an editor
    shows (typed as a plain value); none for ``auto`` and ``not_applicable``."""
    if kind in (INFERRED_RULE, "not_applicable"):
        return []
    out = []
    for name, default in rule_defaults(kind).items():
        if name in HIDDEN_PARAMS:
            continue
        label, unit = PARAM_LABELS.get(name, (name, ""))
        out.append((name, label, unit, "" if default is None else str(default)))
    return out
