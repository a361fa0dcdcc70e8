"""The scores of an evaluation as the scoring engine sees them (derived, never stored).

`score_evaluation` is the contract other areas use. `build_scorecard` adds what the pages
need: the tree in display order with each node's codes, results and totals, so a template
never re-derives a score.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from workflow_app.evaluations.document import to_document
from workflow_app.evaluations.models import Evaluation, Indicator, TeamMember
from workflow_app.evaluations.scoring import (
    IndicatorResult,
    NodeResult,
    Problem,
    TreeResult,
    score_document,
)

# Fields of a leaf the editor may override when previewing scores (form names of the table).
PREVIEW_FIELDS = ("target", "actual", "score", "score_reason", "deviation_reason",
                  "not_applicable", "tier")


def load_options() -> list:
    """Loader options that fetch an evaluation's tree, evidence metadata and team in a few
    queries instead of one per indicator (scoring walks every node)."""
    from sqlalchemy.orm import selectinload

    return [
        selectinload(Evaluation.indicators).selectinload(Indicator.children),
        selectinload(Evaluation.indicators).selectinload(Indicator.evidence),
        selectinload(Evaluation.team).joinedload(TeamMember.user),
    ]


def load_tree(evaluation: Evaluation) -> Evaluation:
    """The evaluation with its tree, evidence and team loaded in a few queries, when only its
    row was (a read page whose body is remembered loads only the row). An object with unsaved
    changes is left as it is (its collections then load as they are walked)."""
    from sqlalchemy import inspect, select

    from workflow_app.extensions import db

    state = inspect(evaluation)
    if "indicators" in evaluation.__dict__ or not state.persistent or state.modified:
        return evaluation
    db.session.scalars(select(Evaluation).where(Evaluation.id == evaluation.id)
                       .options(*load_options())
                       .execution_options(populate_existing=True)).one()
    return evaluation


def ordered_indicators(evaluation: Evaluation) -> list[tuple[str, Indicator]]:
    """(position code, indicator) depth-first, in the order of the content document."""
    out: list[tuple[str, Indicator]] = []

    def visit(nodes: list[Indicator], prefix: str) -> None:
        for index, node in enumerate(nodes, 1):
            code = f"{prefix}{index}"
            out.append((code, node))
            visit(list(node.children), f"{code}.")

    roots = [i for i in evaluation.indicators if i.parent_id is None and i.parent is None]
    roots.sort(key=lambda i: (i.position, i.id or 0))
    visit(roots, "")
    return out


def indicator_ids(evaluation: Evaluation) -> dict[str, int]:
    """Position code → indicator id, in the order of ``ordered_indicators``: from the loaded
    tree, or else from one query of two columns (a read page whose body is remembered has
    not loaded the tree)."""
    if "indicators" in evaluation.__dict__:
        return {code: ind.id for code, ind in ordered_indicators(evaluation)}
    from workflow_app.evaluations.readcache import remembered

    # Ids change only with the tree, hence with the content version: remembered in reads.
    return remembered("indicator_ids", evaluation, lambda: _indicator_ids_from_rows(evaluation))


def _indicator_ids_from_rows(evaluation: Evaluation) -> dict[str, int]:
    from sqlalchemy import select

    from workflow_app.extensions import db

    children: dict[int | None, list[int]] = {}
    for id_, parent_id in db.session.execute(
            select(Indicator.id, Indicator.parent_id)
            .where(Indicator.evaluation_id == evaluation.id)
            .order_by(Indicator.position, Indicator.id)):
        children.setdefault(parent_id, []).append(id_)
    out: dict[str, int] = {}

    def visit(parent_id: int | None, prefix: str) -> None:
        for index, id_ in enumerate(children.get(parent_id, ()), 1):
            out[f"{prefix}{index}"] = id_
            visit(id_, f"{prefix}{index}.")

    visit(None, "")
    return out


def _copy_tree(nodes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**node, "children": _copy_tree(node["children"])} if node.get("children")
            else dict(node) for node in nodes]


def _leaf_dicts(nodes: list[dict[str, Any]]):
    for node in nodes:
        if node.get("children"):
            yield from _leaf_dicts(node["children"])
        else:
            yield node


def _preview_tier(leaf: dict[str, Any], value: Any) -> None:
    """A 定性 leaf's unsaved tier choice, as the rule param the engine reads."""
    rule = leaf.get("rule")
    if not isinstance(rule, dict) or rule.get("type") != "manual":
        return
    params = {k: v for k, v in dict(rule.get("params") or {}).items() if k != "tier"}
    tier = str(value or "").strip()
    if tier:
        params["tier"] = tier
    leaf["rule"] = {**rule, "params": params}


