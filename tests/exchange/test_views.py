"""The exchange pages: downloads and the import page (errors shown in Chinese)."""

from __future__ import annotations

import io

from openpyxl import load_workbook
from sqlalchemy import func, select

from workflow_app.evaluations.models import Evaluation
from workflow_app.exchange import excel
from workflow_app.exchange.json_io import dumps, export_document
from workflow_app.extensions import db


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(Evaluation))


def test_downloads(login, demo):
    client = login(demo.users["preparer"])
    response = client.get(f"/evaluations/{demo.seed001.id}/export.xlsx")
    assert response.status_code == 200
    assert response.mimetype == excel.XLSX_MIMETYPE
    ws = load_workbook(io.BytesIO(response.data))["自评表"]
    assert ws["A1"].value == "部门整体支出绩效自评表"
    response = client.get(f"/evaluations/{demo.seed001.id}/export.json")
    assert response.status_code == 200 and response.get_json()["kind"] == "unit_whole"


def test_downloads_of_another_unit_are_404(login, demo):
    client = login(demo.users["he_bh"])
    assert client.get(f"/evaluations/{demo.seed001.id}/export.xlsx").status_code == 404
    assert client.get(f"/evaluations/{demo.seed001.id}/export.json").status_code == 404


def test_import_page_creates_a_draft_from_json(login, demo):
    client = login(demo.users["preparer"])
    assert client.get("/evaluations/import").status_code == 200
    data = dumps(export_document(demo.website)).encode()
    before = _count()
    response = client.post("/evaluations/import",
                           data={"file": (io.BytesIO(data), "website.json")})
    assert response.status_code == 302
    assert _count() == before + 1


def test_import_page_creates_a_draft_from_xlsx(login, demo):
    client = login(demo.users["preparer"])
    data = excel.export_xlsx(demo.seed001)
    response = client.post("/evaluations/import", data={
        "file": (io.BytesIO(data), "table.xlsx"), "fiscal_year": "2022", "template": "",
        "project_name": ""})
    assert response.status_code == 302, response.get_data(as_text=True)


def test_import_page_shows_problems_in_chinese(login, demo):
    client = login(demo.users["preparer"])
    before = _count()
    response = client.post("/evaluations/import",
                           data={"file": (io.BytesIO(b'{"schema": 1}'), "x.json")})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "导入失败，未做任何改动" in page and "不是本系统的评价文件" in page
    response = client.post("/evaluations/import", data={"file": (io.BytesIO(b"x"), "x.doc")})
    assert "只能导入 .json" in response.get_data(as_text=True)
    assert _count() == before


def test_only_preparers_see_the_import_page(login, demo):
    assert login(demo.users["leader"]).get("/evaluations/import").status_code == 403


def test_import_into_a_draft(login, demo, draft001):
    client = login(demo.users["preparer"])
    url = f"/evaluations/{draft001.id}/import.xlsx"
    assert client.get(url).status_code == 200
    wb = load_workbook(io.BytesIO(excel.export_xlsx(draft001)))
    ws = wb["自评表"]
    ws["G9"].value = 6
    out = io.BytesIO()
    wb.save(out)
    response = client.post(url, data={"file": (io.BytesIO(out.getvalue()), "t.xlsx")})
    assert response.status_code == 302
    db.session.expire_all()
    leaf = next(i for i in db.session.get(Evaluation, draft001.id).indicators
                if i.name == "绩效目标科学性")
    assert str(leaf.score.normalize()) == "6"
    response = client.post(url, data={"file": (io.BytesIO(out.getvalue()), "t.xlsx")})
    assert response.status_code == 400
    assert "该评价已被他人修改" in response.get_data(as_text=True)


def test_import_into_needs_edit_rights(login, demo, draft001):
    url = f"/evaluations/{draft001.id}/import.xlsx"
    assert login(demo.users["leader"]).get(url).status_code == 403


def test_import_into_another_units_draft_is_404(login, demo, draft001):
    url = f"/evaluations/{draft001.id}/import.xlsx"
    assert login(demo.users["he_bh"]).get(url).status_code == 404
