"""The published artifact (公开报告): the report PDF rendered once at publication and kept.

``publish_artifact`` is called by the workflow's ``publish`` operation. It renders the
published revision's snapshot — the very content the team signed — with the revision's
record (signatures, re-check scores, totals, verification code and URL) and stores the bytes
with their SHA-256 in a ``PublishedReport``. It never renders twice: once a report exists for
the evaluation, that row is returned unchanged, so every later download is those bytes.

``report_record`` and ``current_report_pdf`` serve the logged-in download of a report that is
not (yet) published: the latest submitted revision, or the working copy, with a 草稿 watermark
until the team leader approves.

Like every operation, these functions flush and never commit.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from flask import current_app, has_request_context, request
from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session, defer

from workflow_app.dbtypes import utcnow
from workflow_app.evaluations.document import content_hash, to_document
from workflow_app.evaluations.models import Evaluation
from workflow_app.evaluations.operations import OperationError
from workflow_app.evaluations.scoring import ScoringError, format_decimal, score_document
from workflow_app.extensions import db
from workflow_app.integrity import hashing
from workflow_app.public.models import PublishedReport
from workflow_app.workflow.models import IndicatorReview, Revision
from workflow_app.workflow.states import EvaluationState

# Uppercase letters and digits without the look-alikes 0/O and 1/I (read off paper).
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_GROUPS = 2
CODE_GROUP_LENGTH = 4
DEFAULT_BASE_URL = "http://127.0.0.1:5000"



class PublishedReportLocked(OperationError):
    """A stored published report was about to change or disappear."""


class ReportPending(OperationError):
    """The evaluation is published but its PDF is still being rendered (正在生成报告)."""

    status = 202


@event.listens_for(Session, "before_flush")
def _published_reports_never_change(session: Session, _context: Any, _instances: Any) -> None:
    """Model-layer guard: a ``PublishedReport`` row is written once, never updated or deleted."""
    for obj in list(session.dirty) + list(session.deleted):
        if not isinstance(obj, PublishedReport):
            continue
        state = inspect(obj)
        changed = any(state.attrs[a.key].history.has_changes() for a in state.mapper.column_attrs)
        if obj in session.deleted or changed:
            raise PublishedReportLocked("公开发布的报告文件一经生成不能修改或删除。")


# --------------------------------------------------------------------------- codes and URLs


def new_verification_code() -> str:
    """A random, unused verification code such as ``7KQM-X4PA`` (32⁸ ≈ 10¹² codes)."""
    for _ in range(20):
        code = "-".join(
            "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_GROUP_LENGTH))
            for _ in range(CODE_GROUPS)
        )
        taken = db.session.scalar(
            select(PublishedReport.id).where(PublishedReport.verification_code == code)
        )
        if taken is None:
            return code
    raise OperationError("无法生成唯一的报告核验码，请重试。")  # pragma: no cover


def normalise_code(text: str) -> str:
    """A code as a reader typed it (lower case, spaces, no dash) in its printed form."""
    raw = "".join(ch for ch in (text or "").upper() if ch.isalnum())
    if len(raw) == CODE_GROUPS * CODE_GROUP_LENGTH:
        return "-".join(
            raw[i:i + CODE_GROUP_LENGTH] for i in range(0, len(raw), CODE_GROUP_LENGTH)
        )
    return raw


def public_base_url() -> str:
    """The portal's base URL: PUBLIC_BASE_URL, else the current request's host, else local."""
    configured = (current_app.config.get("PUBLIC_BASE_URL") or "").strip()
    if configured:
        return configured.rstrip("/")
    if has_request_context():
        return request.host_url.rstrip("/")
    return DEFAULT_BASE_URL


def public_address_problem(config: Mapping[str, Any]) -> str | None:
    """Why reports may not be published with this configuration, or ``None``.

    In production the verification address printed and QR-encoded on every published report
    must be the portal's public address: configured (a background job has no request to take
    a host from) and not the server itself (127.0.0.1, localhost), or no printed copy can ever
    be verified. Elsewhere (development, tests) the local fallback is fine.
    """
    if config.get("ENV_NAME") != "production":
        return None
    base = (config.get("PUBLIC_BASE_URL") or "").strip()
    if not base:
        return ("未配置公开网址（PUBLIC_BASE_URL），报告上的核验二维码将无法访问，"
                "暂不能公开；请系统管理员配置后再公开。")
    host = (urlsplit(base).hostname or "").lower()
    try:
        loopback = ipaddress.ip_address(host).is_loopback or host == "0.0.0.0"
    except ValueError:
        loopback = host in ("", "localhost") or host.endswith(".localhost")
    if loopback:
        return (f"公开网址 {base} 指向服务器本机，公众无法通过报告上的二维码核验，"
                "暂不能公开；请系统管理员配置对外的公开网址。")
    return None


def verification_url(code: str, base_url: str | None = None) -> str:
    """The address printed (and QR-encoded) on the published report.

    ``base_url`` is the publishing request's portal address when a job worker (which has no
    request) renders the report.
    """
    base = (base_url or "").rstrip("/") or public_base_url()
    return f"{base}/public/verify/{code}"


# --------------------------------------------------------------------------- the record


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def signature_records(revision: Revision) -> list[dict[str, Any]]:
    """The revision's signatures as the renderer reads them (member's username, signer's name).

    When someone signed on a member's behalf (转交), ``name`` is the signer and
    ``on_behalf_of_name`` the member.
    """
    rows = []
    for sig in revision.signatures:
        on_behalf = sig.signer_id != sig.member_id
        rows.append({
            "username": sig.member.username,
            "name": sig.signer.name,
            "member_name": sig.member.name,
            "on_behalf_of_name": sig.member.name if on_behalf else "",
            "role": sig.team_role.value,
            "kind": sig.kind.value,
            "signed_at": _iso(sig.signed_at),
            "content_hash": sig.content_hash,
            "comment": sig.comment or "",
            # What the signature page prints of a member missing from the snapshot (加签).
            "unit": sig.member.unit.display_short_name if sig.member.unit else "",
            "position": sig.member.position or "",
            "title": sig.member.title or "",
        })
    return rows


def review_records(revision: Revision) -> dict[str, dict[str, str | None]]:
    """The finance bureau's re-check (复核) of the revision, by indicator code."""
    rows = db.session.scalars(
        select(IndicatorReview)
        .where(IndicatorReview.revision_id == revision.id)
        .order_by(IndicatorReview.indicator_code)
    )
    return {
        r.indicator_code: {
            "score": format_decimal(r.score) if r.score is not None else None,
            "opinion": r.opinion or "",
        }
        for r in rows
    }