def score_evaluation(evaluation: Evaluation,
                     overrides: dict[int, dict[str, Any]] | None = None) -> TreeResult:
    """Entered and computed scores, totals, grades, flags and problems of the working copy.

    ``overrides`` (indicator id → leaf fields) scores unsaved form values without touching
    the rows: the editor's live preview.
    """
    if overrides:
        return score_document(document_with_overrides(evaluation, overrides))
    from workflow_app.evaluations.readcache import remembered

    return remembered("scores", evaluation, lambda: score_document(to_document(evaluation)))


def document_with_overrides(evaluation: Evaluation,
                            overrides: dict[int, dict[str, Any]] | None = None) -> dict[str, Any]:
    """The content document with unsaved leaf values (indicator id → fields) put in."""
    doc = to_document(evaluation)
    if overrides:
        # The stored document is shared by the read requests: the tree is copied (its nodes,
        # which get the unsaved values), what the nodes hold is not (nothing mutates it).
        doc = {**doc, "indicators": _copy_tree(doc["indicators"])}
        by_code = indicator_ids(evaluation)
        for leaf in _leaf_dicts(doc["indicators"]):
            new = overrides.get(by_code.get(leaf["code"]))
            if not new:
                continue
            for key in PREVIEW_FIELDS:
                if key == "tier" and key in new:
                    _preview_tier(leaf, new[key])
                    continue
                if key in new:
                    value = new[key]
                    if key == "not_applicable":
                        value = str(value).lower() in ("1", "true", "on", "yes")
                    elif key == "score":
                        value = str(value).strip() or None
                    leaf[key] = value
    return doc


@dataclass
class Row:
    """One indicator of the scoring table with its engine results."""

    code: str
    indicator: Indicator
    node: NodeResult | None
    leaf: IndicatorResult | None
    problems: list[Problem] = field(default_factory=list)

    @property
    def level(self) -> int:
        return self.code.count(".") + 1


@dataclass
class Scorecard:
    """The table of an evaluation: rows in order, the engine's result, problems by code."""

    result: TreeResult
    rows: list[Row]

    @property
    def tree_problems(self) -> list[Problem]:
        """Problems of the tree as a whole (weights not adding up, nothing applicable)."""
        return tree_problems(self.result)

    @property
    def level_totals(self) -> list[Row]:
        """First-level rows (their NodeResult holds the level's entered/computed sums)."""
        return [r for r in self.rows if r.level == 1]

    @property
    def leaf_weight_sum(self) -> Decimal:
        """Sum of the leaf weights (should equal the total weight)."""
        return sum((r.indicator.weight or Decimal(0) for r in self.rows
                    if r.indicator.is_leaf), Decimal(0))


@dataclass
class PreviewRow:
    """One indicator of the live preview: its id and the engine's results."""

    code: str
    indicator_id: int
    node: NodeResult | None
    leaf: IndicatorResult | None
    problems: list[Problem] = field(default_factory=list)


def preview_scores(evaluation: Evaluation, overrides: dict[int, dict[str, Any]]
                   ) -> tuple[TreeResult, list[PreviewRow]]:
    """The engine's result for the unsaved values and each indicator's row by id — from the
    content document and the indicator ids, without loading the tree's rows."""
    result = score_evaluation(evaluation, overrides)
    by_code = _problems_by_code(result)
    rows = [PreviewRow(code, id_, result.nodes.get(code), result.leaves.get(code),
                       by_code.get(code, []))
            for code, id_ in indicator_ids(evaluation).items()]
    return result, rows


def tree_problems(result: TreeResult) -> list[Problem]:
    """Problems of the tree as a whole (weights not adding up, nothing applicable)."""
    return [p for p in result.problems if not p.code]


def _problems_by_code(result: TreeResult) -> dict[str, list[Problem]]:
    by_code: dict[str, list[Problem]] = {}
    for problem in result.problems:
        by_code.setdefault(problem.code, []).append(problem)
    return by_code


def build_scorecard(evaluation: Evaluation,
                    overrides: dict[int, dict[str, Any]] | None = None) -> Scorecard:
    """Score the evaluation and pair every indicator with its results and problems."""
    result = score_evaluation(evaluation, overrides)
    by_code = _problems_by_code(result)
    rows = [Row(code, ind, result.nodes.get(code), result.leaves.get(code),
                by_code.get(code, []))
            for code, ind in ordered_indicators(evaluation)]
    return Scorecard(result, rows)
