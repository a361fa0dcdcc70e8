"""Who the evaluation waits for now, in Chinese words (the side panel, refusals, lists).

Computed from the rows (team, signatures, delegations), never stored.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from workflow_app.auth.models import User
from workflow_app.evaluations.models import Evaluation
from workflow_app.workflow import revisions as rv
from workflow_app.workflow.states import EvaluationState

S = EvaluationState


@dataclass
class Awaiting:
    """The state's Chinese name, who acts next (a sentence) and those people, if known."""

    state_label: str
    who: str
    users: list[User] = field(default_factory=list)


def _names(users: list[User]) -> str:
    return "、".join(u.name for u in users)


def awaiting(evaluation: Evaluation) -> Awaiting:
    """Who acts next on the evaluation, e.g. "等待成员 赵世才、张东亮 会签"."""
    state = evaluation.state
    label = state.label
    bureau = evaluation.unit.bureau.name if evaluation.unit.bureau else "主管财政局"
    if state == S.DRAFT:
        preparer = evaluation.preparer
        return Awaiting(label, f"填报人 {preparer.name} 编制中", [preparer])
    if state == S.TEAM_REVIEW:
        revision = rv.current_revision(evaluation)
        pending = [m.user for m in rv.pending_signers(evaluation, revision)]
        if not pending:
            return Awaiting(label, "评价工作组会签中")
        return Awaiting(label, f"等待评价工作组成员 {_names(pending)} 会签", pending)
    if state == S.LEADER_SIGNOFF:
        leader = evaluation.leader
        if leader is None:
            return Awaiting(label, "等待组长审定")
        return Awaiting(label, f"等待组长 {leader.name} 审定", [leader])
    if state == S.FINANCE_ACCEPTANCE:
        return Awaiting(label, f"等待{bureau}验收")
    if state == S.ACCEPTED:
        return Awaiting(label, f"等待{bureau}公开")
    return Awaiting(label, "已公开，流程已结束")


def not_a_draft_message(evaluation: Evaluation, *, typed: bool = True) -> str:
    """Why the editor refuses after submission: the state and who has it now; ``typed`` when
    the user's input was refused (it stays on the page)."""
    now = awaiting(evaluation)
    locked = "，得分已锁定" if evaluation.state.scores_locked else ""
    situation = (f"该评价已提交，现处于「{now.state_label}」阶段{locked}，不再是草稿，"
                 f"内容不能修改（{now.who}）。")
    if not typed:
        return situation + "如需修改，请联系当前处理人退回草稿。"
    return ("未保存：" + situation + "您填写的内容仍保留在下方，可复制留存；"
            "如需修改，请联系当前处理人退回草稿后再填写。")


def revision_note(evaluation: Evaluation) -> str:
    """How the page names the revision beside the state: "第 2 版" only for a submitted one;
    a draft that was returned or withdrawn says so ("第 1 版已退回，正在修改") instead of a
    number no submitted revision carries yet; a first draft needs no note ("")."""
    number = evaluation.revision_number
    if evaluation.state != S.DRAFT:
        return f"第 {number} 版"
    if number <= 1:
        return ""
    from sqlalchemy import select

    from workflow_app.extensions import db
    from workflow_app.workflow.models import Revision

    last = db.session.scalar(select(Revision).where(
        Revision.evaluation_id == evaluation.id, Revision.number == number - 1))
    verb = "撤回" if last is not None and last.return_reason == "填报人撤回" else "退回"
    return f"第 {number - 1} 版已{verb}，正在修改"
