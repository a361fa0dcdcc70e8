"""Checkpoints of the audit chain's head outside the database (issue 9 item 6b).

The hash chain alone proves only that the rows agree with each other: someone who can write
SQL can delete the newest rows, truncate the table, or edit a row and recompute every hash
after it, and the chain still verifies. So the head of the chain — the newest event's id and
hash, how many events there are up to it, when, and a MAC under the server key that is *not*
in the database (``workflow_app.integrity.keys``) — is appended as one JSON line to a file:

    {"v": 1, "event_id": 1200, "hash": "…", "count": 1200, "at": "2026-12-02T06:00:00+00:00",
     "key_id": "…:sha256", "mac": "…"}

Where and when:

- ``AUDIT_CHECKPOINT_PATH`` (default ``<instance_path>/audit-checkpoints.jsonl``), opened with
  ``O_APPEND`` (one ``write`` per line, under an exclusive ``flock``) and ``fsync``-ed; the
  application never rewrites or truncates it. Keep it on storage the database's users cannot
  write (and, with several app instances, on storage they share — or give each its own file
  and verify each).
- After every commit whose new events cross a multiple of ``AUDIT_CHECKPOINT_EVERY`` (default
  100; 0 turns the automatic ones off), read from the database *after* the commit, so a
  rolled-back event is never checkpointed; on demand (``flask --app workflow_app audit
  checkpoint``) and by the nightly integrity job. A failure to write (disk, no key) is logged
  and never fails the user's request.

What ``verify()`` guarantees — against someone who can change the database but neither the
checkpoint file nor the key:

- rows deleted from the tail (a checkpoint names an id beyond the newest row) and the table
  truncated (checkpoints, no rows) are detected and named;
- a chain edited and recomputed by hand is detected at the first checkpoint after the edit
  (the hash at a checkpointed id differs, or that id is gone), and rows deleted or inserted
  before a checkpoint change the count there;
- a forged or altered checkpoint line is detected (its MAC does not hold) and not trusted.

What it does not guarantee:

- events after the newest checkpoint (at most ``AUDIT_CHECKPOINT_EVERY`` - 1 of them between
  timers) are protected by the hash chain only: they can be removed or recomputed unnoticed —
  ``verify()`` reports how many there are;
- someone who can also write the checkpoint file can delete lines (or the whole file: no
  checkpoints means nothing to compare, which is reported, not a fault — a fresh restore has
  none); someone who holds the key can forge lines. Protecting the file and the key is the
  operating system's job (permissions, a separate account, a remote append-only log).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import current_app, has_app_context
from sqlalchemy import func, select

from workflow_app.audit.models import AuditEvent
from workflow_app.dbtypes import utcnow
from workflow_app.extensions import db

log = logging.getLogger(__name__)
FILE_NAME = "audit-checkpoints.jsonl"
DEFAULT_EVERY = 100
SCAN_BATCH = 50_000


def path() -> Path:
    """The checkpoint file (``AUDIT_CHECKPOINT_PATH``, else in the instance folder)."""
    configured = current_app.config.get("AUDIT_CHECKPOINT_PATH")
    return Path(configured) if configured else Path(current_app.instance_path) / FILE_NAME


def every() -> int:
    """Events between automatic checkpoints (``AUDIT_CHECKPOINT_EVERY``; 0 = none)."""
    value = current_app.config.get("AUDIT_CHECKPOINT_EVERY", DEFAULT_EVERY)
    return max(0, int(DEFAULT_EVERY if value is None else value))


def _message(entry: dict[str, Any]) -> bytes:
    """What the MAC covers: every field of the line but the key id and the MAC."""
    signed = {k: v for k, v in entry.items() if k not in ("key_id", "mac")}
    return json.dumps(signed, sort_keys=True, ensure_ascii=False,
                      separators=(",", ":")).encode("utf-8")


def _check(entry: dict[str, Any]) -> bool:
    from workflow_app.integrity import keys

    return keys.check(_message(entry), entry.get("key_id"), entry.get("mac"))


def _valid_shape(entry: Any) -> bool:
    return (isinstance(entry, dict) and isinstance(entry.get("event_id"), int)
            and isinstance(entry.get("count"), int) and isinstance(entry.get("hash"), str))


def _last_trusted(handle) -> dict[str, Any] | None:  # noqa: ANN001
    """The newest line of the file whose MAC holds (read from the end)."""
    size = handle.seek(0, os.SEEK_END)
    handle.seek(max(0, size - 8192))
    for line in reversed(handle.read().splitlines()):
        with contextlib.suppress(ValueError):
            entry = json.loads(line)
            if _valid_shape(entry) and _check(entry):
                return entry
    return None


def _head(connection, previous: dict[str, Any] | None) -> tuple[int, str, int] | None:  # noqa: ANN001
    """(id, hash, count) of the newest committed event, or None for an empty chain.

    The count continues the previous checkpoint when it still names a row with its hash (one
    short range count); otherwise every row up to the head is counted.
    """
    table = AuditEvent.__table__
    head = connection.execute(
        select(table.c.id, table.c.hash).order_by(table.c.id.desc()).limit(1)).first()
    if head is None:
        return None
    base_id, base_count = 0, 0
    if previous is not None and previous["event_id"] <= head.id:
        stored = connection.execute(
            select(table.c.hash).where(table.c.id == previous["event_id"])).scalar()
        if stored == previous["hash"]:
            base_id, base_count = previous["event_id"], previous["count"]
    counted = connection.execute(select(func.count()).select_from(table).where(
        table.c.id > base_id, table.c.id <= head.id)).scalar_one()
    return head.id, head.hash, base_count + counted


def write() -> dict[str, Any] | None:
    """Append a checkpoint of the chain's committed head; the line written, or None when the
    chain is empty or the head is already checkpointed. Raises on failure (see ``write_safely``).
    """
    from workflow_app.integrity import keys

    target = path()
    target.parent.mkdir(parents=True, exist_ok=True)
    created = not target.exists()
    fd = os.open(target, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # one writer at a time: the count continues the last
        with os.fdopen(os.dup(fd), "rb") as reader:
            previous = _last_trusted(reader)
        with db.engine.connect() as connection:
            head = _head(connection, previous)
        if head is None or (previous is not None and previous["event_id"] == head[0]
                            and previous["hash"] == head[1]):
            return None
        entry: dict[str, Any] = {"v": 1, "event_id": head[0], "hash": head[1],
                                 "count": head[2], "at": utcnow().isoformat()}
        entry["key_id"], entry["mac"] = keys.mac(_message(entry))
        os.write(fd, (json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n").encode())
        os.fsync(fd)
    finally:
        os.close(fd)  # closing releases the lock
    if created:
        with contextlib.suppress(OSError):  # the new file's name is durable too
            dir_fd = os.open(target.parent, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)
    return entry


def write_safely() -> dict[str, Any] | None:
    """``write()``, logging instead of raising: a checkpoint never fails the caller."""
    try:
        return write()
    except Exception:  # noqa: BLE001  (the events are committed; the next checkpoint covers them)
        log.exception("writing the audit checkpoint to %s failed", _path_or_unknown())
        return None


def _path_or_unknown() -> str:
    try:
        return str(path())
    except Exception:  # noqa: BLE001
        return "?"


def after_commit(written: list[tuple[int, str]]) -> None:
    """Called by the trail once a commit appended events ``[(id, hash)]``: checkpoint when
    they crossed a multiple of ``AUDIT_CHECKPOINT_EVERY``."""
    if not written or not has_app_context():
        return
    n = every()
    ids = [event_id for event_id, _ in written]
    if n and max(ids) // n > (min(ids) - 1) // n:
        write_safely()


# ------------------------------------------------------------------------------ verification


@dataclass(frozen=True)
class Fault:
    """One disagreement: its kind, a Chinese sentence naming it, and where."""

    kind: str  # truncated | tail_deleted | recomputed | missing_row | count | forged | unreadable
    message: str
    event_id: int | None = None
    line: int | None = None


@dataclass
class CheckpointResult:
    """Checkpoints against the chain: ok, how many were checked, the faults in order found."""

    checked: int = 0
    faults: list[Fault] = field(default_factory=list)
    newest: dict[str, Any] | None = None
    events: int = 0  # rows in the table
    uncovered: int = 0  # events after the newest checkpoint (the chain alone guards them)
    file: str = ""

    @property
    def ok(self) -> bool:
        return not self.faults

    @property
    def problem(self) -> str:
        """The first fault's sentence ('' when ok)."""
        return self.faults[0].message if self.faults else ""

    def lines(self) -> list[str]:
        """Chinese lines for the command line: a summary, or each fault."""
        if self.faults:
            return [f"检查点异常：{f.message}" for f in self.faults]
        if not self.checked:
            return [f"尚无审计链检查点（{self.file}），无法对照数据库之外的记录。"]
        newest = self.newest or {}
        return [f"检查点一致：{self.checked} 个检查点，最新 id={newest.get('event_id')}"
                f"（共 {newest.get('count')} 条，{newest.get('at')}）；"
                f"其后 {self.uncovered} 条记录仅由哈希链保护。"]


