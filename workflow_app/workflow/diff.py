"""Field-level differences between two content documents (what changed since I last signed).

Pure: takes two documents (dicts), returns a list of changes with Chinese labels.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

FIELD_LABELS = {
    "project_name": "项目名称", "project_leader": "项目负责人",
    "project_leader_phone": "负责人电话",
    "period_start": "实施期开始", "period_end": "实施期结束", "timing": "评价时点",
    "method": "评价方式", "preparer_name": "填报人", "preparer_phone": "填报人电话",
    "report_date": "报告日期", "total_weight": "总分值", "overall_goal": "总体绩效目标",
    "problems": "存在问题", "measures": "改进措施", "fiscal_year": "年度", "kind": "评价类型",
    "name": "名称", "description": "指标内容", "standard": "评分标准", "weight": "分值",
    "target": "年度指标值", "actual": "实际完成值", "score": "得分", "score_reason": "扣分理由",
    "deviation_reason": "偏差原因", "not_applicable": "不适用", "rule": "评分规则",
    "evidence": "佐证材料", "initial": "年初预算数", "planned": "全年预算数", "arrived": "到位数",
    "spent": "执行数", "budget": "预算数", "executed": "执行数", "returned": "结余交回",
    "self_score": "自评得分", "achieved": "完成情况", "title": "标题", "body": "正文",
    "category": "经济分类", "role": "组内职务", "position": "职务", "unit": "工作单位",
    "supervising_department": "主管部门", "grade_scheme": "评价等级方案",
}
SECTION_LABELS = {"indicators": "指标", "funding": "资金", "expenses": "支出明细",
                  "sub_projects": "分项项目", "sections": "报告正文", "team": "评价工作组"}
# How the items of each list are matched between the two documents.
LIST_KEYS = {"funding": "source", "expenses": "category", "sub_projects": "name",
             "sections": "key", "team": "username"}


@dataclass(frozen=True)
class Change:
    """One changed field: where (a Chinese label and a stable path), before and after."""

    path: str
    label: str
    old: str
    new: str


def _show(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dict | list):
        import json

        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def _leaves(nodes: list[dict[str, Any]], out: dict[str, dict[str, Any]]) -> None:
    for node in nodes or []:
        out[node["code"]] = node
        _leaves(node.get("children") or [], out)


def _compare_dict(path: str, label: str, old: dict[str, Any], new: dict[str, Any],
                  changes: list[Change], skip: tuple[str, ...] = ()) -> None:
    for key in sorted(set(old) | set(new)):
        if key in skip or key == "children":
            continue
        if old.get(key) != new.get(key):
            changes.append(Change(f"{path}/{key}", f"{label}{FIELD_LABELS.get(key, key)}",
                                  _show(old.get(key)), _show(new.get(key))))


def diff_documents(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    """Every field that differs between two documents, in document order."""
    changes: list[Change] = []
    top = [k for k in dict.fromkeys(list(old) + list(new))
           if k not in SECTION_LABELS and k not in ("schema", "version")]
    for key in top:
        if old.get(key) != new.get(key):
            changes.append(Change(key, FIELD_LABELS.get(key, key), _show(old.get(key)),
                                  _show(new.get(key))))
    a: dict[str, dict[str, Any]] = {}
    b: dict[str, dict[str, Any]] = {}
    _leaves(old.get("indicators") or [], a)
    _leaves(new.get("indicators") or [], b)
    for code in dict.fromkeys(list(a) + list(b)):
        name = (b.get(code) or a.get(code) or {}).get("name", "")
        label = f"指标 {code}「{name}」"
        if code not in a:
            changes.append(Change(f"indicators/{code}", label, "—", "新增"))
        elif code not in b:
            changes.append(Change(f"indicators/{code}", label, "已有", "删除"))
        else:
            _compare_dict(f"indicators/{code}", label + " ", a[code], b[code], changes,
                          skip=("code",))
    for section, key in LIST_KEYS.items():
        olds = {str(i.get(key)): i for i in old.get(section) or []}
        news = {str(i.get(key)): i for i in new.get(section) or []}
        for item_key in dict.fromkeys(list(olds) + list(news)):
            label = f"{SECTION_LABELS[section]}「{item_key}」"
            if item_key not in olds:
                changes.append(Change(f"{section}/{item_key}", label, "—", "新增"))
            elif item_key not in news:
                changes.append(Change(f"{section}/{item_key}", label, "已有", "删除"))
            else:
                _compare_dict(f"{section}/{item_key}", label + " ", olds[item_key],
                              news[item_key], changes, skip=(key,))
    return changes
