"""The indicators' own cells: the same target text copied onto unrelated indicators, a missed
target without a 偏差原因, a score below the weight without any reason."""

from __future__ import annotations

import re
from collections.abc import Iterator

from workflow_app.review.facts import Facts
from workflow_app.review.findings import Finding, Severity, error, warning
from workflow_app.review.text import normalise

# Targets many unrelated indicators share on purpose: a bare rate, a yes/no, a tier word.
_GENERIC_TARGET = re.compile(
    r"^(?:[≥≤><=]*\d+(?:\.\d+)?%?|是|否|达成|完成|按时完成|达成预期指标|达到预期|效果明显|"
    r"有所提升|显著提升|100%|合格|优良|良好|满意|较满意|基本满意)$")
_CJK = re.compile(r"[\u4e00-\u9fff]")


def copied_target_text(facts: Facts) -> Iterator[Finding]:
    """The same descriptive target stands on indicators with different names: usually a row
    copied and not edited."""
    by_target: dict[str, list] = {}
    for node in facts.leaves:
        target = normalise(str(node.data.get("target") or "")).strip("。")
        if len(_CJK.findall(target)) < 6 or _GENERIC_TARGET.match(target):
            continue
        by_target.setdefault(target, []).append(node)
    for target, nodes in by_target.items():
        names = {n.name for n in nodes}
        parents = {n.code.rsplit(".", 1)[0] for n in nodes}
        if len(names) < 2 or len(parents) < 2 and len(nodes) < 3:
            continue
        if any(normalise(n.name) in target or target in normalise(n.name) for n in nodes):
            continue  # the target restates its own indicator's name (as seed 001's 质量指标)
        listed = "、".join(f"{n.code}「{n.name}」" for n in nodes)
        for node in nodes:
            yield warning("copied_target_text",
                          f"指标 {node.code}「{node.name}」的年度指标值“{target}”与 {listed} "
                          f"完全相同，请确认不是复制后未修改。", "indicators", node.code)


def missed_target_without_reason(facts: Facts) -> Iterator[Finding]:
    """A leaf that missed its target has no 偏差原因分析."""
    from workflow_app.evaluations import scoring

    for node in facts.leaves:
        if node.data.get("not_applicable") or str(node.data.get("deviation_reason") or "").strip():
            continue
        try:
            missed = scoring.target_missed(node.data)
        except (scoring.ScoringError, TypeError, ValueError, ArithmeticError):
            continue
        if missed:
            yield error("missed_target_without_reason",
                        f"指标 {node.code}「{node.name}」"
                        f"未达到年度指标值“{node.data.get('target')}”"
                        f"（实际完成值“{node.data.get('actual')}”），须填写偏差原因分析及改进措施。",
                        "indicators", node.code)


def score_below_weight_without_reason(facts: Facts) -> Iterator[Finding]:
    """A leaf scored below its weight with neither a 扣分理由 nor a 偏差原因."""
    for node in facts.leaves:
        data = node.data
        if data.get("not_applicable") or node.score is None or node.weight is None:
            continue
        if node.score < node.weight and not (str(data.get("score_reason") or "").strip()
                                             or str(data.get("deviation_reason") or "").strip()):
            yield warning("score_below_weight_without_reason",
                          f"指标 {node.code}「{node.name}」"
                          f"得分 {node.score.normalize():f} 低于分值 "
                          f"{node.weight.normalize():f}，未写扣分理由或偏差原因。",
                          "indicators", node.code)


# Engine flags the review checks itself, with its own rules for which indicators they cover
# (a 政府采购执行率 is not the budget's execution rate).
_OWN_CHECKS = frozenset({"rate_differs_from_funding"})


def scoring_engine_flags(facts: Facts) -> Iterator[Finding]:
    """What the scoring engine noticed on a leaf (a rule that contradicts its target, a rate
    that differs from its amounts, an amount whose magnitude looks wrong …), as findings."""
    for code, flag in getattr(facts.scoring, "flags", None) or []:
        if getattr(flag, "code", "") in _OWN_CHECKS:
            continue
        try:
            severity = Severity(getattr(flag, "severity", "warning"))
        except ValueError:
            severity = Severity.WARNING
        # The engine's notes never block on their own: the review's checks own the errors.
        if severity == Severity.ERROR:
            severity = Severity.WARNING
        yield Finding(str(getattr(flag, "code", "") or "scoring_flag"), severity,
                       str(getattr(flag, "message", "")), "indicators", str(code))
