"""`flask --app workflow_app evaluations export|import|export-xlsx|import-xlsx`."""

from __future__ import annotations

import io
import json

from openpyxl import load_workbook
from sqlalchemy import func, select

from workflow_app.evaluations.document import to_document
from workflow_app.evaluations.models import Evaluation
from workflow_app.extensions import db


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(Evaluation))


def test_export_then_import(app, demo, tmp_path):
    runner = app.test_cli_runner()
    out = tmp_path / "seed001.json"
    result = runner.invoke(args=["evaluations", "export", str(demo.seed001.id), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text(encoding="utf-8"))["project_name"] == demo.seed001.project_name

    result = runner.invoke(args=["evaluations", "import", str(out), "--preparer", "preparer"])
    assert result.exit_code == 0, result.output
    assert "已导入为草稿" in result.output
    new_id = int(result.output.split("评价 ")[1].split("（")[0])
    db.session.expire_all()
    assert to_document(db.session.get(Evaluation, new_id)) == to_document(demo.seed001)


def test_export_to_stdout(app, demo):
    result = app.test_cli_runner().invoke(args=["evaluations", "export", str(demo.seed000.id)])
    assert result.exit_code == 0
    assert json.loads(result.output)["fiscal_year"] == 2021


def test_import_refuses_a_bad_file_and_changes_nothing(app, demo, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"schema": "jixiao-ziping/evaluation", "version": 1, "kind": "x"}',
                   encoding="utf-8")
    before = _count()
    result = app.test_cli_runner().invoke(
        args=["evaluations", "import", str(bad), "--preparer", "preparer"])
    assert result.exit_code == 1
    assert "导入失败，未做任何改动" in result.output and "kind" in result.output
    assert _count() == before


def test_import_needs_a_preparer(app, demo, tmp_path):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["evaluations", "import", "x.json"]).exit_code == 2
    result = runner.invoke(args=["evaluations", "import", "x.json", "--preparer", "leader"])
    assert result.exit_code == 1 and "不是预算单位的填报人" in result.output
    result = runner.invoke(args=["evaluations", "import", "x.json", "--preparer", "ghost"])
    assert "找不到用户 ghost" in result.output


def test_unknown_evaluation(app, demo):
    result = app.test_cli_runner().invoke(args=["evaluations", "export", "99999"])
    assert result.exit_code == 1 and "找不到评价 99999" in result.output


def test_xlsx_export_and_import_into_a_draft(app, demo, draft001, tmp_path):
    runner = app.test_cli_runner()
    out = tmp_path / "table.xlsx"
    result = runner.invoke(args=["evaluations", "export-xlsx", str(draft001.id), "-o", str(out)])
    assert result.exit_code == 0, result.output
    ws = load_workbook(io.BytesIO(out.read_bytes()))["自评表"]
    assert ws["A1"].value == "部门整体支出绩效自评表"
    result = runner.invoke(args=["evaluations", "import-xlsx", str(out), "--into",
                                 str(draft001.id), "--preparer", "preparer"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["evaluations", "import-xlsx", str(out), "--preparer",
                                 "preparer", "--project-name", "从表格新建"])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(Evaluation).where(Evaluation.project_name == "从表格新建"))


def test_import_xlsx_refuses_garbage(app, demo, tmp_path):
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a workbook")
    before = _count()
    result = app.test_cli_runner().invoke(
        args=["evaluations", "import-xlsx", str(bad), "--preparer", "preparer", "--year", "2022"])
    assert result.exit_code == 1 and "不是有效的 Excel" in result.output
    assert _count() == before