def _read(file: Path, result: CheckpointResult) -> list[dict[str, Any]]:
    trusted: list[dict[str, Any]] = []
    try:
        handle = file.open("rb")
    except FileNotFoundError:
        return trusted
    with handle:
        for number, raw in enumerate(handle, 1):
            if not raw.strip():
                continue
            try:
                entry = json.loads(raw)
            except ValueError:
                entry = None
            if not _valid_shape(entry):
                result.faults.append(Fault("unreadable", f"检查点文件第 {number} 行无法解析"
                                           "（文件被改动）", line=number))
                continue
            if not _check(entry):
                result.faults.append(Fault(
                    "forged", f"检查点文件第 {number} 行（id={entry['event_id']}）的校验码（MAC）"
                    "不符：检查点被伪造或改动", entry["event_id"], number))
                continue
            trusted.append(entry)
    return trusted


def _id_hash_rows() -> Iterator[Any]:
    """(id, hash) of every event in id order, in keyset batches (no hashing: fast)."""
    table = AuditEvent.__table__
    connection = db.session.connection()
    last = 0
    while True:
        chunk = connection.execute(select(table.c.id, table.c.hash).where(table.c.id > last)
                                   .order_by(table.c.id).limit(SCAN_BATCH)).all()
        if not chunk:
            return
        yield from chunk
        last = chunk[-1].id


