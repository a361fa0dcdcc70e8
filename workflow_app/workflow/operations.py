"""Every workflow step. Views, the API and the CLI call these; they flush and never commit.

``fire`` is the one way a state changes: it locks the evaluation, asks the table whether the
actor may fire the trigger now (403 / 409 / 422 errors from ``errors.py``), fires it on the
module-level machine and flushes. The reviewers' helpers (转交, 加签, indicator comments) and
the finance bureau's batch and due dates live here too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm.exc import StaleDataError

from workflow_app.audit import trail
from workflow_app.auth.models import User
from workflow_app.evaluations.document import to_document
from workflow_app.evaluations.models import Evaluation, TeamMember
from workflow_app.extensions import db
from workflow_app.integrity.keys import KeyRingError
from workflow_app.notifications import service as notify
from workflow_app.notifications.models import DueDate, IndicatorComment
from workflow_app.workflow import revisions as rv
from workflow_app.workflow.errors import (
    ConcurrentChange,
    PermissionDenied,
    TransitionNotAllowed,
    WorkflowError,
)
from workflow_app.workflow.machine import MACHINE, Firing, dependent_signer_reason, refusal
from workflow_app.workflow.models import SignatureDelegation
from workflow_app.workflow.states import EvaluationState, TeamRole

CONCURRENT_MESSAGE = ("该评价刚刚已被其他人处理（状态或内容已变化），您的操作未保存。"
                      "请刷新页面后查看。")
MAX_TEXT = 2000


def _text(value: str | None, what: str) -> str:
    text = (value or "").strip()
    if len(text) > MAX_TEXT:
        raise WorkflowError(f"{what}不能超过 {MAX_TEXT} 个字。")
    return text


def _flush() -> None:
    try:
        db.session.flush()
    except StaleDataError:
        raise ConcurrentChange(CONCURRENT_MESSAGE) from None


def _lock(evaluation: Evaluation) -> Evaluation:
    try:
        return rv.lock_evaluation(evaluation)
    except OperationalError:  # SQLite: the other writer held the lock past busy_timeout
        db.session.rollback()
        raise ConcurrentChange(CONCURRENT_MESSAGE) from None


def fire(evaluation: Evaluation, trigger: str, actor: User, *, reason: str = "",
         comment: str = "", client_address: str = "",
         reviews: dict[str, dict[str, Any]] | None = None,
         on_behalf_of: User | None = None) -> Evaluation:
    """Fire ``trigger`` on the evaluation as ``actor``; returns the evaluation (flushed).

    Raises PermissionDenied (the actor's role may not), TransitionNotAllowed (the state does
    not allow it, or someone else was quicker) or WorkflowError (content or input refused).
    """
    reason = _text(reason, "理由")
    comment = _text(comment, "意见")
    expected_state = evaluation.state
    _lock(evaluation)
    firing = Firing(evaluation=evaluation, actor=actor, trigger=trigger, reason=reason,
                    comment=comment, client_address=client_address, reviews=reviews,
                    on_behalf_of=on_behalf_of, from_state=evaluation.state.value)
    problem = refusal(firing)
    if problem is not None:
        if isinstance(problem, TransitionNotAllowed) and evaluation.state != expected_state:
            raise TransitionNotAllowed(
                f"该评价刚刚已被其他人处理，现处于「{evaluation.state.label}」阶段，"
                f"「{problem_label(trigger)}」未执行。") from None
        raise problem
    try:
        fired = MACHINE.events[trigger].trigger(firing)
    except KeyRingError as exc:  # production without an integrity key: fail closed, clearly
        raise WorkflowError(f"{exc}（操作未保存，请联系系统管理员）") from None
    if not fired:  # a guard changed its mind: refuse
        raise refusal(firing) or WorkflowError("操作未能执行，请刷新页面后重试。")
    _flush()
    return evaluation


def problem_label(trigger: str) -> str:
    """The Chinese name of a trigger (for messages)."""
    from workflow_app.workflow.machine import trigger_label

    return trigger_label(trigger)


# --------------------------------------------------------------------------- batch


@dataclass
class BatchResult:
    """The outcome of one evaluation in a batch: ok, or the Chinese reason it was refused."""

    evaluation_id: int
    title: str
    ok: bool
    message: str = ""


NO_REVIEW_REQUIRED = ("批量验收不记录复核得分和复核意见：请核对各项得分差异后"
                      "勾选“无复核意见”再确认；需要复核的评价请逐项打开验收。")


def fire_many(evaluation_ids: Iterable[int], trigger: str, actor: User, *,
              can_view: Callable[[User, Evaluation], bool],
              client_address: str = "", no_review: bool = False) -> list[BatchResult]:
    """Accept or publish several evaluations at once; each is checked and audited on its own.

    Each one runs in a savepoint: a refused one is rolled back alone and reported. A batch
    acceptance records no 复核, so it needs the officer's explicit ``no_review`` ("无复核意见").
    """
    if trigger not in ("accept", "publish"):
        raise WorkflowError("只有「验收」和「公开」可以批量执行。")
    if trigger == "accept" and not no_review:
        raise WorkflowError(NO_REVIEW_REQUIRED)
    results = []
    for evaluation_id in dict.fromkeys(evaluation_ids):
        evaluation = db.session.get(Evaluation, evaluation_id)
        if evaluation is None or not can_view(actor, evaluation):
            results.append(BatchResult(evaluation_id, f"#{evaluation_id}", False,
                                       "评价不存在或您无权查看"))
            continue
        title = evaluation.project_name
        queued = list(db.session().info.get("pending_mail", []))
        jobs = list(db.session().info.get("pending_jobs", []))
        savepoint = db.session.begin_nested()
        try:
            fire(evaluation, trigger, actor, client_address=client_address)
        except WorkflowError as exc:
            savepoint.rollback()
            db.session().info["pending_mail"] = queued
            db.session().info["pending_jobs"] = jobs
            results.append(BatchResult(evaluation_id, title, False, str(exc)))
            continue
        savepoint.commit()
        results.append(BatchResult(evaluation_id, title, True))
    return results


# --------------------------------------------------------------------------- reviewers' helpers


def _member_user(evaluation: Evaluation, user_id: int | None, what: str) -> User:
    user = db.session.get(User, user_id) if user_id else None
    if user is None or user.unit_id != evaluation.unit_id or not user.active:
        raise WorkflowError(f"请选择本单位的在职人员作为{what}。")
    return user


def delegate_signature(evaluation: Evaluation, member: User, delegate_id: int | None) -> None:
    """转交: a member who is away lets another user of the unit sign this revision for them."""
    _lock(evaluation)
    revision = rv.current_revision(evaluation)
    if evaluation.state != EvaluationState.TEAM_REVIEW or revision is None:
        raise TransitionNotAllowed("只有在工作组会签阶段才能转交签字。")
    if member.id not in {m.user_id for m in rv.required_signers(evaluation)}:
        raise PermissionDenied("只有需要会签的工作组成员可以转交自己的签字。")
    if member.id not in {m.user_id for m in rv.pending_signers(evaluation, revision)}:
        raise TransitionNotAllowed(f"您已签署第 {revision.number} 版，无需转交。")
    delegate = _member_user(evaluation, delegate_id, "代签人")
    if delegate.id == member.id:
        raise WorkflowError("不能转交给自己。")
    reason = dependent_signer_reason(evaluation, delegate)
    if reason:
        raise WorkflowError(reason)
    row = db.session.scalar(select(SignatureDelegation).where(
        SignatureDelegation.revision_id == revision.id,
        SignatureDelegation.member_id == member.id))
    if row is None:
        row = SignatureDelegation(revision_id=revision.id, member_id=member.id)
        db.session.add(row)
    row.delegate_id = delegate.id
    trail.record("delegate", member, evaluation_id=evaluation.id, role="member",
                 from_state=evaluation.state.value, to_state=evaluation.state.value,
                 detail={"revision": revision.number, "delegate": delegate.username})
    notify.send([delegate], evaluation, "sign",
                f"{member.name} 将《{evaluation.project_name}》第 {revision.number} 版的签字"
                f"转交给您，请代为会签。")
    _flush()


def add_signer(evaluation: Evaluation, leader: User, user_id: int | None) -> TeamMember:
    """加签: during team review the leader adds a user of the unit, who must sign too."""
    _lock(evaluation)
    if evaluation.state != EvaluationState.TEAM_REVIEW:
        raise TransitionNotAllowed("只有在工作组会签阶段才能加签。")
    member = evaluation.member_for(leader)
    if member is None or member.role != TeamRole.LEADER:
        raise PermissionDenied("只有评价工作组组长可以加签。")
    user = _member_user(evaluation, user_id, "加签人员")
    if evaluation.member_for(user) is not None:
        raise WorkflowError(f"{user.name} 已是评价工作组成员。")
    reason = dependent_signer_reason(evaluation, user)
    if reason:
        raise WorkflowError(reason)
    position = max((m.position for m in evaluation.team), default=0) + 1
    row = TeamMember(user=user, role=TeamRole.MEMBER, position=position, added_in_review=True)
    evaluation.team.append(row)
    revision = rv.current_revision(evaluation)
    trail.record("add_signer", leader, evaluation_id=evaluation.id, role="leader",
                 from_state=evaluation.state.value, to_state=evaluation.state.value,
                 detail={"revision": revision.number if revision else None,
                         "member": user.username})
    notify.send([user], evaluation, "sign",
                f"组长{leader.name}邀请您加签《{evaluation.project_name}》，请审阅并会签。")
    _flush()
    return row


def indicator_codes(evaluation: Evaluation) -> dict[str, str]:
    """Indicator code → name of the working copy (every level)."""
    codes: dict[str, str] = {}

    def walk(nodes: list[dict[str, Any]]) -> None:
        for node in nodes:
            codes[node["code"]] = node["name"]
            walk(node.get("children") or [])

    walk(to_document(evaluation)["indicators"])
    return codes


def can_comment(evaluation: Evaluation, user: User) -> bool:
    """Team members, the unit's preparers and the overseeing finance officers discuss."""
    if evaluation.member_for(user) is not None:
        return True
    if user.is_preparer and user.unit_id == evaluation.unit_id:
        return True
    return bool(user.is_finance_officer and user.unit_id == evaluation.unit.bureau_id
                and evaluation.state.scores_locked)


