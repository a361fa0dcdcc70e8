"""The 指标 tab: the indicator tree (add, remove, rename, reorder, move, define) and the
scoring table's values (target, actual, score, reasons, tier)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from workflow_app.auth.models import User
from workflow_app.evaluations.models import Evaluation, Indicator, RuleType
from workflow_app.evaluations.operations.common import (
    OperationError,
    ValidationFailed,
    _begin,
    _Check,
    _done,
    _touch,
)
from workflow_app.evaluations.scoring import ScoringError, validate_rule
from workflow_app.extensions import db


def _indicator_of(evaluation: Evaluation, indicator_id: Any) -> Indicator:
    try:
        wanted = int(indicator_id)
    except (TypeError, ValueError):
        wanted = -1
    for indicator in evaluation.indicators:
        if indicator.id == wanted:
            return indicator
    raise OperationError("找不到该指标，可能已被删除。请刷新页面。")


def _siblings(evaluation: Evaluation, parent: Indicator | None) -> list[Indicator]:
    if parent is not None:
        return list(parent.children)
    roots = [i for i in evaluation.indicators if i.parent is None]
    return sorted(roots, key=lambda i: (i.position, i.id or 0))


def _renumber(nodes: list[Indicator]) -> None:
    for position, node in enumerate(nodes, 1):
        node.position = position


def _subtree_depth(indicator: Indicator) -> int:
    return 1 + max((_subtree_depth(c) for c in indicator.children), default=0)


def _set_levels(indicator: Indicator, level: int) -> None:
    indicator.level = level
    for child in indicator.children:
        _set_levels(child, level + 1)


def _sync_weights(evaluation: Evaluation) -> None:
    """A non-leaf's stored weight is the sum of its children (bottom-up); it has no score."""
    def visit(node: Indicator) -> Decimal:
        if not node.children:
            return node.weight or Decimal(0)
        node.score = None
        node.weight = sum((visit(c) for c in node.children), Decimal(0))
        return node.weight

    for root in _siblings(evaluation, None):
        visit(root)


def _code_of(evaluation: Evaluation, indicator: Indicator) -> str:
    parts, node = [], indicator
    while node is not None:
        parts.append(str(_siblings(evaluation, node.parent).index(node) + 1))
        node = node.parent
    return ".".join(reversed(parts))


def _check_name(check: _Check, name: Any, field: str = "name") -> str:
    return check.text({"name": name}, "name", "指标名称", field=field, required=True,
                      max_len=200)


def add_indicator(evaluation: Evaluation, actor: User, expected_version: Any, *,
                  parent_id: Any = None, name: Any = "", weight: Any = "0") -> Indicator:
    """Add an indicator at the end of ``parent_id``'s children (None: a first-level one)."""
    _begin(evaluation, actor, expected_version)
    parent = None if parent_id in (None, "") else _indicator_of(evaluation, parent_id)
    check = _Check()
    name = _check_name(check, name)
    weight = check.decimal({"weight": weight}, "weight", "分值", places=2) or Decimal(0)
    level = 1 if parent is None else parent.level + 1
    if level > 3:
        check.fail("parent_id", "指标体系最多三级，三级指标下不能再添加下级指标")
    if parent is not None and parent.evidence:
        check.fail("parent_id", f"指标“{parent.name}”已附佐证材料，请先删除佐证材料再添加下级指标")
    check.raise_if_failed()
    _touch(evaluation)
    indicator = Indicator(evaluation=evaluation, parent=parent, level=level, name=name,
                          weight=weight, position=len(_siblings(evaluation, parent)) + 1,
                          rule_type=RuleType.MANUAL, rule_params={})
    if parent is not None:
        # The parent stops being a leaf: its own target, actual and score no longer count.
        parent.score = None
    db.session.add(indicator)
    db.session.flush()
    _sync_weights(evaluation)
    _done(evaluation, actor, "indicator_add", indicator=_code_of(evaluation, indicator),
          name=name)
    return indicator


def remove_indicator(evaluation: Evaluation, actor: User, expected_version: Any,
                     indicator_id: Any) -> None:
    """Remove an indicator with its subtree and evidence; siblings close the gap."""
    _begin(evaluation, actor, expected_version)
    indicator = _indicator_of(evaluation, indicator_id)
    code = _code_of(evaluation, indicator)
    parent = indicator.parent
    doomed = set()

    def collect(node: Indicator) -> None:
        doomed.add(node)
        for child in node.children:
            collect(child)

    collect(indicator)
    _touch(evaluation)
    if parent is not None:
        parent.children.remove(indicator)
    for node in doomed:
        if node in evaluation.indicators:
            evaluation.indicators.remove(node)
    db.session.flush()
    _renumber(_siblings(evaluation, parent))
    _sync_weights(evaluation)
    _done(evaluation, actor, "indicator_remove", indicator=code, name=indicator.name)


