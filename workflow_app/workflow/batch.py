"""What a batch of the finance bureau (批量验收 / 批量公开) will do, item by item, before it is
confirmed: whether each one can go ahead, and for acceptance the 得分差异 (computed against
entered scores) that accepting without 复核 passes over."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from workflow_app.auth.models import User
from workflow_app.evaluations.models import Evaluation
from workflow_app.extensions import db
from workflow_app.workflow.machine import Firing, refusal, trigger_label


@dataclass
class Difference:
    """One leaf whose entered score differs from the one its rule computes."""

    code: str
    name: str
    entered: str
    computed: str
    explanation: str


@dataclass
class BatchItem:
    """One selected evaluation: may it go ahead (else why not), and its score differences."""

    evaluation_id: int
    evaluation: Evaluation | None
    title: str
    ready: bool
    problem: str = ""
    differences: list[Difference] = field(default_factory=list)
    entered_total: str = ""
    computed_total: str = ""


# What each batch does, said on the confirmation page.
CONSEQUENCES = {
    "accept": ("验收后评价进入“已验收”，等待公开；本次批量验收不记录复核得分和复核意见，"
               "验收后不能再补录复核。如需退回须填写理由并由填报人重新编制、全体成员重新会签。"),
    "publish": ("公开后系统生成报告 PDF 并固定保存，任何人可在公开页面查阅、下载并核验纸质件；"
                "公开不能撤回，报告内容此后不再改变。"),
}


def _differences(evaluation: Evaluation) -> tuple[list[Difference], str, str]:
    from workflow_app.evaluations.scorecard import score_evaluation
    from workflow_app.evaluations.scoring import ScoringError, format_decimal

    try:
        result = score_evaluation(evaluation)
    except ScoringError:
        return [], "", ""
    rows = []
    for code in result.flagged:
        leaf = result.leaves[code]
        rows.append(Difference(code, leaf.name, format_decimal(leaf.entered),
                               format_decimal(leaf.computed), leaf.explanation))
    return rows, format_decimal(result.entered_total), format_decimal(result.computed_total)


def preview_batch(evaluation_ids: Iterable[int], trigger: str, actor: User, *,
                  can_view: Callable[[User, Evaluation], bool]) -> list[BatchItem]:
    """Each selected evaluation as the confirmation page lists it; nothing is changed."""
    items = []
    for evaluation_id in dict.fromkeys(evaluation_ids):
        evaluation = db.session.get(Evaluation, evaluation_id)
        if evaluation is None or not can_view(actor, evaluation):
            items.append(BatchItem(evaluation_id, None, f"#{evaluation_id}", False,
                                   "评价不存在或您无权查看"))
            continue
        problem = refusal(Firing(evaluation=evaluation, actor=actor, trigger=trigger))
        item = BatchItem(evaluation_id, evaluation, evaluation.project_name, problem is None,
                         str(problem) if problem else "")
        if trigger == "accept":
            item.differences, item.entered_total, item.computed_total = \
                _differences(evaluation)
        items.append(item)
    return items


def consequence(trigger: str) -> str:
    """What the batch will do, in one Chinese paragraph."""
    return CONSEQUENCES.get(trigger, f"将对所选评价执行「{trigger_label(trigger)}」。")
