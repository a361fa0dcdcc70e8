"""`flask --app workflow_app evaluations check-scores | refresh-scores`: the stored derived
scores (evaluations.derived) against what the engine computes now."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from workflow_app.extensions import db


def add_commands(group: AppGroup) -> None:
    """Attach the two commands to the ``evaluations`` group."""

    @group.command("check-scores")
    def check_scores_command() -> None:
        """List every evaluation whose stored scores differ from the engine's; exit 1 if any."""
        from workflow_app.evaluations.derived import check_stored

        bad = 0
        for evaluation_id, have, want in check_stored():
            bad += 1
            click.echo(f"评价 {evaluation_id}：存储 {have.self_total}/{have.computed_total}/"
                       f"{have.open_leaves}/{have.grade}，应为 {want.self_total}/"
                       f"{want.computed_total}/{want.open_leaves}/{want.grade}", err=True)
        if bad:
            click.echo(f"共 {bad} 项存储的得分与计算结果不一致"
                       "（flask --app workflow_app evaluations refresh-scores 可修复）。", err=True)
            raise SystemExit(1)
        click.echo("存储的得分与计算结果一致。")

    @group.command("refresh-scores")
    def refresh_scores_command() -> None:
        """Recompute and store every evaluation's derived scores (after an engine change)."""
        from workflow_app.evaluations.derived import refresh_all

        changed = refresh_all()
        db.session.commit()
        click.echo(f"已更新 {changed} 项评价的存储得分。")
