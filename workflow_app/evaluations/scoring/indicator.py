"""One third-level indicator: its rule (explicit or inferred), status, score and flags."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from workflow_app.evaluations.scoring import spellings as sp
from workflow_app.evaluations.scoring.funding import RATE_LABELS, rate_kind
from workflow_app.evaluations.scoring.grammar import yes_no
from workflow_app.evaluations.scoring.inference import contradiction, infer_rule, wants_inference
from workflow_app.evaluations.scoring.numbers import (
    ZERO,
    ScoringError,
    clamp,
    optional_decimal,
    quantize,
    to_decimal,
)
from workflow_app.evaluations.scoring.numbers import format_decimal as _fmt
from workflow_app.evaluations.scoring.rules import (
    Missing,
    compare_value,
    leaf_actual,
    leaf_target,
    meets,
    resolve_rule,
)

COMPUTED = "computed"
NEEDS_JUDGEMENT = "needs_judgement"
NOT_APPLICABLE = "not_applicable"
#: The statuses of a leaf, with their Chinese labels.
STATUS_LABELS = {COMPUTED: "已计算", NEEDS_JUDGEMENT: "需人工判断", NOT_APPLICABLE: "不适用"}


@dataclass(frozen=True)
class Flag:
    """Something the engine noticed on a leaf, for the consistency review: a ``code`` for
    programs, ``severity`` (error / warning / info) and a Chinese ``message``."""

    code: str
    severity: str
    message: str


@dataclass(frozen=True)
class IndicatorResult:
    """The scoring of one leaf.

    ``status`` is ``computed``, ``needs_judgement`` (``reason`` says why, in Chinese) or
    ``not_applicable``; ``computed`` is the rule's score and is None unless computed — a leaf
    that cannot be read is open, never 0. ``entered`` is the team's score, ``flagged`` tells
    both exist and differ. ``rule_type`` is the rule used; ``inferred`` names the inference
    when the leaf had no explicit rule. ``flags`` are the engine's findings on the leaf.
    """

    code: str
    name: str
    weight: Decimal
    computed: Decimal | None
    entered: Decimal | None
    flagged: bool
    explanation: str
    not_applicable: bool = False
    status: str = COMPUTED
    reason: str = ""
    rule_type: str = ""
    inferred: str = ""
    tier: str | None = None
    flags: tuple[Flag, ...] = field(default_factory=tuple)

    @property
    def difference(self) -> Decimal | None:
        """entered − computed, when both exist."""
        if self.computed is None or self.entered is None:
            return None
        return self.entered - self.computed

    @property
    def computed_status(self) -> str:
        """Alias of ``status`` under the name the API uses."""
        return self.status

    @property
    def status_label(self) -> str:
        """已计算 / 需人工判断 / 不适用."""
        return STATUS_LABELS[self.status]


def is_not_applicable(leaf: Mapping[str, Any]) -> bool:
    """The leaf is dropped from scoring (不适用)."""
    rule = leaf.get("rule")
    return bool(leaf.get("not_applicable")) or (
        isinstance(rule, Mapping) and rule.get("type") == "not_applicable")


def _funding_check(work: dict[str, Any], rates: Mapping[str, Decimal] | None) -> None:
    """预算执行率 / 资金到位率: fill a blank actual from the funding table, flag a differing one."""
    kind = rate_kind(work.get("name"))
    if not rates or kind is None or kind not in rates:
        return
    rate = rates[kind]
    actual = leaf_actual(work)
    if actual.kind == "empty":
        work["actual"] = f"{_fmt(rate)}%"
        work["_notes"].append(f"实际完成值按资金表计算：{RATE_LABELS[kind]} {_fmt(rate)}%")
        return
    percent = actual.unit == "" or (actual.measure and actual.measure.dimension == "percent")
    if (actual.kind == "number" and actual.value is not None and percent
            and abs(actual.value - rate) > sp.RATE_TOLERANCE):
        work["_flags"].append((
            "rate_differs_from_funding", "error",
            f"填报的{work.get('name')}「{actual.text}」与资金表计算的{RATE_LABELS[kind]}"
            f" {_fmt(rate)}% 不一致"))


def score_indicator(leaf: dict[str, Any],
                    funding_rates: Mapping[str, Decimal] | None = None) -> IndicatorResult:
    """Score one third-level indicator (a leaf dict as in docs/evaluation-schema.md).

    A leaf without a rule (or with ``{"type": "auto"}``) gets one inferred from its target.
    ``funding_rates`` (see ``funding.funding_rates``) lets 预算执行率 / 资金到位率 be checked
    against the amounts. Raises ScoringError for an invalid weight, entered score or rule; a
    missing or unreadable actual or target is not an error: the status is
    ``needs_judgement`` and the reason says why.
    """
    code = str(leaf.get("code") or "")
    name = str(leaf.get("name") or "")
    label = f"指标「{name}」" if name else "指标"
    weight = to_decimal(leaf.get("weight"), f"{label}的分值")
    if weight < 0:
        raise ScoringError(f"{label}的分值不能为负数")
    entered = optional_decimal(leaf.get("score"), f"{label}的得分")
    if is_not_applicable(leaf):
        return IndicatorResult(code, name, weight, None, entered, False,
                               "不适用：已从评分中剔除，其余指标按比例折算", True,
                               status=NOT_APPLICABLE)
    rule = leaf.get("rule")
    inferred = ""
    if wants_inference(rule):
        rule, inferred = infer_rule(leaf)
    kind, spec, params = resolve_rule(rule)
    work: dict[str, Any] = {**leaf, "_notes": [], "_flags": []}
    _funding_check(work, funding_rates)
    if not inferred:
        message = contradiction(kind, leaf_target(work))
        if message:
            work["_flags"].append(("rule_contradicts_target", "warning", f"{label}：{message}"))
    description = spec.describe(weight, params, work)
    rule_text = f"推断的评分规则（{description}）" if inferred else f"评分规则（{description}）"
    tier = None
    try:
        computed = clamp(quantize(spec.compute(weight, params, work)), weight)
        if kind == "manual":
            tier = _tier_of(params, work)
    except Missing as missing:
        reason = str(missing)
        if kind == "manual" and not inferred:
            # The editor's default rule is 定性: say which rule the target itself suggests.
            suggested, how = infer_rule(work)
            if suggested["type"] != "manual":
                reason += f"；年度指标值「{work.get('target')}」可{how}，可在指标页改选评分规则"
        explanation = f"{reason}，无法按{rule_text}计算得分"
        if inferred:
            explanation = f"未设置评分规则；{explanation}"
        if entered is not None:
            explanation += f"；填报得分 {_fmt(entered)} 分"
        return _result(code, name, weight, None, entered, False, explanation, work,
                       status=NEEDS_JUDGEMENT, reason=reason, rule_type=kind,
                       inferred=inferred)
    notes = "".join(f"（{n}）" for n in work["_notes"])
    head = f"按{rule_text}计算得 {_fmt(computed)} 分{notes}"
    if inferred:
        head = f"未设置评分规则，{head}"
    if entered is None:
        explanation, flagged = f"{head}，尚未填报得分", False
    elif entered == computed:
        explanation, flagged = f"{head}，与填报得分一致", False
    else:
        gap = abs(entered - computed)
        explanation = f"{head}，填报得分 {_fmt(entered)} 分，相差 {_fmt(gap)} 分"
        flagged = True
        code_ = "score_outside_tier" if kind == "manual" else "score_differs"
        work["_flags"].append((code_, "warning", f"{label}：{explanation}"))
    return _result(code, name, weight, computed, entered, flagged, explanation, work,
                   rule_type=kind, inferred=inferred, tier=tier)


def _tier_of(params: Mapping[str, Any], work: dict[str, Any]) -> str | None:
    from workflow_app.evaluations.scoring.rules import manual_tier

    try:
        return manual_tier(params, {**work, "_notes": []})[0]
    except Missing:
        return None


def _result(code: str, name: str, weight: Decimal, computed: Decimal | None,
            entered: Decimal | None, flagged: bool, explanation: str, work: dict[str, Any],
            **extra: Any) -> IndicatorResult:
    flags = tuple(Flag(c, s, m) for c, s, m in work["_flags"])
    return IndicatorResult(code, name, weight, computed, entered, flagged, explanation,
                           flags=flags, **extra)


def target_missed(leaf: Mapping[str, Any]) -> bool:
    """True when the leaf's target is readable, its actual is readable, and the target is missed."""
    target = leaf_target(leaf)
    actual = leaf_actual(leaf)
    work = {**leaf, "_notes": [], "_flags": []}
    if target.kind == "yes_no":
        answer = yes_no(actual)
        if not target.expect_yes and actual.kind == "number":
            return actual.value != ZERO
        return answer is not None and answer != target.expect_yes
    if target.kind == "deadline":
        from workflow_app.evaluations.scoring.rules import deadline_met

        try:
            return not deadline_met(target, work)
        except Missing:
            return False
    if target.kind not in ("compare", "range") or actual.kind != "number":
        return False
    try:
        value = compare_value(target, work)
    except Missing:
        return False
    return not meets(target, value)
