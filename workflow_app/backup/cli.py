"""``flask --app workflow_app backup create PATH`` / ``backup restore PATH``."""

from __future__ import annotations

import click
from flask.cli import AppGroup

backup_cli = AppGroup("backup", help="备份与恢复（数据库、佐证材料、公开报告、审计日志、实例文件）")


@backup_cli.command("create")
@click.argument("path", type=click.Path(dir_okay=False))
def create_command(path: str) -> None:
    """Write a backup archive (.tar) of the database and the instance files to PATH."""
    from workflow_app.backup.archive import BackupError, create_backup

    try:
        manifest = create_backup(path)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    rows = sum(manifest["row_counts"].values())
    click.echo(f"已备份到 {path}：{manifest['dialect']} 数据库 {len(manifest['row_counts'])} 张表、"
               f"{rows} 行，实例文件 {len(manifest['members']) - 1} 个。")


@backup_cli.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def restore_command(path: str) -> None:
    """Restore PATH into the configured (empty) database, then run the integrity check."""
    from workflow_app.backup.archive import BackupError, restore_backup

    try:
        report = restore_backup(path)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"已恢复：{report.tables} 张表、{report.rows} 行，实例文件 {report.files} 个；"
               f"行数与备份一致。{report.integrity_message}")
    if not report.integrity_ok:
        raise SystemExit(1)