def _totals(doc: dict[str, Any]) -> dict[str, Any]:
    try:
        result = score_document(doc)
    except (ScoringError, ValueError, TypeError):
        return {}
    return {
        "total_score": format_decimal(result.entered_total),
        "computed_total_score": format_decimal(result.computed_total),
        "computed_open_count": result.open_count,
        "grade": result.entered_grade,
    }


def listing_scores(doc: dict[str, Any]) -> dict[str, Any]:
    """The totals and grade a published report is listed and filtered by (Decimals; None when
    the document cannot be scored, so the portal shows them as open, never as 0)."""
    try:
        result = score_document(doc)
    except (ScoringError, ValueError, TypeError):
        return {"total_score": None, "computed_total_score": None, "grade": None}
    return {"total_score": result.entered_total,
            "computed_total_score": result.computed_total,
            "grade": result.entered_grade or None}


def latest_revision(evaluation: Evaluation) -> Revision | None:
    """The submitted revision of the evaluation's current revision number, if submitted."""
    return db.session.scalar(
        select(Revision).where(
            Revision.evaluation_id == evaluation.id,
            Revision.number == evaluation.revision_number,
        )
    )


def revision_approved(evaluation: Evaluation, revision: Revision) -> bool:
    """True once the team leader approved this revision (scores locked, no watermark)."""
    if revision.approved_at is not None:
        return True
    return revision.number == evaluation.revision_number and evaluation.state.scores_locked


def report_document(evaluation: Evaluation, revision: Revision | None = None) -> dict[str, Any]:
    """The content to print: the revision's snapshot, or the working copy."""
    if revision is None:
        return to_document(evaluation)
    return json.loads(revision.snapshot)


def report_record(evaluation: Evaluation, revision: Revision | None = None, *,
                  draft: bool) -> dict[str, Any]:
    """The renderer's ``record`` for a revision (or, without one, the working copy).

    Signatures and re-check scores come from the revision; totals and grade are derived from
    the printed content with the scoring engine. ``verification`` and ``generated_at`` are
    added by the caller when it has them (publication).
    """
    doc = report_document(evaluation, revision)
    record: dict[str, Any] = {"draft": draft, **_totals(doc)}
    if revision is None:
        from workflow_app.workflow.awaiting import revision_note

        record.update({
            "revision": evaluation.revision_number,
            # A returned draft is not the revision its number would get on submission: it is
            # named as the pages name it ("第 1 版已退回，正在修改"; a first draft, nothing).
            "revision_label": revision_note(evaluation),
            "content_hash": content_hash(doc),
            "hash_algorithm": hashing.current(),
            "signatures": [],
            "reviews": {},
            "state_label": evaluation.state.label,
        })
        return record
    record.update({
        "revision": revision.number,
        "revision_label": f"第 {revision.number} 版",
        "content_hash": revision.content_hash,
        "hash_algorithm": revision.hash_algorithm,
        "signatures": signature_records(revision),
        "reviews": review_records(revision),
        "state_label": (evaluation.state.label if revision.number == evaluation.revision_number
                        else f"第 {revision.number} 版"),
    })
    return record


