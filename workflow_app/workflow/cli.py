"""`flask --app workflow_app workflow …`: fire a trigger from a script, print the diagram.

The command goes through the same operation as the pages and the API, and commits once.
"""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from workflow_app.extensions import db

workflow_cli = AppGroup("workflow", help="审签流程")


@workflow_cli.command("fire")
@click.argument("evaluation_id", type=int)
@click.argument("trigger")
@click.option("--as", "username", required=True, help="以哪个用户的身份执行")
@click.option("--reason", default="", help="理由（退回时必填）")
@click.option("--comment", default="", help="意见")
def fire_command(evaluation_id: int, trigger: str, username: str, reason: str,
                 comment: str) -> None:
    """Fire TRIGGER on EVALUATION_ID as a user; exit 1 with the Chinese reason if refused."""
    from workflow_app.auth.models import User
    from workflow_app.evaluations.models import Evaluation
    from workflow_app.workflow.errors import WorkflowError
    from workflow_app.workflow.operations import fire

    user = db.session.scalar(select(User).where(User.username == username))
    evaluation = db.session.get(Evaluation, evaluation_id)
    if user is None or evaluation is None:
        raise click.ClickException("找不到该用户或评价")
    try:
        fire(evaluation, trigger, user, reason=reason, comment=comment, client_address="cli")
    except WorkflowError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(f"{evaluation.project_name}：{evaluation.state.label}（{evaluation.state.value}）")


@workflow_cli.command("diagram")
@click.option("--svg", is_flag=True, help="输出 SVG（默认输出 mermaid 文本）")
def diagram_command(svg: bool) -> None:
    """Print the state diagram drawn from the table."""
    from workflow_app.workflow import diagram

    click.echo(diagram.svg() if svg else diagram.mermaid())
