"""Checks (b) and (e) of ``flask integrity verify``: revisions, live content, stored scores.

- ``revisions``: every revision's snapshot still hashes (in its own algorithm) to its content
  hash, and its MAC (and, once approved, its approval MAC) verifies under the key ring — so a
  snapshot and hash recomputed together by SQL are caught too.
- ``content``: for every evaluation outside draft, its LIVE rows — header, names, targets,
  actuals, scores, funding, expenses, sub-projects, sections, team and roles, evidence hashes —
  re-serialised with the very function that made the snapshot (``to_document``) equal the
  current revision's snapshot (the newest submitted one: a returned revision is history and its
  evaluation is back in draft, where content may change). Reference data a snapshot quotes
  (profiles, unit name, grade scheme) may change legitimately and is only reported as a hint.
  The state is checked against the rows it implies: a revision for every state past draft, every
  required member's signature from 组长审定 on, the leader's approval once scores lock.
- ``derived``: the scores stored on each evaluation (``evaluations.derived``) equal their
  recomputation — from the current snapshot outside draft, from the working copy in draft.

Evaluations and revisions are read in id-ordered batches (keyset, ``batch`` rows) in the
caller's own session, which is emptied after each batch, so memory stays flat on 100,000.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from workflow_app.audit.models import AuditEvent
from workflow_app.evaluations import derived
from workflow_app.evaluations.document import canonical_json, to_document
from workflow_app.evaluations.models import Evaluation, GradeScheme
from workflow_app.evaluations.scorecard import load_options
from workflow_app.integrity import docdiff, hashing, keys, macs
from workflow_app.integrity.report import CheckResult
from workflow_app.workflow.models import Revision, Signature, SignatureKind
from workflow_app.workflow.states import EvaluationState, TeamRole

SIGNED_STATES = frozenset({EvaluationState.LEADER_SIGNOFF, EvaluationState.FINANCE_ACCEPTANCE,
                           EvaluationState.ACCEPTED, EvaluationState.PUBLISHED})


def _name(evaluation_id: int, number: int | None = None, title: str | None = None) -> str:
    text = f"评价 #{evaluation_id}"
    if title:
        text += f"《{title}》"
    if number is not None:
        text += f"第 {number} 版"
    return text


def check_revisions(session: Session, batch: int) -> CheckResult:
    """Every revision: snapshot ↔ content hash, revision MAC, approval MAC."""
    result = CheckResult("revisions", "修订版本（快照哈希与校验码）", unit="个版本")
    last = 0
    while True:
        rows = list(session.scalars(select(Revision).where(Revision.id > last)
                                    .order_by(Revision.id).limit(batch)))
        if not rows:
            return result
        for revision in rows:
            result.checked += 1
            where = _name(revision.evaluation_id, revision.number)
            detail = {"evaluation_id": revision.evaluation_id, "revision": revision.number,
                      "revision_id": revision.id}
            if revision.hash_algorithm not in hashing.ALGORITHMS:
                result.fault(f"{where}的哈希算法 {revision.hash_algorithm!r} 未知", **detail)
                continue
            digest = hashing.hexdigest(revision.snapshot.encode("utf-8"), revision.hash_algorithm)
            if digest != revision.content_hash:
                result.fault(f"{where}的快照与其内容哈希不符（快照被改动）", **detail)
            elif not keys.check(macs.of_revision(revision), revision.mac_key_id, revision.mac):
                result.fault(f"{where}的提交校验码不符（版本的哈希、提交人或时间被改动，"
                             "或该版本不是由本系统写入）", **detail)
            elif revision.approved_at is not None and not keys.check(
                    macs.of_approval(revision), revision.approval_mac_key_id,
                    revision.approval_mac):
                result.fault(f"{where}的审定校验码不符（审定人或审定时间被改动）", **detail)
        last = rows[-1].id
        session.expunge_all()


RETURN_ACTIONS = ("return", "withdraw")


def _revision_history(session: Session, ids: list[int]) -> dict[str, dict[int, Any]]:
    """Per evaluation of the batch: earlier revisions never closed, revisions marked returned,
    and the returns and withdrawals the audit trail recorded."""
    left_open = dict(session.execute(
        select(Revision.evaluation_id, func.min(Revision.number))
        .join(Evaluation, Evaluation.id == Revision.evaluation_id)
        .where(Revision.evaluation_id.in_(ids), Revision.returned_at.is_(None),
               Revision.number < Evaluation.revision_number)
        .group_by(Revision.evaluation_id)).all())
    closed = dict(session.execute(
        select(Revision.evaluation_id, func.count()).where(
            Revision.evaluation_id.in_(ids), Revision.returned_at.is_not(None))
        .group_by(Revision.evaluation_id)).all())
    recorded = dict(session.execute(
        select(AuditEvent.evaluation_id, func.count()).where(
            AuditEvent.evaluation_id.in_(ids), AuditEvent.action.in_(RETURN_ACTIONS))
        .group_by(AuditEvent.evaluation_id)).all()) if closed else {}
    return {"left_open": left_open, "closed": closed, "recorded": recorded}


def _check_history(result: CheckResult, evaluation: Evaluation, revision: Revision | None,
                   history: dict[str, dict[int, Any]]) -> None:
    """A return opens the next revision number and marks the old revision returned, recorded
    in the audit trail; a state or number set by hand leaves one of these out."""
    name = _name(evaluation.id, title=evaluation.project_name)
    if evaluation.state == EvaluationState.DRAFT and revision is not None:
        result.fault(f"{name}处于「草稿」，但第 {revision.number} 版已提交且没有退回记录"
                     "（流程状态被改回草稿）", evaluation_id=evaluation.id)
    elif (number := history["left_open"].get(evaluation.id)) is not None:
        result.fault(f"{name}第 {number} 版没有退回记录，却已开始第 "
                     f"{evaluation.revision_number} 版（版本号被改动）",
                     evaluation_id=evaluation.id)
    elif history["closed"].get(evaluation.id, 0) > history["recorded"].get(evaluation.id, 0):
        result.fault(f"{name}有 {history['closed'][evaluation.id]} 个版本记为已退回，审计记录"
                     f"中只有 {history['recorded'].get(evaluation.id, 0)} 次退回或撤回",
                     evaluation_id=evaluation.id)


def _document_options() -> list:
    return [*load_options(), selectinload(Evaluation.funding),
            selectinload(Evaluation.expenses), selectinload(Evaluation.sub_projects),
            selectinload(Evaluation.sections),
            selectinload(Evaluation.grade_scheme).selectinload(GradeScheme.bands),
            joinedload(Evaluation.unit)]


def _live_for(evaluation: Evaluation, snapshot: dict[str, Any]) -> dict[str, Any]:
    """The live document, minus 加签 members the snapshot does not name."""
    live = dict(to_document(evaluation))  # a copy: the document may be shared by reads
    named = {m.get("username") for m in snapshot.get("team") or []}
    added = {m.user.username for m in evaluation.team if m.added_in_review}
    live["team"] = [m for m in live["team"]
                    if m["username"] in named or m["username"] not in added]
    return live


def _compare(content: CheckResult, evaluation: Evaluation, revision: Revision) -> None:
    where = _name(evaluation.id, revision.number, evaluation.project_name)
    detail = {"evaluation_id": evaluation.id, "revision": revision.number}
    try:
        snapshot = json.loads(revision.snapshot)
    except ValueError:
        content.fault(f"{where}的快照不是有效的 JSON", **detail)
        return
    live = _live_for(evaluation, snapshot)
    if hashing.hexdigest(canonical_json(live).encode("utf-8"),
                         revision.hash_algorithm) == revision.content_hash:
        return
    aligned = docdiff.align_reference_data(snapshot, live)
    difference = docdiff.first_difference(snapshot, aligned)
    if difference is None:
        where_ref = docdiff.first_difference(snapshot, live) or "参考数据"
        content.warn(f"{where}引用的人员或单位信息已更新（{where_ref}），已签署的快照保持原样")
        return
    content.fault(f"{where}：{difference}", **detail)


def _check_state(content: CheckResult, evaluation: Evaluation, revision: Revision,
                 signatures: list[tuple[int, SignatureKind]]) -> None:
    state = evaluation.state
    where = _name(evaluation.id, revision.number, evaluation.project_name)
    detail = {"evaluation_id": evaluation.id, "revision": revision.number}
    if state in SIGNED_STATES:
        signed = {member for member, kind in signatures if kind == SignatureKind.SIGN}
        missing = [m.user.username for m in evaluation.team
                   if m.role != TeamRole.LEADER and m.user_id not in signed]
        if missing:
            content.fault(f"{where}处于「{state.label}」，但成员 {', '.join(missing)} 没有签字"
                          "（流程状态被改动）", **detail)
            return
    if state.scores_locked:
        approvals = [m for m, kind in signatures if kind == SignatureKind.APPROVE]
        if revision.approved_at is None or not approvals:
            content.fault(f"{where}处于「{state.label}」，但没有组长的审定（流程状态被改动）",
                          **detail)


def _check_derived(scores: CheckResult, evaluation: Evaluation, want: derived.Derived) -> None:
    have = derived.stored(evaluation)
    if have == want:
        return
    for column in derived.COLUMNS:
        if getattr(have, column) != getattr(want, column):
            scores.fault(f"{_name(evaluation.id, title=evaluation.project_name)}存储的 {column} "
                         f"为 {getattr(have, column)}，按内容重新计算为 {getattr(want, column)}",
                         evaluation_id=evaluation.id, column=column)
            return


def check_evaluations(session: Session, batch: int) -> tuple[CheckResult, CheckResult]:
    """(content, derived) over every evaluation, in batches."""
    content = CheckResult("content", "已提交内容（现行数据与快照）", unit="份评价")
    scores = CheckResult("derived", "存储的得分与等级", unit="项")
    last = 0
    while True:
        evaluations = list(session.scalars(
            select(Evaluation).where(Evaluation.id > last).order_by(Evaluation.id)
            .limit(batch).options(*_document_options())).unique())
        if not evaluations:
            return content, scores
        ids = [e.id for e in evaluations]
        current = {r.evaluation_id: r for r in session.scalars(
            select(Revision).join(Evaluation, and_(
                Evaluation.id == Revision.evaluation_id,
                Evaluation.revision_number == Revision.number))
            .where(Revision.evaluation_id.in_(ids)))}
        signatures: dict[int, list[tuple[int, SignatureKind]]] = {}
        revision_ids = [r.id for r in current.values()]
        if revision_ids:
            for revision_id, member_id, kind in session.execute(
                    select(Signature.revision_id, Signature.member_id, Signature.kind)
                    .where(Signature.revision_id.in_(revision_ids))):
                signatures.setdefault(revision_id, []).append((member_id, kind))
        history = _revision_history(session, ids)
        for evaluation in evaluations:
            scores.checked += 1
            _check_history(content, evaluation, current.get(evaluation.id), history)
            if evaluation.state == EvaluationState.DRAFT:
                _check_derived(scores, evaluation, derived.of_working_copy(evaluation))
                continue
            content.checked += 1
            revision = current.get(evaluation.id)
            if revision is None:
                content.fault(f"{_name(evaluation.id, title=evaluation.project_name)}处于"
                              f"「{evaluation.state.label}」，但没有第 "
                              f"{evaluation.revision_number} 版的提交记录（流程状态被改动）",
                              evaluation_id=evaluation.id)
                continue
            _compare(content, evaluation, revision)
            _check_state(content, evaluation, revision, signatures.get(revision.id, []))
            _check_derived(scores, evaluation, derived.of_snapshot(revision.snapshot))
        last = ids[-1]
        session.expunge_all()