def rename_indicator(evaluation: Evaluation, actor: User, expected_version: Any,
                     indicator_id: Any, name: Any) -> Indicator:
    """Rename an indicator."""
    _begin(evaluation, actor, expected_version)
    indicator = _indicator_of(evaluation, indicator_id)
    check = _Check()
    new_name = _check_name(check, name)
    check.raise_if_failed()
    _touch(evaluation)
    old, indicator.name = indicator.name, new_name
    _done(evaluation, actor, "indicator_rename", indicator=_code_of(evaluation, indicator),
          old=old, new=new_name)
    return indicator


def reorder_indicator(evaluation: Evaluation, actor: User, expected_version: Any,
                      indicator_id: Any, delta: int) -> Indicator:
    """Move an indicator up (delta −1) or down (+1) among its siblings."""
    _begin(evaluation, actor, expected_version)
    indicator = _indicator_of(evaluation, indicator_id)
    siblings = _siblings(evaluation, indicator.parent)
    index = siblings.index(indicator)
    target = min(max(index + int(delta), 0), len(siblings) - 1)
    if target == index:
        raise OperationError("该指标已在最前（或最后），无法继续移动。")
    _touch(evaluation)
    siblings.insert(target, siblings.pop(index))
    _renumber(siblings)
    if indicator.parent is not None:
        indicator.parent.children.sort(key=lambda i: i.position)
    _done(evaluation, actor, "indicator_reorder", indicator=_code_of(evaluation, indicator))
    return indicator


def move_indicator(evaluation: Evaluation, actor: User, expected_version: Any,
                   indicator_id: Any, new_parent_id: Any) -> Indicator:
    """Move an indicator (with its subtree) to the end of another parent's children."""
    _begin(evaluation, actor, expected_version)
    indicator = _indicator_of(evaluation, indicator_id)
    new_parent = None if new_parent_id in (None, "") else _indicator_of(evaluation, new_parent_id)
    node = new_parent
    while node is not None:
        if node is indicator:
            raise ValidationFailed({"parent_id": "不能把指标移到它自己或它的下级指标之下"})
        node = node.parent
    level = 1 if new_parent is None else new_parent.level + 1
    if level + _subtree_depth(indicator) - 1 > 3:
        raise ValidationFailed({"parent_id": "移动后将超过三级，指标体系最多三级"})
    if new_parent is not None and new_parent.evidence:
        raise ValidationFailed(
            {"parent_id": f"指标“{new_parent.name}”已附佐证材料，不能作为上级指标"})
    old_parent, old_code = indicator.parent, _code_of(evaluation, indicator)
    if old_parent is new_parent:
        raise OperationError("该指标已在所选上级指标之下。")
    _touch(evaluation)
    if old_parent is not None:
        old_parent.children.remove(indicator)
    indicator.position = len(_siblings(evaluation, new_parent)) + 1
    indicator.parent = new_parent
    if new_parent is not None:
        new_parent.score = None
        if indicator not in new_parent.children:
            new_parent.children.append(indicator)
    _set_levels(indicator, level)
    db.session.flush()
    _renumber(_siblings(evaluation, old_parent))
    _sync_weights(evaluation)
    _done(evaluation, actor, "indicator_move", indicator=old_code,
          to=_code_of(evaluation, indicator))
    return indicator


def update_indicator(evaluation: Evaluation, actor: User, expected_version: Any,
                     indicator_id: Any, data: dict[str, Any]) -> Indicator:
    """The definition of an indicator: name, and for a leaf description, standard, weight,
    target and the scoring rule (type + params, checked by the scoring engine)."""
    _begin(evaluation, actor, expected_version)
    indicator = _indicator_of(evaluation, indicator_id)
    check = _Check()
    name = _check_name(check, data.get("name"))
    values: dict[str, Any] = {"name": name}
    if indicator.is_leaf:
        values["description"] = check.text(data, "description", "指标解释", multiline=True,
                                           max_len=5000)
        values["standard"] = check.text(data, "standard", "评分标准", multiline=True,
                                        max_len=5000)
        values["target"] = check.text(data, "target", "年度指标值", max_len=200)
        values["weight"] = check.decimal(data, "weight", "分值", required=True, places=2)
        rule_type = check.choice(data, "rule_type", "评分规则", RuleType)
        params = _parse_params(check, data.get("rule_params"))
        if rule_type is not None and params is not None:
            try:
                validate_rule({"type": rule_type.value, "params": params})
            except ScoringError as exc:
                check.fail("rule_params", str(exc))
        values["rule_type"], values["rule_params"] = rule_type, params
        score = indicator.score
        if values["weight"] is not None and score is not None and score > values["weight"]:
            check.fail("weight", f"分值不能小于已填报的得分 {score.normalize():f}；"
                                 "请先修改得分")
    check.raise_if_failed()
    _touch(evaluation)
    for key, value in values.items():
        setattr(indicator, key, value)
    _sync_weights(evaluation)
    _done(evaluation, actor, "indicator_update", indicator=_code_of(evaluation, indicator))
    return indicator


