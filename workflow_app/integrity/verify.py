"""``flask --app workflow_app integrity verify``: is every record still what was written?

``run()`` checks, naming the first fault of each check (issue 9 item 6c):

1. ``chain`` — the audit chain (``audit.trail.verify``), and ``checkpoints`` — its head against
   the checkpoints kept outside the database (``audit.checkpoints.verify``, when installed), so
   truncation, a deleted tail and a recomputed chain are caught;
2. ``revisions`` / ``content`` — every revision's snapshot against its hash and MACs, and every
   submitted evaluation's live rows against its current revision's snapshot, all content
   (``integrity.content_check``);
3. ``signatures`` — every signature's and approval's MAC (``integrity.record_checks``);
4. ``reports`` — every published PDF against ``published_reports.sha256`` and the hash in its
   publication's audit event; ``evidence`` — evidence files against their hashes;
5. ``derived`` — stored totals and grades (evaluations and published reports) against their
   recomputation.

It reads in batches through its own session (the caller's session and objects are untouched),
and writes its result to ``<instance>/integrity-last.json`` (``INTEGRITY_RESULT_FILE``), which
``last_result()`` reads: the audit page and the nightly job show it. A check that cannot run
(the key ring is missing, say) is a fault, never a crash.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import logging
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy.orm import Session

from workflow_app.dbtypes import utcnow
from workflow_app.extensions import db
from workflow_app.integrity import content_check, record_checks
from workflow_app.integrity.report import CheckResult, Report

log = logging.getLogger(__name__)
RESULT_FILE = "integrity-last.json"
DEFAULT_BATCH = 100


def result_path() -> Path:
    """Where the last result is kept (outside the database, beside the key ring)."""
    configured = current_app.config.get("INTEGRITY_RESULT_FILE")
    return Path(configured) if configured else Path(current_app.instance_path) / RESULT_FILE


def _guarded(key: str, label: str, fn: Callable[[], Any]) -> list[CheckResult]:
    """Run a check; an exception becomes a fault of that check instead of a crash."""
    try:
        out = fn()
    except Exception as exc:  # noqa: BLE001  (report it: a check that cannot run is a fault)
        log.exception("integrity check %s failed to run", key)
        failed = CheckResult(key, label)
        failed.fault(f"无法完成校验：{type(exc).__name__}: {str(exc)[:300]}")
        return [failed]
    return list(out) if isinstance(out, tuple | list) else [out]


def check_chain() -> CheckResult:
    """The audit chain, event by event (``audit.trail.verify``)."""
    from workflow_app.audit import trail

    outcome = trail.verify()
    result = CheckResult("chain", "审计链", unit="条记录")
    result.checked = int(getattr(outcome, "count", 0) or 0)
    if not getattr(outcome, "ok", False):
        bad = getattr(outcome, "bad_event_id", None)
        problem = getattr(outcome, "problem", "") or "校验未通过"
        result.fault(f"第一条异常记录 id={bad}，{problem}", event_id=bad)
    return result


def check_checkpoints() -> CheckResult | None:
    """The chain's head against the checkpoints outside the database, when installed."""
    try:
        module = importlib.import_module("workflow_app.audit.checkpoints")
    except ModuleNotFoundError as exc:
        if exc.name == "workflow_app.audit.checkpoints":
            return None
        raise
    verify = getattr(module, "verify", None)
    if not callable(verify):
        return None
    outcome = verify()
    result = CheckResult("checkpoints", "审计链检查点", unit="个检查点")
    result.checked = int(getattr(outcome, "count", None) or getattr(outcome, "checked", 0) or 0)
    if not getattr(outcome, "ok", False):
        problem = (getattr(outcome, "problem", None) or getattr(outcome, "message", None)
                   or "检查点与审计链不符")
        result.fault(str(problem))
    return result


def run(*, write: bool = True, batch: int | None = None) -> Report:
    """Run every check; write the result file (unless ``write`` is False) and return it."""
    size = int(batch or current_app.config.get("INTEGRITY_BATCH") or DEFAULT_BATCH)
    at = utcnow()
    checks: list[CheckResult] = []
    checks += _guarded("chain", "审计链", check_chain)
    checks += [c for c in _guarded("checkpoints", "审计链检查点", check_checkpoints) if c]
    with Session(db.engine, autoflush=False, expire_on_commit=False) as session:
        checks += _guarded("revisions", "修订版本（快照哈希与校验码）",
                           lambda: content_check.check_revisions(session, size))
        session.rollback()
        evaluated = _guarded("content", "已提交内容（现行数据与快照）",
                             lambda: content_check.check_evaluations(session, size))
        session.rollback()
        scores = next((c for c in evaluated if c.key == "derived"), None)
        if scores is None:
            scores = CheckResult("derived", "存储的得分与等级", unit="项")
            evaluated.append(scores)
        checks += [c for c in evaluated if c.key != "derived"]
        checks += _guarded("signatures", "签字与审定校验码",
                           lambda: record_checks.check_signatures(session, size))
        session.rollback()
        checks += _guarded("reports", "公开报告（PDF 与发布记录）",
                           lambda: record_checks.check_reports(session, scores))
        session.rollback()
        checks += _guarded("evidence", "佐证材料（文件与哈希）",
                           lambda: record_checks.check_evidence(session, size))
        checks.append(scores)
    report = Report(at, checks)
    if write:
        _write(report)
    return report


verify = run  # the name the nightly job and older callers look for


def _write(report: Report) -> None:
    path = result_path()
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".integrity-last.", dir=str(path.parent))
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(report.as_dict(), out, ensure_ascii=False, indent=1)
        os.replace(tmp, path)
    except OSError:
        log.exception("could not write the integrity result to %s", path)
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def last_result() -> dict[str, Any] | None:
    """The result the last run wrote ({ok, at, checked, faults, warnings, lines}), or None."""
    try:
        data = json.loads(result_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None
