"""An indicator template's tree as the rows of the administrator's tree editor, and back.

The editor shows the tree as one row per indicator, in reading order, each with its level
(一级/二级/三级): a row's parent is the nearest row above it one level up. Leaves carry the
description, scoring standard, target and the rule, whose parameters are named in Chinese
words (满分线、零分线 …) rather than as JSON. Pure functions: no Flask, no session.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from workflow_app.evaluations.models.indicators import RULE_LABELS, RuleType
from workflow_app.evaluations.scoring import INFERRED_RULE, ScoringError, format_decimal
from workflow_app.evaluations.scoring.labels import HIDDEN_PARAMS
from workflow_app.evaluations.scoring.rules import resolve_rule, rule_params

LEVEL_NAMES = {1: "一级指标", 2: "二级指标", 3: "三级指标"}

# The rule types a template may choose, with their Chinese names; "auto" lets the engine
# infer the rule from the target (named in the explanation).
RULE_CHOICES: list[tuple[str, str]] = [
    (INFERRED_RULE, "按指标值自动判断"),
    *((t.value, RULE_LABELS[t]) for t in RuleType),
    ("not_applicable", "不适用"),
]


_LEAF_TEXTS = ("description", "standard", "target")
MAX_ROWS = 600


def all_rule_params() -> dict[str, list[tuple[str, str, str, str]]]:
    """``rule_params`` for every rule type (the editor shows the right ones per type)."""
    return {value: rule_params(value) for value, _ in RULE_CHOICES}


def tree_to_rows(tree: list[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The rows of the editor for ``tree`` (reading order, each with its level)."""
    rows: list[dict[str, Any]] = []

    def walk(nodes: list[Mapping[str, Any]], level: int) -> None:
        for node in nodes:
            children = node.get("children") or []
            rule = node.get("rule") or {}
            row = {"level": level, "name": str(node.get("name") or ""),
                   "weight": "" if node.get("weight") is None else str(node.get("weight")),
                   "leaf": not children,
                   "rule_type": str(rule.get("type") or (INFERRED_RULE if not children else "")),
                   "params": {k: str(v) for k, v in (rule.get("params") or {}).items()
                              if k not in HIDDEN_PARAMS}}
            for key in _LEAF_TEXTS:
                row[key] = str(node.get(key) or "")
            rows.append(row)
            walk(children, level + 1)

    walk(list(tree), 1)
    return rows


def rows_from_form(form: Mapping[str, Any]) -> list[dict[str, Any]] | None:
    """The rows posted by the editor (``nodes-<i>-<field>``), or ``None`` when there are none."""
    indexes = sorted({int(key.split("-")[1]) for key in form
                      if key.startswith("nodes-") and key.count("-") >= 2
                      and key.split("-")[1].isdigit() and len(key.split("-")[1]) < 5})
    if not indexes:
        return None
    rows = []
    for i in indexes[:MAX_ROWS + 1]:
        def get(field: str, i: int = i) -> str:
            return str(form.get(f"nodes-{i}-{field}") or "").strip()

        rule_type = get("rule_type")
        params = {name: get(f"p_{name}") for name, *_ in rule_params(rule_type)}
        rows.append({"index": i, "level": get("level"), "name": get("name"),
                     "weight": get("weight"), "rule_type": rule_type,
                     "params": {k: v for k, v in params.items() if v != ""},
                     **{key: get(key) for key in _LEAF_TEXTS}})
    return rows


def rows_to_tree(rows: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """The tree the rows describe, and the problems keyed by field (``nodes-<i>-<field>``).

    A row's level must be one more than, equal to, or less than the row above it (a 三级
    directly under a 一级 is refused); leaves get their texts and rule, parents only their
    name and weight. Weights and rule values are exact decimals. Weight sums are checked by
    the caller with the scoring engine on the whole tree.
    """
    errors: dict[str, str] = {}
    if len(rows) > MAX_ROWS:
        return [], {"tree": f"指标过多（最多 {MAX_ROWS} 个）"}
    levels: list[int] = []
    for position, row in enumerate(rows):
        key = f"nodes-{row.get('index', position)}"
        try:
            level = int(row.get("level") or 0)
        except ValueError:
            level = 0
        if level not in LEVEL_NAMES:
            errors[f"{key}-level"] = "指标级次应为一级、二级或三级"
            level = 1
        previous = levels[-1] if levels else 0
        if level > previous + 1:
            errors[f"{key}-level"] = (f"{LEVEL_NAMES[level]}应位于"
                                      f"{LEVEL_NAMES[level - 1]}之下")
        levels.append(level)
        if not row.get("name"):
            errors[f"{key}-name"] = "请填写指标名称"
        weight = row.get("weight") or ""
        if weight:
            try:
                value = Decimal(weight)
                if not value.is_finite() or value < 0 or value > 1000:
                    raise InvalidOperation
            except InvalidOperation:
                errors[f"{key}-weight"] = "分值应为 0 至 1000 之间的数"
    if errors:
        return [], errors

    roots: list[dict[str, Any]] = []
    stack: list[dict[str, Any]] = []
    for position, (row, level) in enumerate(zip(rows, levels, strict=True)):
        key = f"nodes-{row.get('index', position)}"
        node: dict[str, Any] = {"name": row["name"]}
        if row.get("weight"):
            node["weight"] = format_decimal(Decimal(row["weight"]))
        leaf = position + 1 == len(rows) or levels[position + 1] <= level
        if leaf:
            for text in _LEAF_TEXTS:
                node[text] = row.get(text) or ""
            rule_type = row.get("rule_type") or INFERRED_RULE
            rule = {"type": rule_type, "params": dict(row.get("params") or {})}
            if rule_type not in (INFERRED_RULE, "not_applicable"):
                try:
                    resolve_rule(rule)
                except ScoringError as exc:
                    errors[f"{key}-rule_type"] = str(exc)
            node["rule"] = rule
        del stack[level - 1:]
        (stack[-1].setdefault("children", []) if stack else roots).append(node)
        stack.append(node)
    return roots, errors


def row_of_code(rows: list[dict[str, Any]], code: str) -> int | None:
    """The index of the row whose positional code ("1.2.3") is ``code``."""
    counters = [0, 0, 0, 0]
    for position, row in enumerate(rows):
        level = int(row.get("level") or 1)
        counters[level] += 1
        for deeper in range(level + 1, 4):
            counters[deeper] = 0
        if ".".join(str(counters[n]) for n in range(1, level + 1)) == code:
            return int(row.get("index", position))
    return None


def number_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows as the editor shows them: each with its index (the field names' number), its
    positional code ("1.2.3") and whether it is a leaf."""
    out = [dict(row) for row in rows]
    levels = []
    for row in out:
        try:
            levels.append(min(max(int(row.get("level") or 1), 1), 3))
        except ValueError:
            levels.append(1)
    counters = [0, 0, 0, 0]
    for position, (row, level) in enumerate(zip(out, levels, strict=True)):
        row["level"] = level
        row.setdefault("index", position)
        counters[level] += 1
        for deeper in range(level + 1, 4):
            counters[deeper] = 0
        row["code"] = ".".join(str(counters[n]) for n in range(1, level + 1))
        row["leaf"] = position + 1 == len(out) or levels[position + 1] <= level
    return out
