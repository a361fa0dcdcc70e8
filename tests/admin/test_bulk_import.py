"""Bulk import of units and users from Excel: a dry run that changes nothing and lists every
bad row, the import of the very file that was checked, a second import that updates rather
than duplicates, hostile files refused, and the same through the API."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from workflow_app.admin import bulk_import
from workflow_app.audit.models import AuditEvent
from workflow_app.auth.models import ApiToken, User
from workflow_app.units.models import Unit, UnitKind

UNITS = [["单位名称", "单位类型", "监管财政局", "简称", "主管部门"],
         ["某市财政局", "财政局", "", "", ""],
         ["某县教育局", "预算单位", "某市财政局", "教育局", "某县人民政府"],
         ["某县卫生健康局", "预算单位", "某市财政局", "", ""],
         ["某县水利局", "预算单位", "不存在的财政局", "", ""],   # row 5: unknown bureau
         ["某县统计局", "事业单位", "某市财政局", "", ""]]        # row 6: unknown kind
USERS = [["用户名", "姓名", "所属单位", "角色", "职务", "职称", "电话", "电子邮箱"],
         ["zhang_san", "张三", "某县教育局", "填报人", "科员", "", "0311-1234567", ""],
         ["li_si", "李 四", "某县卫生健康局", "", "局长", "", "", "lisi@example.cn"],
         ["wang_wu", "王五", "某市财政局", "财政局审核员", "", "", "", ""],
         ["zhao liu", "赵六", "某县教育局", "", "", "", "", ""],           # row 5: bad username
         ["qian_qi", "钱七", "某县不存在局", "", "", "", "", ""],          # row 6: unknown unit
         ["sun_ba", "孙八", "某县教育局", "系统管理员", "", "", "", ""],    # row 7: admin role
         ["zhou_jiu", "周九", "某县教育局", "填报人", "", "", "", "not-an-email"]]  # row 8


def workbook(units=UNITS, users=USERS) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "单位"
    for row in units:
        sheet.append(row)
    sheet = book.create_sheet("用户")
    for row in users:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture
def admin(make):
    bureau = make.bureau(name="测试市财政局")
    return make.user(bureau, username="root", is_admin=True)


def _count(model) -> int:
    from workflow_app.extensions import db

    return db.session.scalar(select(func.count()).select_from(model))


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def _post(client, data: bytes, **form):
    return client.post("/admin/import", data={"file": (io.BytesIO(data), "导入.xlsx"), **form},
                       content_type="multipart/form-data")


def test_dry_run_lists_every_bad_row_and_changes_nothing(login, db_session, admin):
    db_session.commit()
    units, users = _count(Unit), _count(User)
    page = _text(_post(login(admin), workbook(), mode="check"))
    assert "检查完毕：将新建单位 3 个、用户 3 个" in page and "6 行有误" in page
    for sheet, row, column, words in [("单位", 5, "监管财政局", "不存在的财政局"),
                                      ("单位", 6, "单位类型", "事业单位"),
                                      ("用户", 5, "用户名", "只能使用字母"),
                                      ("用户", 6, "所属单位", "某县不存在局"),
                                      ("用户", 7, "角色", "安全管理员"),
                                      ("用户", 8, "电子邮箱", "格式不正确")]:
        assert re.search(rf"<td>{sheet}</td><td class=\"num\">{row}</td><td>{column}</td>"
                         rf"<td>[^<]*{words}", page), (sheet, row)
    db_session.expire_all()
    assert (_count(Unit), _count(User)) == (units, users)
    assert db_session.scalar(select(User).where(User.username == "zhang_san")) is None
    event = db_session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert event.detail["action"] == "dry_run" and event.detail["failed_rows"] == 6


def test_import_the_checked_file_then_import_it_again(login, db_session, admin, client):
    db_session.commit()
    data = workbook()
    web = login(admin)
    page = _text(_post(web, data, mode="check"))
    checked = re.search(r'name="checked" value="([0-9a-f]{64})"', page).group(1)

    # Another file than the one checked is refused.
    other = workbook(users=USERS[:2])
    assert "须与检查过的文件完全相同" in _text(_post(web, other, mode="import", checked=checked))
    assert db_session.scalar(select(User).where(User.username == "zhang_san")) is None

    page = _text(_post(web, data, mode="import", checked=checked))
    assert "已导入：新建单位 3 个、用户 3 个" in page
    db_session.expire_all()
    school = db_session.scalar(select(Unit).where(Unit.name == "某县教育局"))
    assert school.kind == UnitKind.BUDGET_UNIT and school.bureau.name == "某市财政局"
    assert school.short_name == "教育局" and school.supervising_department == "某县人民政府"
    zhang = db_session.scalar(select(User).where(User.username == "zhang_san"))
    assert zhang.unit is school and zhang.is_preparer and not zhang.is_admin
    assert db_session.scalar(select(User).where(User.username == "li_si")).name == "李 四"
    assert db_session.scalar(select(User).where(User.username == "wang_wu")).is_finance_officer

    # The initial password is shown once, and it works.
    password = re.search(r'<td class="mono">zhang_san</td><td>张三</td>'
                         r'<td class="mono">([A-Za-z0-9]{12})</td>', page).group(1)
    response = client.post("/login", data={"username": "zhang_san", "password": password})
    assert response.status_code == 302

    # The same file again: everything is an update, nothing is duplicated, no new passwords.
    units, users = _count(Unit), _count(User)
    page = _text(_post(web, data, mode="check"))
    checked = re.search(r'name="checked" value="([0-9a-f]{64})"', page).group(1)
    page = _text(_post(web, data, mode="import", checked=checked))
    assert "新建单位 0 个、用户 0 个，更新单位 3 个、用户 3 个" in page
    assert "初始密码（仅显示这一次" not in page
    db_session.expire_all()
    assert (_count(Unit), _count(User)) == (units, users)


def _zip_bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (bulk_import.MAX_UNPACKED + 1))
    return out.getvalue()


@pytest.mark.parametrize("data, words", [
    (b"", "请选择要导入的"),
    (b"not a workbook at all", "不是有效的 Excel 工作簿"),
    (b"PK\x03\x04" + b"\x00" * 200, "不是有效的 Excel 工作簿"),
    (b"x" * (bulk_import.MAX_BYTES + 10), "文件过大"),
    (None, "解压后过大"),
    (workbook(units=[["名称", "类型"], ["某局", "预算单位"]], users=[["x"]]), "缺少列"),
], ids=["empty", "text", "broken-zip", "too-big", "zip-bomb", "missing-columns"])
def test_hostile_or_wrong_files_are_refused(login, db_session, admin, data, words):
    db_session.commit()
    units, users, events = _count(Unit), _count(User), _count(AuditEvent)
    response = _post(login(admin), _zip_bomb() if data is None else data, mode="check")
    assert response.status_code == 200 and words in _text(response)
    db_session.expire_all()
    assert (_count(Unit), _count(User), _count(AuditEvent)) == (units, users, events)


def test_too_many_rows_are_refused():
    many = [UNITS[0]] + [[f"单位{i}", "预算单位", "某市财政局", "", ""]
                         for i in range(bulk_import.MAX_ROWS + 1)]
    with pytest.raises(bulk_import.ImportRefused, match="超过"):
        bulk_import.read_directory(workbook(units=many, users=USERS[:1]))


def test_an_import_over_its_time_budget_saves_nothing(login, db_session, admin, monkeypatch):
    db_session.commit()
    units, users = _count(Unit), _count(User)
    data = workbook()  # once: a workbook built twice may differ in its timestamp
    page = _text(_post(login(admin), data, mode="check"))
    checked = re.search(r'name="checked" value="([0-9a-f]{64})"', page).group(1)
    calls = iter(range(10_000))
    # The clock of the import moves 10 s per look: the budget runs out after a few rows.
    monkeypatch.setattr(bulk_import, "_clock", lambda: next(calls) * 10.0)
    page = _text(_post(login(admin), data, mode="import", checked=checked))
    assert "未导入任何内容" in page
    db_session.expire_all()
    assert (_count(Unit), _count(User)) == (units, users)


def test_the_template_downloads_and_reads_back(login, db_session, admin):
    db_session.commit()
    response = login(admin).get("/admin/import/template.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["单位", "用户"]
    sheets = bulk_import.read_directory(response.data)
    assert sheets["单位"][0] == (2, {"name": "某县教育局", "kind": "预算单位",
                                    "bureau": "某县财政局", "short_name": "教育局",
                                    "supervising_department": "某县人民政府"})


def test_only_system_administrators_may_import(make, login, db_session):
    preparer = make.user(is_preparer=True)
    db_session.commit()
    assert _post(login(preparer), workbook(), mode="check").status_code == 403


def test_the_api_checks_and_imports(make, db_session, admin, client):
    preparer = make.user(is_preparer=True)
    _, token = ApiToken.issue(admin)
    _, other = ApiToken.issue(preparer)
    db_session.commit()
    url = "/api/v1/directory/import"
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

    def post(query: str, body: bytes, bearer: str = token):
        return client.post(url + query, data=body, content_type=xlsx,
                           headers={"Authorization": f"Bearer {bearer}"})

    assert post("", workbook(), other).status_code == 403
    checked = post("", workbook())
    assert checked.status_code == 200
    body = checked.get_json()
    assert body["dry_run"] and body["created"] == {"单位": 3, "用户": 3}
    assert body["failed_rows"] == 6 and "initial_passwords" not in body
    assert {"sheet": "用户", "row": 6, "column": "所属单位"}.items() <= body["problems"][3].items()
    assert db_session.scalar(select(User).where(User.username == "zhang_san")) is None

    done = post("?dry_run=false", workbook()).get_json()
    assert not done["dry_run"] and done["created"] == {"单位": 3, "用户": 3}
    assert {p["username"] for p in done["initial_passwords"]} == {"zhang_san", "li_si",
                                                                  "wang_wu"}
    refused = post("", b"garbage")
    assert refused.status_code == 422 and refused.get_json()["error"]["code"] == "import_refused"
    assert post("?dry_run=maybe", workbook()).status_code == 400
