"""Checks (c) and (d) of ``flask integrity verify``, and the evidence files.

- ``signatures``: every signature's MAC verifies under the key ring (any key id, so rotation
  keeps old signatures valid); it copies its revision's content hash; an approval (审定) is by
  the revision's approver at the approval time, and a revision's approval has its signature.
- ``reports``: every published PDF's bytes hash to ``published_reports.sha256`` and to the hash
  recorded in the audit event of its publication (``report_stored`` by the job, or ``publish``
  in synchronous mode); the stored score and grade equal the published snapshot's (checked
  under ``derived``). A publication event that recorded no hash (published before it did) is a
  hint, not a fault. The audit events themselves are guarded by the chain and its checkpoints.
- ``evidence``: every evidence file's bytes hash to the SHA-256 the content document (and so
  the signatures) quotes.

All read in id-ordered batches in the caller's session, emptied after each batch.
"""

from __future__ import annotations

import hashlib
import json

from sqlalchemy import select
from sqlalchemy.orm import Session, undefer

from workflow_app.audit.models import AuditEvent
from workflow_app.evaluations.models import Evidence
from workflow_app.integrity import keys, macs
from workflow_app.integrity.report import CheckResult
from workflow_app.public.models import PublishedReport
from workflow_app.workflow.models import Revision, Signature, SignatureKind

REPORT_BATCH = 20  # PDFs are large: fewer per batch
PUBLICATION_ACTIONS = ("report_stored", "publish")


def check_signatures(session: Session, batch: int) -> CheckResult:
    """Every signature's MAC, hash and approval consistency."""
    result = CheckResult("signatures", "签字与审定校验码", unit="个签字")
    last = 0
    while True:
        rows = list(session.execute(
            select(Signature, Revision.content_hash, Revision.evaluation_id, Revision.number,
                   Revision.approved_at, Revision.approved_by_id)
            .join(Revision, Revision.id == Signature.revision_id)
            .where(Signature.id > last).order_by(Signature.id).limit(batch)))
        if not rows:
            break
        for signature, revision_hash, evaluation_id, number, approved_at, approver in rows:
            result.checked += 1
            who = "审定" if signature.kind == SignatureKind.APPROVE else "签字"
            where = (f"评价 #{evaluation_id} 第 {number} 版 {signature.member_id} 号用户的{who}"
                     f"（签字 id={signature.id}）")
            detail = {"evaluation_id": evaluation_id, "revision": number,
                      "signature_id": signature.id}
            if not keys.check(macs.of_signature(signature), signature.mac_key_id,
                              signature.mac):
                known = keys.known(signature.mac_key_id)
                cause = ("签字人、成员、时间、角色或哈希被改动" if known
                         else f"密钥编号 {signature.mac_key_id!r} 不在密钥环中")
                result.fault(f"{where}的校验码不符（{cause}，或该签字不是由本系统写入）",
                             **detail)
            elif signature.content_hash != revision_hash:
                result.fault(f"{where}所签的哈希与该版本的内容哈希不符", **detail)
            elif signature.kind == SignatureKind.APPROVE and (
                    approved_at is None or approver != signature.member_id
                    or approved_at != signature.signed_at):
                result.fault(f"{where}与该版本记录的审定人或审定时间不符", **detail)
        last = rows[-1][0].id
        session.expunge_all()
    # An approval recorded on a revision without the leader's signature row.
    orphan = session.execute(
        select(Revision.id, Revision.evaluation_id, Revision.number)
        .where(Revision.approved_at.is_not(None), ~select(Signature.id).where(
            Signature.revision_id == Revision.id,
            Signature.kind == SignatureKind.APPROVE).exists())
        .order_by(Revision.id).limit(1)).first()
    if orphan is not None:
        result.fault(f"评价 #{orphan.evaluation_id} 第 {orphan.number} 版记录了审定，"
                     "但没有组长的审定签字", evaluation_id=orphan.evaluation_id,
                     revision=orphan.number)
    return result


def _recorded_hash(action: str, detail: dict | None) -> str | None:
    """The PDF hash a publication event recorded: the worker's ``report_stored`` keeps it as
    ``sha256``, a publication rendered in the request as ``report_sha256``."""
    detail = detail or {}
    return detail.get("sha256") if action == "report_stored" else detail.get("report_sha256")


def _publication_hashes(session: Session, evaluation_ids: list[int]) -> dict[int, list]:
    """Evaluation id → [(action, recorded sha256 or None)] of its publication events."""
    events: dict[int, list] = {}
    for evaluation_id, action, detail in session.execute(
            select(AuditEvent.evaluation_id, AuditEvent.action, AuditEvent.detail)
            .where(AuditEvent.evaluation_id.in_(evaluation_ids),
                   AuditEvent.action.in_(PUBLICATION_ACTIONS))
            .order_by(AuditEvent.id)):
        events.setdefault(evaluation_id, []).append((action, _recorded_hash(action, detail)))
    return events