def add_comment(evaluation: Evaluation, author: User, code: str, body: str) -> IndicatorComment:
    """A comment in one indicator's thread; only that thread's other participants are told."""
    if not can_comment(evaluation, author):
        raise PermissionDenied("只有评价工作组成员、填报人和财政局审核人员可以发表指标意见。")
    body = _text(body, "意见")
    if not body:
        raise WorkflowError("意见内容不能为空。")
    names = indicator_codes(evaluation)
    if code not in names:
        raise WorkflowError(f"指标 {code} 不存在。")
    previous = list(db.session.scalars(select(IndicatorComment).where(
        IndicatorComment.evaluation_id == evaluation.id,
        IndicatorComment.indicator_code == code)))
    comment = IndicatorComment(evaluation_id=evaluation.id, indicator_code=code,
                               revision_number=evaluation.revision_number,
                               author_id=author.id, body=body)
    db.session.add(comment)
    trail.record("comment", author, evaluation_id=evaluation.id,
                 role=_role_of(evaluation, author), from_state=evaluation.state.value,
                 to_state=evaluation.state.value, detail={"indicator": code})
    participants = [c.author for c in previous if c.author_id != author.id]
    notify.send(participants, evaluation, "comment",
                f"{author.name} 在《{evaluation.project_name}》指标 {code}「{names[code]}」"
                f"下回复：{body[:80]}")
    db.session.flush()
    return comment


def _role_of(evaluation: Evaluation, user: User) -> str:
    member = evaluation.member_for(user)
    return member.role.value if member is not None else user.primary_role


def set_due_date(officer: User, fiscal_year: int, due_on: date | None) -> DueDate | None:
    """A finance officer sets (or clears, with None) the due date of a fiscal year."""
    if not officer.is_finance_officer or not officer.unit.is_bureau:
        raise PermissionDenied("只有财政局审核人员可以设置截止日期。")
    if not 2000 <= fiscal_year <= 2100:
        raise WorkflowError("年度应在 2000–2100 之间。")
    row = db.session.scalar(select(DueDate).where(DueDate.bureau_id == officer.unit_id,
                                                  DueDate.fiscal_year == fiscal_year))
    if due_on is None:
        if row is not None:
            db.session.delete(row)
    else:
        if row is None:
            row = DueDate(bureau_id=officer.unit_id, fiscal_year=fiscal_year, due_on=due_on)
            db.session.add(row)
        row.due_on = due_on
    trail.record("due_date", officer, role="finance_officer",
                 detail={"fiscal_year": fiscal_year,
                         "due_on": due_on.isoformat() if due_on else None})
    db.session.flush()
    return row