# --------------------------------------------------------------------------- rendering


def _render(doc: dict[str, Any], record: dict[str, Any]) -> bytes:
    from workflow_app.reports.render import render_report

    return render_report(doc, record=record)


def published_report_for(evaluation: Evaluation, *, with_pdf: bool = True
                         ) -> PublishedReport | None:
    """The evaluation's published artifact, if any (without loading the bytes on request)."""
    query = select(PublishedReport).where(PublishedReport.evaluation_id == evaluation.id)
    if not with_pdf:
        query = query.options(defer(PublishedReport.pdf))
    return db.session.scalar(query)


def check_publishable(evaluation: Evaluation, revision: Revision) -> dict[str, Any]:
    """The revision's snapshot, after checking it belongs to the evaluation and still hashes to
    the content hash the team signed (OperationError otherwise)."""
    if revision.evaluation_id != evaluation.id:
        raise OperationError("该修订版本不属于此绩效自评，无法发布。")
    doc = json.loads(revision.snapshot)
    if hashing.hexdigest(revision.snapshot.encode("utf-8"),
                         revision.hash_algorithm) != revision.content_hash:
        raise OperationError("修订版本的内容与其摘要不一致，已拒绝发布。")
    return doc


def publish_artifact(evaluation: Evaluation, revision: Revision, *,
                     base_url: str | None = None) -> PublishedReport:
    """Render the published revision once and store the PDF with its SHA-256.

    Idempotent: when the evaluation already has a published report it is returned as it is
    (never re-rendered). The revision must belong to the evaluation and its snapshot must
    still hash to the content hash the team signed. Flushes, never commits.
    """
    existing = published_report_for(evaluation)
    if existing is not None:
        return existing
    doc = check_publishable(evaluation, revision)
    published_at = utcnow().replace(microsecond=0)
    code = new_verification_code()
    record = report_record(evaluation, revision, draft=False)
    record.update({
        "state_label": EvaluationState.PUBLISHED.label,
        "verification": {"code": code, "url": verification_url(code, base_url)},
        "generated_at": published_at.isoformat(),
    })
    pdf = _render(doc, record)
    report = PublishedReport(
        evaluation_id=evaluation.id,
        revision_id=revision.id,
        verification_code=code,
        pdf=pdf,
        sha256=hashlib.sha256(pdf).hexdigest(),
        published_at=published_at,
        fiscal_year=evaluation.fiscal_year,
        kind=evaluation.kind,
        unit_id=evaluation.unit_id,
        **listing_scores(doc),
    )
    db.session.add(report)
    db.session.flush()
    return report


@dataclass(frozen=True)
class CurrentReport:
    """A report PDF for readers of the evaluation, and what it is."""

    pdf: bytes
    published: bool
    draft: bool
    revision: int


def current_report(evaluation: Evaluation) -> CurrentReport:
    """The report as it stands, for readers of the evaluation (not the public).

    Published: the stored bytes. Otherwise the latest submitted revision of the current
    revision number (watermarked 草稿 until the leader approves it), or, before submission,
    the working copy (always 草稿). The PDF's date is the revision's submission/approval time
    or the working copy's last change, so the same content gives the same bytes.
    """
    published = published_report_for(evaluation)
    if published is not None:
        number = db.session.scalar(
            select(Revision.number).where(Revision.id == published.revision_id)
        )
        return CurrentReport(published.pdf, True, False, number or evaluation.revision_number)
    if evaluation.state == EvaluationState.PUBLISHED:
        # Published, PDF not stored yet: nothing is shown until the stored bytes exist.
        raise ReportPending("正在生成报告，请稍候刷新。报告生成并保存后即可下载。")
    revision = latest_revision(evaluation)
    draft = revision is None or not revision_approved(evaluation, revision)
    record = report_record(evaluation, revision, draft=draft)
    if revision is None:
        stamp = evaluation.updated_at
    else:
        stamp = revision.approved_at or revision.submitted_at
    if stamp is not None:
        record["generated_at"] = stamp.replace(microsecond=0).isoformat()
    pdf = _render(report_document(evaluation, revision), record)
    return CurrentReport(pdf, False, draft, record["revision"])


def current_report_pdf(evaluation: Evaluation) -> bytes:
    """The bytes of ``current_report(evaluation)``."""
    return current_report(evaluation).pdf