def verify() -> CheckpointResult:
    """Compare the checkpoint file with the table: every trusted checkpoint's id must be a row
    with the checkpoint's hash and count, and none may lie beyond the newest row.

    The hashes of the rows themselves are ``trail.verify()``'s part; this walk reads only ids
    and hashes (one stream, constant memory).
    """
    file = path()
    result = CheckpointResult(file=str(file))
    points = sorted(_read(file, result), key=lambda e: (e["event_id"], e["count"]))
    result.checked = len(points)
    pending = iter(points)
    point = next(pending, None)
    count = 0
    last_id = None
    for row in _id_hash_rows():
        count += 1
        last_id = row.id
        while point is not None and point["event_id"] < row.id:
            result.faults.append(Fault(
                "missing_row", f"检查点记录的 id={point['event_id']} 在审计表中已不存在"
                "（记录被删除，哈希链可能被重算）", point["event_id"]))
            point = next(pending, None)
        while point is not None and point["event_id"] == row.id:
            if point["hash"] != row.hash:
                result.faults.append(Fault(
                    "recomputed", f"id={row.id} 的哈希与检查点（{point['at']}）记录的不符："
                    "记录被修改且哈希链被重算", row.id))
            elif point["count"] != count:
                result.faults.append(Fault(
                    "count", f"截至 id={row.id} 应有 {point['count']} 条记录，审计表中为 "
                    f"{count} 条：此前的记录被删除或插入", row.id))
            point = next(pending, None)
    result.events = count
    beyond = [point, *pending] if point is not None else []
    if beyond:
        newest = beyond[-1]
        if last_id is None:
            result.faults.append(Fault(
                "truncated", f"审计表为空，而检查点记录到 id={newest['event_id']}"
                f"（共 {newest['count']} 条，{newest['at']}）：审计表被清空", newest["event_id"]))
        else:
            result.faults.append(Fault(
                "tail_deleted", f"检查点记录到 id={newest['event_id']}（共 {newest['count']} 条，"
                f"{newest['at']}），而审计表最新记录为 id={last_id}：尾部记录被删除",
                newest["event_id"]))
    if points:
        result.newest = points[-1]
        if last_id is not None:
            result.uncovered = max(0, count - min(count, points[-1]["count"]))
    return result
