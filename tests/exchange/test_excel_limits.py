"""Hostile workbooks (issue 9 item 9): refused with a Chinese message while streaming, before
anything is saved, and the portal keeps answering."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from tests import hostile_xlsx
from workflow_app.evaluations.document import DocumentError
from workflow_app.evaluations.models import Evaluation
from workflow_app.exchange import excel
from workflow_app.extensions import db


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(Evaluation))


@pytest.fixture(scope="module")
def huge_sheet() -> bytes:
    return hostile_xlsx.huge_sheet()


@pytest.fixture(scope="module")
def zip_bomb() -> bytes:
    return hostile_xlsx.zip_bomb()


def test_the_hostile_files_are_what_they_claim(huge_sheet, zip_bomb):
    import zipfile

    assert 9 * 1024 * 1024 < len(huge_sheet) < excel.MAX_BYTES
    assert len(zip_bomb) < 2 * 1024 * 1024
    with zipfile.ZipFile(io.BytesIO(zip_bomb)) as archive:
        assert archive.getinfo("xl/worksheets/sheet1.xml").file_size > 250 * 1024 * 1024


@pytest.mark.parametrize("name, words", [
    ("huge_sheet", "超过 3000 行"),
    ("zip_bomb", "解压后过大"),
    ("many_sheets", "工作表过多"),
    ("not_a_workbook", "不是有效的 Excel 工作簿"),
    ("zip_but_not_xlsx", "不是有效的 Excel 工作簿"),
])
def test_hostile_workbooks_are_refused_on_the_import_page(login, demo, client, request,
                                                          name, words):
    data = request.getfixturevalue(name) if name in ("huge_sheet", "zip_bomb") \
        else getattr(hostile_xlsx, name)()
    before = _count()
    response = login(demo.users["preparer"]).post(
        "/evaluations/import", data={"file": (io.BytesIO(data), "自评表.xlsx"),
                                     "fiscal_year": "2024", "project_name": "攻击"})
    assert response.status_code == 400
    assert words in response.get_data(as_text=True)
    db.session.expire_all()
    assert _count() == before
    assert client.get("/public/").status_code == 200  # the portal keeps answering


def _exported(draft) -> bytes:  # noqa: ANN001
    return excel.export_xlsx(draft)


@pytest.mark.parametrize("cell, value, words", [
    ("G10", "=SUM(6,1)", "是公式"),
    ("G10", "=HYPERLINK(\"http://x\",\"6\")", "是公式"),
    ("C60", "长" * 1_000_000, "内容过长"),
    ("Z5", "越界", "最多 20 列"),
    ("A3001", "最后一行", "超过 3000 行"),
])
def test_hostile_cells_are_refused_and_the_draft_is_unchanged(login, demo, draft001, cell,
                                                              value, words):
    data = hostile_xlsx.with_cell(_exported(draft001), excel.SHEET, cell, value)
    version = draft001.version
    response = login(demo.users["preparer"]).post(
        f"/evaluations/{draft001.id}/import.xlsx",
        data={"file": (io.BytesIO(data), "自评表.xlsx")})
    assert response.status_code == 400
    assert words in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Evaluation, draft001.id).version == version


def test_the_read_stops_when_its_time_budget_is_spent(draft001, monkeypatch):
    calls = iter(range(100_000))
    monkeypatch.setattr(excel, "_clock", lambda: next(calls) * 30.0)
    many = hostile_xlsx.with_cell(_exported(draft001), excel.SHEET, "A2500", "远处")
    with pytest.raises(DocumentError, match="超过 20 秒"):
        excel.read_xlsx(many)


def test_an_exported_workbook_still_reads_back(draft001):
    sheet = excel.read_xlsx(_exported(draft001))
    assert sheet.layout == "unit_whole" and len(sheet.rows) == 33
