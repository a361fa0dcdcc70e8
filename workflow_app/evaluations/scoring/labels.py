"""The Chinese names of the rule types and of their parameters: one table each, read by the
editors (template tree, indicator page), the model's ``RuleType.label`` and the scoring
engine's error messages, so a rule is called the same everywhere."""

from __future__ import annotations

#: Rule type → its name, in the order of the package docstring.
RULE_LABELS: dict[str, str] = {
    "band_higher": "区间计分（越高越好）",
    "band_lower": "区间计分（越低越好）",
    "steps": "分档扣分",
    "over_cap": "超限扣分",
    "rate": "完成率法",
    "deductions": "逐项扣分",
    "per_miss": "按次扣分",
    "satisfaction": "满意度分档",
    "yes_no": "是否达成",
    "target_ratio": "目标比例法",
    "manual": "定性评价",
}

#: Every rule parameter in words, with the unit it is typed in.
PARAM_LABELS: dict[str, tuple[str, str]] = {
    "full_at": ("满分线", "%"),
    "zero_at": ("零分线", "%"),
    "zero_below": ("低于此值得0分", "%"),
    "step": ("每档", "个百分点"),
    "step_cost": ("每档扣分值的比例", "（0.1 即十分之一）"),
    "step_deduct": ("每档扣分", "分"),
    "cap": ("上限", "%"),
    "deduct": ("每项扣分", "分"),
    "deduct_fraction": ("每项扣分值的比例", "（0.1 即十分之一）"),
    "tier": ("评价档次", "达成 / 部分达成 / 未达成"),
}

#: Parameters that are not typed as a plain value (lists, internal markers).
HIDDEN_PARAMS = frozenset({"tiers", "__explicit__"})
