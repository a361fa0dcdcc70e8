"""Command-line faces: demo data, users, audit. Each command commits once, at the end."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from workflow_app.extensions import db

users_cli = AppGroup("users", help="用户管理")
audit_cli = AppGroup("audit", help="审计日志")


@click.command("demo")
def demo_command() -> None:
    """Load the demo data (idempotent: running it twice changes nothing)."""
    from workflow_app.demo import load_demo

    report = load_demo()
    db.session.commit()
    click.echo(report)


def register_cli(app: Flask) -> None:
    """Attach the commands to `flask --app workflow_app ...`."""
    from workflow_app.audit.cli import add_audit_commands
    from workflow_app.auth.cli import add_user_commands

    add_user_commands(users_cli)
    add_audit_commands(audit_cli)
    app.cli.add_command(demo_command)
    from workflow_app.dbroles import register as register_db_roles

    register_db_roles(app)
    app.cli.add_command(users_cli)
    app.cli.add_command(audit_cli)
    from workflow_app.backup.cli import backup_cli
    from workflow_app.jobs.cli import jobs_cli
    from workflow_app.workflow.cli import workflow_cli

    app.cli.add_command(workflow_cli)
    app.cli.add_command(jobs_cli)
    app.cli.add_command(backup_cli)
    from workflow_app.integrity.cli import integrity_cli

    app.cli.add_command(integrity_cli)
    try:
        from workflow_app.exchange.cli import evaluations_cli
    except ModuleNotFoundError:
        return
    from workflow_app.evaluations.derived_cli import add_commands

    add_commands(evaluations_cli)
    app.cli.add_command(evaluations_cli)
