"""The indicator tree and its totals: validation problems, node sums, honest totals.

Totals are exact sums of the leaf scores; when indicators are not applicable the sum is
rescaled in a single division and quantized once to 0.01 with ``ROUND_HALF_UP``. Node totals
(``TreeResult.nodes``) are the exact, *unscaled* sums of their applicable leaves.

The computed total is honest: it sums the leaves whose rule computed a score, and says how many
leaves are open (``needs_judgement``) instead of counting them as 0
(``TreeResult.computed_summary``: "系统计算 84，另有 3 项需人工判断").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from workflow_app.evaluations.scoring.funding import funding_rates
from workflow_app.evaluations.scoring.grades import PROJECT_2020, grade_for
from workflow_app.evaluations.scoring.indicator import (
    NEEDS_JUDGEMENT,
    IndicatorResult,
    is_not_applicable,
    score_indicator,
    target_missed,
)
from workflow_app.evaluations.scoring.numbers import (
    ONE,
    ZERO,
    ScoringError,
    optional_decimal,
    quantize,
    to_decimal,
)
from workflow_app.evaluations.scoring.numbers import format_decimal as _fmt
from workflow_app.evaluations.scoring.rules import validate_rule

MAX_DEPTH = 3


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
    Missing entered scores count as 0 in the entered total. The computed total sums only the
    leaves whose status is ``computed``: ``open`` (alias ``uncomputed``) lists the leaves that
    need a person's judgement, so a leaf that cannot be read is never a silent 0.
    ``flagged`` lists the leaves whose entered score differs from the computed one.
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

    @property
    def open(self) -> list[str]:
        """Codes of the leaves that need a person's judgement (no computed score)."""
        return self.uncomputed

    @property
    def open_count(self) -> int:
        """How many leaves the computed total leaves open."""
        return len(self.uncomputed)

    @property
    def computed_complete(self) -> bool:
        """True when every applicable leaf has a computed score."""
        return not self.uncomputed

    @property
    def computed_summary(self) -> str:
        """"系统计算 84，另有 3 项需人工判断" (or "系统计算 95.8" when nothing is open)."""
        head = f"系统计算 {_fmt(self.computed_total)}"
        if self.uncomputed:
            return f"{head}，另有 {len(self.uncomputed)} 项需人工判断"
        return head

    @property
    def open_reasons(self) -> list[tuple[str, str, str]]:
        """(code, name, Chinese reason) of every open leaf, in tree order."""
        return [(code, self.leaves[code].name, self.leaves[code].reason)
                for code in self.uncomputed if code in self.leaves]

    @property
    def flags(self) -> list[tuple[str, Any]]:
        """(code, Flag) of every engine flag on the leaves, in tree order."""
        return [(code, item) for code, leaf in self.leaves.items() for item in leaf.flags]


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
            value = optional_decimal(node.get("weight"), f"{_label(node, code)}的分值")
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
                  if not node.get("children") and not is_not_applicable(node)]
    if not applicable:
        problems.append(Problem("", "all_not_applicable", "所有指标均为不适用，无法计分"))
    return problems


def _check_leaf(node: Mapping[str, Any], code: str, weight: Decimal,
                problems: list[Problem]) -> None:
    label = _label(node, code)
    if is_not_applicable(node):
        return
    rule = node.get("rule")
    # No rule is not a problem: the engine infers one from the target (inference.py).
    if rule is not None:
        try:
            validate_rule(rule)
        except ScoringError as exc:
            problems.append(Problem(code, "rule", f"{label}：{exc}"))
    try:
        score = optional_decimal(node.get("score"), f"{label}的得分")
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


def score_tree(indicators: list[dict[str, Any]], total_weight: Any,
               grade_scheme: Mapping[str, Any],
               funding: Iterable[Mapping[str, Any]] | None = None,
               fiscal_year: Any = None) -> TreeResult:
    """Score a whole indicator tree (the ``indicators`` list of the content document).

    Returns per-leaf results and per-node totals keyed by position code ("2.1.4"), the entered
    and computed totals (rescaled for not-applicable leaves), their grades, and the problems of
    :func:`validate_tree` plus any rule errors. Invalid rules do not raise here: the leaf gets
    no computed score and a ``rule`` problem, so one bad leaf cannot hide the rest.
    ``funding`` (the document's funding rows) lets 预算执行率 / 资金到位率 be checked against
    the amounts; ``fiscal_year`` completes deadlines written without a year ("12月底前").
    """
    rates = funding_rates(funding)
    total = to_decimal(total_weight, "总分值")
    problems = validate_tree(indicators, total)
    result = TreeResult(total, ZERO, ZERO, "", "", ONE, problems=problems)
    rule_problem_codes = {p.code for p in problems if p.kind in ("rule", "weight", "score_format")}

    def visit(node: Mapping[str, Any], code: str, level: int,
              context: str = "") -> tuple[Decimal, Decimal, Decimal]:
        """Return (applicable weight, entered sum, computed sum) of the subtree."""
        children = node.get("children") or []
        name = str(node.get("name") or "")
        if children:
            inner = f"{context} {name}".strip()
            sums = [visit(child, f"{code}.{i}", level + 1, inner)
                    for i, child in enumerate(children, 1)]
            weight_sum = sum((s[0] for s in sums), ZERO)
            entered = sum((s[1] for s in sums), ZERO)
            computed = sum((s[2] for s in sums), ZERO)
            try:
                stated = optional_decimal(node.get("weight"), "分值")
            except ScoringError:
                stated = None
            result.nodes[code] = NodeResult(code, name, level, stated, entered, computed, False)
            return weight_sum, entered, computed
        leaf = {**node, "code": code, "_context": context}
        if fiscal_year is not None and "fiscal_year" not in leaf:
            leaf["fiscal_year"] = fiscal_year
        try:
            res = score_indicator(leaf, rates)
        except ScoringError as exc:
            if code not in rule_problem_codes:
                result.problems.append(Problem(code, "rule", f"{_label(node, code)}：{exc}"))
            res = IndicatorResult(code, name, ZERO, None, None, False, str(exc),
                                  status=NEEDS_JUDGEMENT, reason=str(exc))
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
        result.entered_total = quantize(entered * total / applicable)
        result.computed_total = quantize(computed * total / applicable)
    else:
        result.entered_total = quantize(entered)
        result.computed_total = quantize(computed)
    result.entered_grade = grade_for(result.entered_total, grade_scheme)
    result.computed_grade = grade_for(result.computed_total, grade_scheme)
    return result


def score_document(doc: Mapping[str, Any]) -> TreeResult:
    """Score a whole content document: ``score_tree`` on its indicators, total and scheme."""
    return score_tree(doc.get("indicators") or [], doc.get("total_weight", "100"),
                      doc.get("grade_scheme") or PROJECT_2020, doc.get("funding"),
                      doc.get("fiscal_year"))
