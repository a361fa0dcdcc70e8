"""Pure scoring engine for performance self-evaluations (绩效自评评分引擎).

No Flask, no SQLAlchemy: this package takes the ``indicators`` tree of the content document
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

Package layout
--------------
``spellings``  the tables of how reports write operators, units, dates, yes/no and tiers (data);
``grammar``    parse_target / parse_actual over those tables; ``numbers`` exact decimals;
``rules``      one function per rule type; ``inference`` a rule from the target when none is
set, and contradictions; ``funding`` rates from the funding table; ``indicator`` one leaf
(status, score, flags); ``tree`` validation and honest totals; ``grades`` grade schemes;
``labels`` the Chinese names of rule types and parameters.

Statuses
--------
Every leaf has ``status`` (``computed_status`` in the API): ``computed``, ``needs_judgement``
(``reason`` says why, in Chinese: qualitative with no tier, unreadable target or actual, units
that do not compare) or ``not_applicable``. ``computed`` is None unless computed; the computed
total sums computed leaves only and ``TreeResult.computed_summary`` says how many are open.
A leaf without a rule (``None`` or ``{"type": "auto"}``) gets one inferred from its target,
named in the explanation ("按≥目标值比例计分", "按期限判断").

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

from workflow_app.evaluations.scoring.funding import funding_rates
from workflow_app.evaluations.scoring.grades import PROJECT_2020, UNIT_WHOLE, grade_for
from workflow_app.evaluations.scoring.grammar import (
    Actual,
    Target,
    infer_tier,
    parse_actual,
    parse_target,
)
from workflow_app.evaluations.scoring.indicator import (
    COMPUTED,
    NEEDS_JUDGEMENT,
    NOT_APPLICABLE,
    STATUS_LABELS,
    Flag,
    IndicatorResult,
    score_indicator,
    target_missed,
)
from workflow_app.evaluations.scoring.inference import infer_rule
from workflow_app.evaluations.scoring.numbers import QUANT, ScoringError, format_decimal, to_decimal
from workflow_app.evaluations.scoring.rules import (
    INFERRED_RULE,
    RULE_TYPES,
    describe_rule,
    validate_rule,
)
from workflow_app.evaluations.scoring.tree import (
    NodeResult,
    Problem,
    TreeResult,
    score_document,
    score_tree,
    validate_tree,
)

__all__ = [
    "Actual",
    "COMPUTED",
    "Flag",
    "INFERRED_RULE",
    "IndicatorResult",
    "NEEDS_JUDGEMENT",
    "NOT_APPLICABLE",
    "NodeResult",
    "PROJECT_2020",
    "Problem",
    "QUANT",
    "RULE_TYPES",
    "STATUS_LABELS",
    "ScoringError",
    "Target",
    "TreeResult",
    "UNIT_WHOLE",
    "describe_rule",
    "format_decimal",
    "funding_rates",
    "grade_for",
    "infer_rule",
    "infer_tier",
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