def check_reports(session: Session, scores: CheckResult) -> CheckResult:
    """Every published PDF against its stored hash and its publication event; its stored
    score and grade against its snapshot (counted in ``scores``)."""
    from workflow_app.public.publication import listing_scores

    result = CheckResult("reports", "公开报告（PDF 与发布记录）", unit="份报告")
    last = 0
    while True:
        reports = list(session.scalars(
            select(PublishedReport).options(undefer(PublishedReport.pdf))
            .where(PublishedReport.id > last).order_by(PublishedReport.id)
            .limit(REPORT_BATCH)))
        if not reports:
            _check_missing_reports(session, result)
            return result
        events = _publication_hashes(session, [r.evaluation_id for r in reports])
        snapshots = dict(session.execute(select(Revision.id, Revision.snapshot).where(
            Revision.id.in_([r.revision_id for r in reports]))).all())
        for report in reports:
            result.checked += 1
            where = f"评价 #{report.evaluation_id} 的公开报告（核验码 {report.verification_code}）"
            detail = {"evaluation_id": report.evaluation_id, "report_id": report.id}
            actual = hashlib.sha256(report.pdf or b"").hexdigest()
            recorded = [h for _a, h in events.get(report.evaluation_id, []) if h]
            if actual != report.sha256:
                result.fault(f"{where}的 PDF 与其记录的 SHA-256 不符（文件被替换）", **detail)
            elif recorded and actual not in recorded:
                result.fault(f"{where}的 PDF 与发布时审计记录中的哈希 {recorded[-1][:16]}… 不符"
                             "（文件和哈希被一并替换）", **detail)
            elif not recorded and events.get(report.evaluation_id):
                result.warn(f"{where}发布时的审计记录未登记报告哈希（早期版本发布）")
            elif not recorded:
                result.fault(f"{where}没有发布的审计记录", **detail)
            _check_listing(scores, report, snapshots.get(report.revision_id), listing_scores)
        last = reports[-1].id
        session.expunge_all()


def _check_missing_reports(session: Session, result: CheckResult) -> None:
    """A publication the audit trail recorded with its PDF's hash, whose report row is gone."""
    stored = select(PublishedReport.evaluation_id)
    for evaluation_id, action, detail in session.execute(
            select(AuditEvent.evaluation_id, AuditEvent.action, AuditEvent.detail)
            .where(AuditEvent.action.in_(PUBLICATION_ACTIONS),
                   AuditEvent.evaluation_id.is_not(None),
                   AuditEvent.evaluation_id.not_in(stored))
            .order_by(AuditEvent.id)):
        recorded = _recorded_hash(action, detail)
        if recorded:
            result.fault(f"评价 #{evaluation_id} 的公开报告已登记在审计记录中（PDF 哈希 "
                         f"{recorded[:16]}…），但报告已不存在（被删除）",
                         evaluation_id=evaluation_id)
            return


def _check_listing(scores: CheckResult, report: PublishedReport, snapshot: str | None,
                   listing_scores) -> None:  # noqa: ANN001
    scores.checked += 1
    if snapshot is None:
        return
    try:
        want = listing_scores(json.loads(snapshot))
    except ValueError:
        return
    for column in ("total_score", "computed_total_score", "grade"):
        have = getattr(report, column)
        if have != want[column]:
            scores.fault(f"评价 #{report.evaluation_id} 的公开报告存储的 {column} 为 {have}，"
                         f"按公开版本重新计算为 {want[column]}",
                         evaluation_id=report.evaluation_id, column=column)
            return


def check_evidence(session: Session, batch: int) -> CheckResult:
    """Every evidence file's bytes against its SHA-256."""
    result = CheckResult("evidence", "佐证材料（文件与哈希）", unit="个文件")
    last = 0
    size = max(1, batch // 5)
    while True:
        rows = list(session.execute(select(Evidence.id, Evidence.indicator_id, Evidence.filename,
                                           Evidence.sha256, Evidence.data)
                                    .where(Evidence.id > last).order_by(Evidence.id)
                                    .limit(size)))
        if not rows:
            return result
        for evidence_id, indicator_id, filename, digest, data in rows:
            result.checked += 1
            if hashlib.sha256(data or b"").hexdigest() != digest:
                result.fault(f"佐证材料「{filename}」（id={evidence_id}，指标 id={indicator_id}）"
                             "的文件内容与其哈希不符", evidence_id=evidence_id)
        last = rows[-1][0]
