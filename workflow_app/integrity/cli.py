"""`flask --app workflow_app integrity …`: the key ring and the integrity check.

Each command that changes something is audited (``trail.record``) and commits once, at the end.
"""

from __future__ import annotations

import click
from flask.cli import AppGroup

from workflow_app.extensions import db

integrity_cli = AppGroup("integrity", help="完整性：密钥与校验")


@integrity_cli.command("rotate-key")
def rotate_key_command() -> None:
    """Add a new integrity key and make it current (older keys still verify old MACs)."""
    from workflow_app.audit import trail
    from workflow_app.integrity import keys

    try:
        key_id = keys.rotate()
    except keys.KeyRingError as exc:
        raise click.ClickException(str(exc)) from None
    trail.record("integrity_key_rotated", None, role="cli",
                 detail={"key_id": key_id, "keys": len(keys.ring().keys)})
    db.session.commit()
    click.echo(f"已生成新的完整性密钥 {key_id}，并设为当前密钥；旧密钥保留用于校验。")


@integrity_cli.command("key-status")
def key_status_command() -> None:
    """Show which key is current and how many keys the ring holds (never the keys)."""
    from workflow_app.integrity import keys

    try:
        ring = keys.ring()
    except keys.KeyRingError as exc:
        raise click.ClickException(str(exc)) from None
    source = "环境变量 INTEGRITY_KEYS" if ring.source == "env" else ring.source
    click.echo(f"当前密钥 {ring.current}，共 {len(ring.keys)} 个密钥，来源：{source}")


@integrity_cli.command("verify")
@click.option("--batch", type=click.IntRange(1, 10_000), default=None,
              help="每批读取的评价数（默认 100）")
def verify_command(batch: int | None) -> None:
    """Check the audit chain, revisions, live content, signatures, PDFs and stored scores;
    exit 1 and name the first fault of each check."""
    from workflow_app.audit import trail
    from workflow_app.integrity import verify

    report = verify.run(batch=batch)
    for line in report.lines():
        click.echo(line, err="异常" in line)
    summary = "；".join(report.lines())
    trail.record("integrity_checked", None, role="cli", detail={
        "ok": report.ok, "summary": summary[:2000], "source": "integrity"})
    db.session.commit()
    if report.ok:
        click.echo("完整性校验通过。")
        return
    click.echo("完整性校验发现问题（见上方标有“异常”的行）。", err=True)
    raise SystemExit(1)
