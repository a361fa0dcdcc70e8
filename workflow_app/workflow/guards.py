"""The model-layer guard: content is frozen outside draft; scores lock at the leader's approval.

A ``before_flush`` listener refuses, for any session of the application:

- a change to an evaluation's content rows (indicators, evidence, funding, expenses,
  sub-projects, sections, team) or header while the evaluation is not in draft — the only
  exception is 加签, a member added to the team during team review;
- a change to a revision's snapshot, content hash, number or evaluation, or its deletion;
- any change to or deletion of a signature or an audit event (append-only).

The database adds its own triggers (migration ``workflow guards``), so a raw SQL statement is
refused too. Importing this module installs the listener (``workflow.views.register`` does).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from workflow_app.audit.models import AuditEvent
from workflow_app.evaluations.models import (
    Evaluation,
    Evidence,
    ExpenseLine,
    FundingSource,
    Indicator,
    Section,
    SubProject,
    TeamMember,
)
from workflow_app.workflow.errors import LockedContent
from workflow_app.workflow.models import Revision, Signature
from workflow_app.workflow.states import EvaluationState

CONTENT_MODELS = (Indicator, Evidence, FundingSource, ExpenseLine, SubProject, Section,
                  TeamMember)
# Columns of an evaluation that the workflow itself changes outside draft.
# The derived scores (evaluations.derived) are stored by submit / approve / accept themselves,
# from the frozen revision's snapshot: they are a cache of what was signed, not content.
WORKFLOW_COLUMNS = frozenset({"state", "revision_number", "version", "updated_at",
                              "self_total", "computed_total", "open_leaves", "grade"})
FROZEN_REVISION_COLUMNS = frozenset({"snapshot", "content_hash", "number", "evaluation_id"})


def _states(evaluation: Evaluation) -> tuple[EvaluationState, EvaluationState]:
    """(state before this flush, state now); a new evaluation counts as draft."""
    history = inspect(evaluation).attrs.state.history
    now = evaluation.state or EvaluationState.DRAFT
    before = history.deleted[0] if history.deleted else (history.unchanged or [now])[0]
    return EvaluationState(before or EvaluationState.DRAFT), EvaluationState(now)


def _evaluation_of(obj: Any) -> Evaluation | None:
    if isinstance(obj, Evidence):
        indicator = obj.indicator
        return indicator.evaluation if indicator is not None else None
    return obj.evaluation


def _changed_columns(obj: Any) -> set[str]:
    state = inspect(obj)
    return {attr.key for attr in state.mapper.column_attrs
            if state.attrs[attr.key].history.has_changes()}


def _refuse(evaluation: Evaluation, state: EvaluationState, what: str) -> LockedContent:
    if state.scores_locked:
        return LockedContent(
            f"《{evaluation.project_name}》已由组长审定，得分已锁定，不能修改{what}。")
    return LockedContent(
        f"《{evaluation.project_name}》处于「{state.label}」阶段，内容已冻结，不能修改{what}；"
        f"如需修改，请先退回草稿。")


def check_session(session: Session) -> None:
    """Raise LockedContent when the pending changes touch frozen rows."""
    with session.no_autoflush:
        for obj in list(session.new) + list(session.dirty) + list(session.deleted):
            _check(session, obj)


def _check(session: Session, obj: Any) -> None:
    is_new = obj in session.new
    is_deleted = obj in session.deleted
    if not is_new and not is_deleted and not session.is_modified(obj, include_collections=False):
        return
    if isinstance(obj, Signature | AuditEvent):
        if not is_new:
            kind = "签字记录" if isinstance(obj, Signature) else "审计日志"
            raise LockedContent(f"{kind}只能追加，不能修改或删除。")
        return
    if isinstance(obj, Revision):
        if is_deleted or (not is_new and _changed_columns(obj) & FROZEN_REVISION_COLUMNS):
            raise LockedContent(f"第 {obj.number} 版已提交，其快照和哈希不能修改或删除。")
        return
    if isinstance(obj, Evaluation):
        if is_new:
            return
        before, now = _states(obj)
        frozen = before if before != EvaluationState.DRAFT else now
        if is_deleted and frozen != EvaluationState.DRAFT:
            raise _refuse(obj, frozen, "或删除")
        if frozen != EvaluationState.DRAFT and _changed_columns(obj) - WORKFLOW_COLUMNS:
            raise _refuse(obj, frozen, "评价信息")
        return
    if not isinstance(obj, CONTENT_MODELS):
        return
    evaluation = _evaluation_of(obj)
    if evaluation is None or evaluation in session.new:
        return
    before, now = _states(evaluation)
    if before == EvaluationState.DRAFT and now == EvaluationState.DRAFT:
        return
    if (isinstance(obj, TeamMember) and is_new and obj.added_in_review
            and before == now == EvaluationState.TEAM_REVIEW):
        return  # 加签
    what = "得分和指标" if isinstance(obj, Indicator | Evidence) else "评价内容"
    raise _refuse(evaluation, before if before != EvaluationState.DRAFT else now, what)


@event.listens_for(Session, "before_flush")
def _before_flush(session: Session, flush_context: Any, instances: Any) -> None:
    check_session(session)
