"""A rule that follows the target: infer a leaf's rule when none is set, and flag a chosen
rule that contradicts its target.

The inferred rule is named in the explanation ("按≥目标值比例计分", "按期限判断"), so a
reader knows the system chose it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from workflow_app.evaluations.scoring import spellings as sp
from workflow_app.evaluations.scoring.funding import rate_kind
from workflow_app.evaluations.scoring.grammar import Target, normalise
from workflow_app.evaluations.scoring.rules import leaf_target

#: Rule types that reward a higher actual, and those that reward a lower one.
HIGHER_RULES = frozenset({"band_higher", "rate", "satisfaction"})
LOWER_RULES = frozenset({"band_lower", "steps", "over_cap"})

AUTO = "auto"


def wants_inference(rule: Any) -> bool:
    """True when the leaf has no explicit rule (None, or ``{"type": "auto"}``)."""
    return rule is None or (isinstance(rule, Mapping) and rule.get("type") == AUTO)


def infer_rule(leaf: Mapping[str, Any]) -> tuple[dict[str, Any], str]:
    """(rule dict, Chinese name of the inference) for a leaf without an explicit rule."""
    target = leaf_target(leaf)
    name = normalise(str(leaf.get("name") or ""))
    if target.kind == "deadline":
        return {"type": "yes_no"}, "按期限判断"
    if target.kind == "yes_no":
        return {"type": "yes_no"}, "按是/否判断"
    if target.kind in ("compare", "range"):
        if any(word in name for word in sp.SATISFACTION_NAME_WORDS) and target.is_percent \
                and target.direction == "higher":
            return {"type": "satisfaction"}, "按满意度分档计分（满分线取本指标年度指标值）"
        if target.kind == "range":
            return {"type": "target_ratio"}, "按区间目标计分"
        if target.direction == "lower":
            return {"type": "target_ratio"}, "按≤目标值比例计分"
        if target.direction == "exact":
            return {"type": "target_ratio"}, "按等于目标值比例计分"
        return {"type": "target_ratio"}, "按≥目标值比例计分"
    if target.kind == "empty" and rate_kind(name):
        return {"type": "rate"}, "按完成率计分"
    return {"type": "manual"}, "按定性评价三档（达成/部分达成/未达成）计分"


def contradiction(rule_type: str, target: Target) -> str | None:
    """A Chinese message when an explicit rule contradicts the leaf's target, else None."""
    shown = f"「{target.text}」"
    if rule_type in HIGHER_RULES and target.direction == "lower":
        return f"评分规则按“越高越好”计分，但年度指标值{shown}是上限（越低越好）"
    if rule_type in LOWER_RULES and target.direction == "higher" and not target.implicit:
        return f"评分规则按“越低越好”计分，但年度指标值{shown}是下限（越高越好）"
    if rule_type == "yes_no" and target.kind in ("compare", "range") and not (
            target.value is not None and target.value <= 1 and not target.unit):
        return f"评分规则按是/否计分，但年度指标值{shown}是数值目标"
    if rule_type == "manual" and target.kind in ("compare", "range", "deadline"):
        return f"评分规则为定性评价，但年度指标值{shown}可按数值或期限计算"
    return None
