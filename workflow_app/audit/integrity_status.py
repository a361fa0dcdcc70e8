"""The integrity result the audit page shows, and running the check from it.

The full check (``flask integrity verify``: chain with checkpoints, revisions, signature MACs,
published PDFs) belongs to the integrity area, ``workflow_app.integrity.verify`` with
``run()`` → report (``ok``, ``at``, ``lines()``) and ``last_result()`` → dict | None (its stored
result file). When that module is installed it is used; otherwise the audit chain is verified
(``audit.trail.verify``). Every run from the page is also recorded as an ``integrity_checked``
event, so without the module the last result is the newest such event.
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
        return importlib.import_module("workflow_app.integrity.verify")
    except ModuleNotFoundError as exc:
        if exc.name in ("workflow_app.integrity", "workflow_app.integrity.verify"):
            return None  # the integrity area is not installed: the audit chain check is used
        raise


def _summary_of(ok: bool, lines: list[str]) -> str:
    faults = [line for line in lines if "异常" in line]
    if ok:
        return "完整性校验通过：" + "；".join(lines)
    return "完整性校验发现问题：" + "；".join(faults or lines)


def run_check(actor: User | None) -> IntegrityResult:
    """Run the integrity check now and record its outcome (flushes; the caller commits)."""
    module = _integrity_module()
    if module is not None and callable(getattr(module, "run", None)):
        report = module.run()
        ok, source = bool(report.ok), "integrity"
        summary = _summary_of(ok, list(report.lines()))
    else:
        result = trail.verify()
        ok, source = result.ok, "audit_chain"
        summary = (f"审计链完整：共 {result.count} 条记录，校验通过。" if result.ok else
                   f"审计链被破坏：第一条异常记录 id={result.bad_event_id}，{result.problem}")
    event = trail.record("integrity_checked", actor, detail={
        "ok": ok, "summary": summary[:2000], "source": source})
    return IntegrityResult(ok, summary, event.created_at, source)


def _stored_result(module) -> IntegrityResult | None:  # noqa: ANN001
    stored = getattr(module, "last_result", None)
    data = stored() if callable(stored) else None
    if not isinstance(data, dict):
        return None
    ok = bool(data.get("ok"))
    faults = data.get("faults") or {}
    checked = data.get("checked") or {}
    if ok:
        summary = "完整性校验通过：" + "，".join(f"{k} {v}" for k, v in checked.items())
    else:
        summary = "完整性校验发现问题：" + "；".join(
            f"{k}：{(v or {}).get('message', '')}" for k, v in faults.items())
    try:
        at = datetime.fromisoformat(str(data.get("at")))
    except ValueError:
        at = None
    return IntegrityResult(ok, summary, at, "integrity")


def last_result() -> IntegrityResult | None:
    """The newest stored result: the integrity module's own file, else the newest recorded
    run of the audit chain check."""
    module = _integrity_module()
    if module is not None:
        stored = _stored_result(module)
        if stored is not None:
            return stored
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "integrity_checked")
                              .order_by(AuditEvent.id.desc()).limit(1))
    if event is None:
        return None
    detail = event.detail or {}
    return IntegrityResult(bool(detail.get("ok")), str(detail.get("summary", "")),
                           event.created_at, str(detail.get("source", "audit_chain")))
