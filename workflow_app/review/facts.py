"""What the tables of a document say, computed once for all checks: the indicator tree's
counts, weights and entered scores, the funding totals and rates, the sub-project and expense
sums, the satisfaction results, the total and the grade.

The scores and grade come from the scoring engine's public functions
(``workflow_app.evaluations.scoring``); the review never re-implements a rule.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import Any

from workflow_app.review.numbers import decimal_or_none, percent
from workflow_app.review.text import Passage, normalise, passages

ZERO = Decimal(0)


@dataclass(frozen=True)
class Node:
    """One indicator of the tree, flattened."""

    code: str
    level: int
    name: str
    data: Mapping[str, Any]
    is_leaf: bool
    weight: Decimal | None
    score: Decimal | None  # the team's: a leaf's score, or the sum of a node's leaves


def _walk(nodes: Any, prefix: str = "", level: int = 1) -> Iterator[tuple[str, int, Mapping]]:
    for index, node in enumerate(nodes if isinstance(nodes, list) else [], 1):
        if not isinstance(node, Mapping):
            continue
        code = f"{prefix}{index}"
        yield code, level, node
        yield from _walk(node.get("children") or [], f"{code}.", level + 1)


def name_key(name: str) -> str:
    """An indicator name as text mentions it: normalised, without quotes or a trailing
    parenthesised unit ("满意度(%)"). A trailing 指标 stays: "数量" alone is too common a word."""
    key = normalise(name).strip("“”\"'「」")
    return re.sub(r"\([^()]*\)$", "", key)


@dataclass
class Facts:
    """The tables of one document, for the checks."""

    doc: Mapping[str, Any]
    nodes: list[Node] = field(default_factory=list)
    _shared: dict[str, list] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        entered = self._entered_by_code()
        for code, level, data in _walk(self.doc.get("indicators") or []):
            leaf = not data.get("children")
            weight = decimal_or_none(data.get("weight"))
            if leaf:
                score = decimal_or_none(data.get("score"))
            else:
                score = entered.get(code)
                if weight is None:
                    weight = self._sum_leaf_weights(code, data)
            self.nodes.append(Node(code, level, str(data.get("name") or ""), data, leaf,
                                   weight, score))

    # -- the narrative, read once for every check
    @cached_property
    def passages(self) -> list[Passage]:
        """Every narrative passage of the document, normalised (``text.passages``)."""
        return list(passages(self.doc))

    def shared(self, name: str, build: Callable[[], Iterable[Any]]) -> list[Any]:
        """What ``build()`` yields, computed once per document: several checks walk the same
        mentions of indicators and the same amounts in the text."""
        if name not in self._shared:
            self._shared[name] = list(build())
        return self._shared[name]

    # -- scoring (through the engine's public functions)
    @cached_property
    def scoring(self) -> Any:
        """The engine's TreeResult, or None when the tree cannot be scored at all."""
        from workflow_app.evaluations import scoring

        try:
            return scoring.score_document(self.doc)
        except (scoring.ScoringError, TypeError, ValueError, ArithmeticError):
            return None

    def _entered_by_code(self) -> dict[str, Decimal]:
        result = self.scoring
        nodes = getattr(result, "nodes", None) or {}
        return {code: node.entered for code, node in nodes.items()
                if getattr(node, "entered", None) is not None}

    def _sum_leaf_weights(self, code: str, data: Mapping[str, Any]) -> Decimal | None:
        total = ZERO
        for _, _, child in _walk(data.get("children") or []):
            if not child.get("children"):
                value = decimal_or_none(child.get("weight"))
                if value is None:
                    return None
                total += value
        return total

    @property
    def entered_total(self) -> Decimal | None:
        """The team's total (sum of the leaf scores, rescaled for 不适用), or None."""
        return getattr(self.scoring, "entered_total", None)

    @property
    def entered_grade(self) -> str:
        """The grade of the team's total under the document's scheme."""
        return str(getattr(self.scoring, "entered_grade", "") or "")

    @property
    def total_weight(self) -> Decimal | None:
        return decimal_or_none(self.doc.get("total_weight"))

    @property
    def grade_names(self) -> list[str]:
        scheme = self.doc.get("grade_scheme") or {}
        bands = scheme.get("bands") if isinstance(scheme, Mapping) else None
        return [str(b.get("name")) for b in bands or [] if isinstance(b, Mapping)]

    @property
    def grade_bands(self) -> list[tuple[str, Decimal]]:
        scheme = self.doc.get("grade_scheme") or {}
        out = []
        for band in (scheme.get("bands") if isinstance(scheme, Mapping) else None) or []:
            if isinstance(band, Mapping) and decimal_or_none(band.get("min")) is not None:
                out.append((str(band.get("name")), decimal_or_none(band.get("min"))))
        return out

    # -- the tree
    @property
    def leaves(self) -> list[Node]:
        return [n for n in self.nodes if n.is_leaf]

    def count_at(self, level: int) -> int:
        """How many indicators the tree has at this level."""
        return sum(1 for n in self.nodes if n.level == level)

    @cached_property
    def by_name(self) -> dict[str, list[Node]]:
        """Indicators by the key text uses to name them (several nodes may share one)."""
        out: dict[str, list[Node]] = {}
        for node in self.nodes:
            key = name_key(node.name)
            if len(key) >= 2:
                out.setdefault(key, []).append(node)
        return out

    # -- money (万元)
    def _rows(self, key: str) -> list[Mapping[str, Any]]:
        rows = self.doc.get(key)
        return [r for r in rows if isinstance(r, Mapping)] if isinstance(rows, list) else []

    @property
    def funding(self) -> list[Mapping[str, Any]]:
        return self._rows("funding")

    @property
    def expenses(self) -> list[Mapping[str, Any]]:
        return self._rows("expenses")

    @property
    def sub_projects(self) -> list[Mapping[str, Any]]:
        return self._rows("sub_projects")

    def funding_total(self, column: str) -> Decimal | None:
        """The sum of one funding column; None when no row has a value."""
        values = [decimal_or_none(r.get(column)) for r in self.funding]
        values = [v for v in values if v is not None]
        return sum(values, ZERO) if values else None

    def column_sum(self, rows: list[Mapping[str, Any]], column: str) -> Decimal | None:
        values = [decimal_or_none(r.get(column)) for r in rows]
        values = [v for v in values if v is not None]
        return sum(values, ZERO) if values else None

    @property
    def execution_rate(self) -> Decimal | None:
        """预算执行率 = spent ÷ planned (调整后) × 100."""
        return percent(self.funding_total("spent"), self.funding_total("planned"))

    @property
    def arrival_rate(self) -> Decimal | None:
        """资金到位率 = arrived ÷ planned × 100."""
        return percent(self.funding_total("arrived"), self.funding_total("planned"))

    def money_figures(self) -> dict[str, list[Decimal]]:
        """Every amount of the tables by what it is, for matching quoted amounts."""
        figures: dict[str, list[Decimal]] = {"initial": [], "planned": [], "arrived": [],
                                             "spent": []}
        for column in figures:
            total = self.funding_total(column)
            if total is not None:
                figures[column].append(total)
            for row in self.funding:
                value = decimal_or_none(row.get(column))
                if value is not None:
                    figures[column].append(value)
        for column, kind in (("budget", "planned"), ("executed", "spent")):
            total = self.column_sum(self.sub_projects, column)
            if total is not None:
                figures[kind].append(total)
        total = self.column_sum(self.expenses, "actual")
        if total is not None:
            figures["spent"].append(total)
        return figures

    def all_money(self) -> list[Decimal]:
        """Every non-zero amount of any table (funding, expenses, sub-projects)."""
        values = [v for vs in self.money_figures().values() for v in vs]
        for rows, columns in ((self.expenses, ("planned", "actual")),
                              (self.sub_projects, ("budget", "executed", "returned"))):
            for row in rows:
                values += [decimal_or_none(row.get(c)) for c in columns]
        return [v for v in values if v]

    # -- results
    @cached_property
    def satisfaction(self) -> list[tuple[Node, Decimal]]:
        """(leaf, percentage) of every satisfaction indicator with a readable actual."""
        out = []
        for node in self.leaves:
            if "满意" not in node.name:
                continue
            match = re.search(r"(\d+(?:\.\d+)?)\s*%", normalise(str(node.data.get("actual") or "")))
            if match:
                out.append((node, Decimal(match.group(1))))
        return out
