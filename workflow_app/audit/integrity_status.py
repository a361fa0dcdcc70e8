"""The integrity result the audit page shows, and running the check from it.

The full check (`flask integrity verify`: chain with checkpoints, revisions, signature MACs,
published PDFs) belongs to the integrity area. When that module is installed and offers
``run_verify()`` / ``last_result()``, they are used; otherwise the audit chain is verified
(``audit.trail.verify``). Every run is recorded as an ``integrity_checked`` event, so the
last result is the newest such event.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from workflow_app.audit import trail
from workflow_app.audit.models import AuditEvent
from workflow_app.auth.models import User
from workflow_app.extensions import db


@dataclass(frozen=True)
class IntegrityResult:
    """ok, a one-line Chinese summary, when and by what it was produced."""

    ok: bool
    summary: str
    checked_at: datetime | None = None
    source: str = "audit_chain"


def _integrity_module():
    try:
        return importlib.import_module("workflow_app.integrity")
    except ModuleNotFoundError:
        return None


def run_check(actor: User | None) -> IntegrityResult:
    """Run the integrity check now and record its outcome (flushes; the caller commits)."""
    module = _integrity_module()
    runner = getattr(module, "run_verify", None) if module else None
    if runner is not None:
        outcome = runner()
        ok, summary, source = bool(outcome.ok), str(getattr(outcome, "summary", "")), "integrity"
    else:
        result = trail.verify()
        ok, source = result.ok, "audit_chain"
        summary = (f"审计链完整：共 {result.count} 条记录，校验通过。" if result.ok else
                   f"审计链被破坏：第一条异常记录 id={result.bad_event_id}，{result.problem}")
    event = trail.record("integrity_checked", actor, detail={
        "ok": ok, "summary": summary, "source": source})
    return IntegrityResult(ok, summary, event.created_at, source)


def last_result() -> IntegrityResult | None:
    """The newest stored result: the integrity module's own, else the newest recorded run."""
    module = _integrity_module()
    stored = getattr(module, "last_result", None) if module else None
    if stored is not None:
        outcome = stored()
        if outcome is not None:
            return IntegrityResult(bool(outcome.ok), str(getattr(outcome, "summary", "")),
                                   getattr(outcome, "checked_at", None), "integrity")
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "integrity_checked")
                              .order_by(AuditEvent.id.desc()).limit(1))
    if event is None:
        return None
    detail = event.detail or {}
    return IntegrityResult(bool(detail.get("ok")), str(detail.get("summary", "")),
                           event.created_at, str(detail.get("source", "audit_chain")))