def _parse_params(check: _Check, raw: Any) -> dict[str, Any] | None:
    """Rule params from the form: a JSON object, or "name=value" lines; values stay strings."""
    if isinstance(raw, dict):
        return raw
    text = str(raw or "").strip()
    if not text:
        return {}
    if text.startswith("{"):
        try:
            parsed = json.loads(text, parse_float=str, parse_int=str)
        except ValueError:
            check.fail("rule_params", "评分规则参数不是有效的 JSON 对象")
            return None
        if not isinstance(parsed, dict):
            check.fail("rule_params", "评分规则参数应为 JSON 对象")
            return None
        return parsed
    params = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        key, sep, value = line.partition("=")
        if not sep or not key.strip():
            check.fail("rule_params", f"无法识别的参数行“{line.strip()}”，应写作 名称=值")
            return None
        params[key.strip()] = value.strip()
    return params


LEAF_VALUE_FIELDS = ("target", "actual", "score", "score_reason", "deviation_reason",
                     "not_applicable")


def _tier_params(check: _Check, indicator: Indicator, raw: Any,
                 field: str) -> dict[str, Any] | None:
    """The rule params of a 定性 leaf with its chosen tier (达成 / 部分达成 / 未达成); blank
    lets the engine infer the tier from the actual. None when nothing changes or it is wrong."""
    tier = str(raw or "").strip()
    if indicator.rule_type != RuleType.MANUAL:
        if tier:
            check.fail(field, "只有定性评价指标可以选择达成档次")
        return None
    params = {k: v for k, v in dict(indicator.rule_params or {}).items() if k != "tier"}
    if tier:
        params["tier"] = tier
    try:
        validate_rule({"type": RuleType.MANUAL.value, "params": params})
    except ScoringError as exc:
        check.fail(field, str(exc))
        return None
    return params


def set_indicator_values(evaluation: Evaluation, actor: User, expected_version: Any,
                         values: dict[Any, dict[str, Any]]) -> Evaluation:
    """The scoring table in one save: per leaf id, target, actual, score, score_reason,
    deviation_reason and not_applicable. Errors are keyed ``ind-<id>-<field>``.

    Completeness problems (a manual score below the weight without a reason, a missed target
    without a deviation reason, a missing score) do not block saving a draft: the editor shows
    them at the field and submission refuses them. Format and range errors block.
    """
    _begin(evaluation, actor, expected_version)
    check, parsed = _Check(), {}
    for key, row in values.items():
        indicator = _indicator_of(evaluation, key)
        if not indicator.is_leaf:
            continue
        f = f"ind-{indicator.id}-"
        row = dict(row or {})
        new: dict[str, Any] = {}
        if "target" in row:
            new["target"] = check.text(row, "target", "年度指标值", field=f + "target",
                                       max_len=200)
        if "actual" in row:
            new["actual"] = check.text(row, "actual", "实际完成值", field=f + "actual",
                                       max_len=200)
        if "score" in row:
            score = check.decimal(row, "score", "得分", field=f + "score", places=2)
            if score is not None and score > indicator.weight:
                check.fail(f + "score", f"得分 {score.normalize():f} 超过分值 "
                                        f"{indicator.weight.normalize():f}")
            new["score"] = score
        for key_, label in (("score_reason", "扣分理由"), ("deviation_reason", "偏差原因")):
            if key_ in row:
                new[key_] = check.text(row, key_, label, field=f + key_, multiline=True,
                                       max_len=5000)
        if "not_applicable" in row:
            new["not_applicable"] = str(row["not_applicable"]).lower() in (
                "1", "true", "on", "yes", "y")
        if "tier" in row:
            params = _tier_params(check, indicator, row.get("tier"), f + "tier")
            if params is not None:
                new["rule_params"] = params
        parsed[indicator] = new
    check.raise_if_failed()
    _touch(evaluation)
    changed = []
    for indicator, new in parsed.items():
        if any(getattr(indicator, k) != v for k, v in new.items()):
            changed.append(_code_of(evaluation, indicator))
        for key, value in new.items():
            setattr(indicator, key, value)
    _done(evaluation, actor, "indicator_values", indicators=changed)
    return evaluation
