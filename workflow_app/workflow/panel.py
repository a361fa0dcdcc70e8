"""What the evaluation page shows of the workflow, gathered for one user (templates/workflow)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from workflow_app.auth.models import User
from workflow_app.evaluations.models import Evaluation
from workflow_app.evaluations.scoring import format_decimal
from workflow_app.extensions import db
from workflow_app.notifications.models import IndicatorComment
from workflow_app.workflow import diagram
from workflow_app.workflow import revisions as rv
from workflow_app.workflow.awaiting import Awaiting, awaiting
from workflow_app.workflow.diff import Change, diff_documents
from workflow_app.workflow.machine import (
    available_triggers,
    dependent_signer_reason,
    trigger_label,
)
from workflow_app.workflow.models import IndicatorReview, Revision, Signature
from workflow_app.workflow.operations import can_comment, indicator_codes
from workflow_app.workflow.states import EvaluationState, TeamRole
from workflow_app.workflow.timeline import Entry, timeline

ACTION_LABELS = {
    "create": "创建", "submit": "提交会签", "withdraw": "撤回", "sign": "会签",
    "approve": "审定通过", "return": "退回", "accept": "验收", "publish": "公开",
    "delegate": "转交签字", "add_signer": "加签", "comment": "指标意见", "login": "登录",
    "logout": "退出", "due_date": "设置截止日期",
}
ROLE_LABELS = {"preparer": "填报人", "leader": "组长", "deputy": "副组长", "member": "成员",
               "finance_officer": "财政局", "delegate": "代签人", "admin": "管理员",
               "system": "系统"}


@dataclass
class SignerRow:
    """One line of the signatures table: a member and their signature on the revision, if any."""

    user: User
    role: TeamRole
    signature: Signature | None
    delegate: User | None = None
    added_in_review: bool = False

    @property
    def signed_for(self) -> bool:
        """Signed by someone else on the member's behalf (转交)."""
        return self.signature is not None and self.signature.signer_id != self.user.id


@dataclass
class RecheckRow:
    """One indicator of the finance bureau's 复核, beside the team's locked self-score."""

    code: str
    name: str
    weight: str
    self_score: str | None
    score: str | None
    opinion: str
    reviewer: User | None
    created_at: Any


@dataclass
class RevisionView:
    """A submitted revision with its signatures and why it was returned."""

    revision: Revision
    signatures: list[Signature]


@dataclass
class Panel:
    """Everything templates/workflow/_actions.html and _panel.html need."""

    evaluation: Evaluation
    user: User
    triggers: list[str]
    revision: Revision | None
    signers: list[SignerRow] = field(default_factory=list)
    earlier: list[RevisionView] = field(default_factory=list)
    diff: list[Change] | None = None
    diff_base: Revision | None = None
    threads: dict[str, list[IndicatorComment]] = field(default_factory=dict)
    indicator_names: dict[str, str] = field(default_factory=dict)
    can_comment: bool = False
    timeline: list[Entry] = field(default_factory=list)
    awaiting: Awaiting | None = None
    svg: str = ""
    signable: list[User] = field(default_factory=list)
    can_delegate: bool = False
    unit_users: list[User] = field(default_factory=list)
    addable: list[User] = field(default_factory=list)
    review_leaves: list[dict[str, Any]] = field(default_factory=list)
    last_return: Revision | None = None
    recheck: list[RecheckRow] = field(default_factory=list)
    recheck_revision: Revision | None = None

    def label(self, trigger: str) -> str:
        """A trigger's Chinese name."""
        return trigger_label(trigger)

    def consequence(self, trigger: str) -> str:
        """What firing the trigger will do, said in its confirmation dialog."""
        e = self.evaluation
        number = e.revision_number
        signed = [r for r in self.signers if r.signature is not None]
        pending = "、".join(r.user.name for r in self.signers
                           if r.role != TeamRole.LEADER and r.signature is None)
        bureau = e.unit.bureau.name if e.unit.bureau else "主管财政局"
        revision_hash = self.revision.content_hash[:12] if self.revision else ""
        return {
            "submit": f"提交后第 {number} 版内容冻结，不能再修改；评价工作组成员逐一会签，"
                      f"全部签字后由组长审定。在有人签字前可以撤回。",
            "withdraw": f"撤回后回到草稿：第 {number} 版留档但不再计入，修改后重新提交。",
            "sign": f"您的签字将绑定第 {number} 版内容（哈希 {revision_hash}…），签字后不能撤销。"
                    + (f"尚未签字：{pending}。" if pending else ""),
            "approve": f"审定后第 {number} 版的得分锁定，任何途径都不能再修改；"
                       f"报告送{bureau}验收。",
            "return": f"退回后回到草稿：第 {number} 版及其 {len(signed)} 个签字留档但不再计入；"
                      "填报人修改后重新提交，全体成员须重新会签。退回理由将通知填报人和已签字的人员。",
            "accept": "验收后进入“已验收”，等待公开；复核得分和意见与自评得分并列保存，"
                      "不覆盖自评得分。",
            "publish": "公开后系统生成报告 PDF 并固定保存，任何人可在公开页面查阅、下载并核验；"
                       "公开不能撤回，报告此后不再改变。",
        }.get(trigger, "")

    def action_label(self, action: str) -> str:
        """An audit action's Chinese name."""
        return ACTION_LABELS.get(action, action)

    def role_label(self, role: str) -> str:
        """An audit role's Chinese name."""
        return ROLE_LABELS.get(role, role)

    def state_label(self, state: str) -> str:
        """A state's Chinese name ("" stays "")."""
        return EvaluationState(state).label if state else ""


