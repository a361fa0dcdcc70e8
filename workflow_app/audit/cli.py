"""`flask audit verify` (the chain, streamed) and `flask audit export`: write audit events to a
file, for archiving (docs/audit-retention.md).

Nothing is deleted: the database refuses to change or delete an event, and the application
keeps every event for at least AUDIT_RETENTION_DAYS (180). An archive is a verifiable copy:
each JSON line carries the event's fields with its prev_hash and hash.
"""

from __future__ import annotations

import json

import click
from flask.cli import AppGroup

from workflow_app.extensions import db


def add_audit_commands(group: AppGroup) -> None:
    """Attach `verify` and `export` to the `audit` group."""

    @group.command("verify")
    def verify_command() -> None:
        """Check the audit chain and its checkpoints; exit 1 and name each fault."""
        ok, lines = verify_report()
        for line in lines:
            click.echo(line, err=not ok)
        if not ok:
            raise SystemExit(1)

    @group.command("checkpoint")
    def checkpoint_command() -> None:
        """Append the chain's committed head to the checkpoint file (with its MAC)."""
        from workflow_app.audit import checkpoints

        try:
            entry = checkpoints.write()
        except Exception as exc:  # noqa: BLE001  (said plainly; the exit code tells the timer)
            raise click.ClickException(f"写入检查点失败：{exc}") from exc
        if entry is None:
            click.echo(f"无需新的检查点（审计链为空，或最新记录已有检查点）：{checkpoints.path()}")
            return
        click.echo(f"已写入检查点：id={entry['event_id']}，共 {entry['count']} 条记录 → "
                   f"{checkpoints.path()}")

    @group.command("export")
    @click.option("--since", default="", help="起始日期（北京时间，含），YYYY-MM-DD")
    @click.option("--until", default="", help="截止日期（北京时间，含），YYYY-MM-DD")
    @click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True),
                  required=True, help="输出文件（.jsonl）")
    def export_command(since: str, until: str, output: str) -> None:
        """Write the events of a period, oldest first, one JSON object per line."""
        from workflow_app.audit.models import AuditEvent
        from workflow_app.audit.query import filtered as filtered_query
        from workflow_app.audit.query import parse_filter

        audit_filter, errors = parse_filter({"since": since, "until": until})
        if errors:
            raise click.ClickException("；".join(errors.values()))
        query = filtered_query(audit_filter).order_by(None).order_by(AuditEvent.id)
        count = 0
        with open(output, "w", encoding="utf-8") as out:
            for event in db.session.scalars(query.execution_options(yield_per=1000)):
                out.write(json.dumps({
                    "id": event.id, "created_at": event.created_at.isoformat(),
                    "evaluation_id": event.evaluation_id, "actor_id": event.actor_id,
                    "actor_role": event.actor_role, "action": event.action,
                    "from_state": event.from_state, "to_state": event.to_state,
                    "reason": event.reason, "detail": event.detail or {},
                    "prev_hash": event.prev_hash, "hash": event.hash,
                }, ensure_ascii=False, sort_keys=True) + "\n")
                count += 1
        click.echo(f"已导出 {count} 条审计记录到 {output}")


def verify_report() -> tuple[bool, list[str]]:
    """Verify the chain and its checkpoints; (ok, lines in Chinese naming each fault)."""
    from workflow_app.audit import checkpoints
    from workflow_app.audit.trail import verify
    from workflow_app.integrity import hashing

    result = verify()
    names = "、".join(hashing.label(a) for a in result.algorithms) or hashing.label(
        hashing.current())
    if result.ok:
        lines = [f"审计链完整：共 {result.count} 条记录（哈希算法 {names}），校验通过。"]
    else:
        lines = [f"审计链被破坏：第一条异常记录 id={result.bad_event_id}，{result.problem}"
                 f"（此前记录的哈希算法 {names}）"]
    marks = checkpoints.verify()
    return result.ok and marks.ok, lines + marks.lines()
