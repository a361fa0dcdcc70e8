"""The 分项绩效项目清单 tab: the sub-projects of an evaluation."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from workflow_app.auth.models import User
from workflow_app.evaluations.models import Evaluation, SubProject
from workflow_app.evaluations.operations.common import _begin, _Check, _done, _rows, _touch


def set_sub_projects(evaluation: Evaluation, actor: User, expected_version: Any,
                     rows: list[dict[str, Any]]) -> Evaluation:
    """分项绩效项目清单: name, budget, executed, returned, self-score (0–100), target, achieved."""
    _begin(evaluation, actor, expected_version)
    check, built = _Check(), []
    for i, row in enumerate(_rows(rows)):
        f = f"subs-{i}-"
        sub = SubProject(
            position=i + 1,
            name=check.text(row, "name", "项目名称", field=f + "name", required=True,
                            max_len=200),
            budget=check.decimal(row, "budget", "预算数", field=f + "budget", required=True),
            executed=check.decimal(row, "executed", "执行数", field=f + "executed",
                                   required=True),
            returned=check.decimal(row, "returned", "结余交回", field=f + "returned")
            or Decimal(0),
            self_score=check.decimal(row, "self_score", "自评得分", field=f + "self_score",
                                     places=2, maximum=Decimal(100)),
            target=check.text(row, "target", "绩效目标", field=f + "target", multiline=True),
            achieved=check.text(row, "achieved", "完成情况", field=f + "achieved",
                                multiline=True),
        )
        if sub.budget is not None and sub.executed is not None and sub.executed > sub.budget:
            check.fail(f + "executed", "执行数不能大于预算数")
        built.append(sub)
    check.raise_if_failed()
    _touch(evaluation)
    evaluation.sub_projects = built
    _done(evaluation, actor, "sub_projects", rows=len(built))
    return evaluation