def workflow_panel(evaluation: Evaluation, user: User) -> Panel:
    """The workflow view of one evaluation for one user (once per request: both the actions
    and the panel template ask for it)."""
    from flask import has_request_context, request

    if not has_request_context():
        return build_panel(evaluation, user)
    cache = request.environ.setdefault("workflow.panels", {})
    key = (evaluation.id, user.id, evaluation.version)
    if key not in cache:
        cache[key] = build_panel(evaluation, user)
    return cache[key]


def build_panel(evaluation: Evaluation, user: User) -> Panel:
    """Gather the workflow view of one evaluation for one user."""
    revisions = rv.revisions_of(evaluation)
    revision = rv.current_revision(evaluation, among=revisions)
    panel = Panel(evaluation=evaluation, user=user,
                  triggers=available_triggers(evaluation, user), revision=revision)
    signatures = {s.member_id: s for s in rv.signatures_of(revision)}
    delegations = {d.member_id: d.delegate for d in rv.delegations_of(revision)}
    for member in evaluation.team:
        panel.signers.append(SignerRow(member.user, member.role, signatures.get(member.user_id),
                                       delegations.get(member.user_id), member.added_in_review))
    for old in revisions:
        if revision is not None and old.id == revision.id:
            continue
        panel.earlier.append(RevisionView(old, rv.signatures_of(old)))
    if evaluation.state == EvaluationState.DRAFT and panel.earlier:
        panel.last_return = panel.earlier[0].revision
    if revision is not None:
        # The newest earlier revision this user signed (rv.last_signed_revision), from the
        # revisions and signatures just read.
        base = next((v.revision for v in panel.earlier if v.revision.number < revision.number
                     and any(s.member_id == user.id for s in v.signatures)), None)
        if base is not None:
            panel.diff_base = base
            panel.diff = diff_documents(json.loads(base.snapshot), json.loads(revision.snapshot))
        panel.signable = rv.signable_members(evaluation, revision, user)
        panel.can_delegate = (evaluation.state == EvaluationState.TEAM_REVIEW
                              and any(m.id == user.id for m in panel.signable))
    member = evaluation.member_for(user)
    if evaluation.state == EvaluationState.TEAM_REVIEW and (
            panel.can_delegate or (member is not None and member.role == TeamRole.LEADER)):
        team_ids = {m.user_id for m in evaluation.team}
        # Pickers offer only who the rule allows (never the preparer nor the leader).
        panel.unit_users = [u for u in db.session.scalars(
            select(User).where(User.unit_id == evaluation.unit_id, User.active,
                               User.id != user.id).order_by(User.id))
            if dependent_signer_reason(evaluation, u) is None]
        panel.addable = [u for u in panel.unit_users if u.id not in team_ids]
    if "accept" in panel.triggers and revision is not None:
        from workflow_app.workflow.steps import revision_leaves

        panel.review_leaves = list(revision_leaves(revision).values())
    _add_recheck(panel, revision)
    panel.indicator_names = indicator_codes(evaluation)
    panel.can_comment = can_comment(evaluation, user)
    for c in db.session.scalars(select(IndicatorComment).where(
            IndicatorComment.evaluation_id == evaluation.id).order_by(IndicatorComment.id)):
        panel.threads.setdefault(c.indicator_code, []).append(c)
    panel.timeline = timeline(evaluation.id)
    panel.awaiting = awaiting(evaluation)
    panel.svg = diagram.svg(evaluation.state)
    return panel


def _add_recheck(panel: Panel, revision: Revision | None) -> None:
    """The 复核 of the revision under review, else of the newest revision that has one."""
    from workflow_app.workflow.steps import revision_leaves

    candidates = [revision] if revision is not None else []
    candidates += [v.revision for v in panel.earlier]
    for candidate in candidates:
        reviews = list(db.session.scalars(select(IndicatorReview).where(
            IndicatorReview.revision_id == candidate.id).order_by(IndicatorReview.id)))
        if not reviews:
            continue
        leaves = revision_leaves(candidate)
        order = {code: i for i, code in enumerate(leaves)}
        for r in sorted(reviews, key=lambda r: order.get(r.indicator_code, len(order))):
            leaf = leaves.get(r.indicator_code, {})
            panel.recheck.append(RecheckRow(
                code=r.indicator_code, name=leaf.get("name", ""),
                weight=leaf.get("weight") or "", self_score=leaf.get("score"),
                score=format_decimal(r.score) if r.score is not None else None,
                opinion=r.opinion or "", reviewer=r.reviewer, created_at=r.created_at))
        panel.recheck_revision = candidate
        return
