"""`flask --app workflow_app evaluations …`: export and import evaluations (JSON and Excel).

Each command commits once, at the end; a refused import changes nothing and exits 1 with
every problem listed in Chinese.
"""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select

from workflow_app.extensions import db

evaluations_cli = AppGroup("evaluations", help="绩效自评的导出与导入（JSON、Excel 自评表）")


def _evaluation(evaluation_id: int):
    from workflow_app.evaluations.models import Evaluation

    evaluation = db.session.get(Evaluation, evaluation_id)
    if evaluation is None:
        raise click.ClickException(f"找不到评价 {evaluation_id}")
    return evaluation


def _user(username: str):
    from workflow_app.auth.models import User

    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        raise click.ClickException(f"找不到用户 {username}")
    return user


def _refused(problems: list[str]) -> None:
    db.session.rollback()
    click.echo("导入失败，未做任何改动：", err=True)
    for problem in problems:
        click.echo(f"  - {problem}", err=True)
    raise SystemExit(1)


def _read(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise click.ClickException(f"无法读取文件 {path}：{exc.strerror}") from None


def _write(data: bytes, output: str | None) -> None:
    if output in (None, "-"):
        click.echo(data, nl=False)
        return
    Path(output).write_bytes(data)
    click.echo(f"已写入 {output}", err=True)


@evaluations_cli.command("export")
@click.argument("evaluation_id", type=int)
@click.option("--output", "-o", help="输出文件（默认写到标准输出）")
def export_command(evaluation_id: int, output: str | None) -> None:
    """Export evaluation ID as the exchange JSON (docs/evaluation-schema.md)."""
    from workflow_app.exchange.json_io import dumps, export_document

    _write(dumps(export_document(_evaluation(evaluation_id))).encode("utf-8"), output)


@evaluations_cli.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--preparer", required=True, help="填报人用户名；评价建在其所在单位")
def import_command(file: str, preparer: str) -> None:
    """Import an exchange JSON FILE as a new draft of the preparer's unit."""
    from workflow_app.evaluations.document import DocumentError
    from workflow_app.evaluations.operations import OperationError
    from workflow_app.exchange.json_io import import_bytes

    user = _user(preparer)
    if not user.is_preparer or user.unit.is_bureau:
        raise click.ClickException(f"用户 {preparer} 不是预算单位的填报人")
    try:
        evaluation = import_bytes(_read(file), preparer=user)
    except DocumentError as exc:
        _refused(exc.problems)
    except OperationError as exc:
        _refused([str(exc)])
    db.session.commit()
    click.echo(f"已导入为草稿：评价 {evaluation.id}（{evaluation.project_name}，{user.unit.name}）")


@evaluations_cli.command("export-xlsx")
@click.argument("evaluation_id", type=int)
@click.option("--output", "-o", help="输出文件（默认 <年度>-<项目名称>-<ID>-自评表.xlsx）")
def export_xlsx_command(evaluation_id: int, output: str | None) -> None:
    """Export the 自评表 of evaluation ID as Excel (.xlsx)."""
    from workflow_app.exchange.excel import export_xlsx

    evaluation = _evaluation(evaluation_id)
    default = f"{evaluation.fiscal_year}-{evaluation.project_name}-{evaluation.id}-自评表.xlsx"
    output = output or default
    _write(export_xlsx(evaluation), output)


@evaluations_cli.command("import-xlsx")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--into", "into_id", type=int, help="更新这个草稿（评价 ID）的指标值和得分")
@click.option("--preparer", required=True, help="填报人用户名（操作人）")
@click.option("--template", "template_key", help="新建时使用的指标模板（默认按 Excel 记录或版式）")
@click.option("--year", "fiscal_year", type=int, help="新建时的评价年度（Excel 未记录时必填）")
@click.option("--project-name", help="新建时的项目名称")
def import_xlsx_command(file: str, into_id: int | None, preparer: str, template_key: str | None,
                        fiscal_year: int | None, project_name: str | None) -> None:
    """Import a filled-in 自评表 FILE: update draft --into ID, or create a new draft."""
    from workflow_app.evaluations.access import can_edit_content
    from workflow_app.evaluations.document import DocumentError
    from workflow_app.evaluations.operations import OperationError
    from workflow_app.exchange import excel

    user = _user(preparer)
    data = _read(file)
    try:
        if into_id is not None:
            evaluation = _evaluation(into_id)
            if not can_edit_content(user, evaluation):
                raise click.ClickException(
                    f"用户 {preparer} 不能修改评价 {into_id}（须为本单位填报人，且评价为草稿）")
            excel.import_into(evaluation, data, user)
            message = f"已更新评价 {evaluation.id} 的指标值和得分"
        else:
            if not user.is_preparer or user.unit.is_bureau:
                raise click.ClickException(f"用户 {preparer} 不是预算单位的填报人")
            evaluation = excel.create_from_xlsx(data, user, template_key=template_key,
                                                fiscal_year=fiscal_year,
                                                project_name=project_name)
            message = f"已导入为草稿：评价 {evaluation.id}（{evaluation.project_name}）"
    except DocumentError as exc:
        _refused(exc.problems)
    except OperationError as exc:
        _refused([str(exc)])
    db.session.commit()
    click.echo(message)
