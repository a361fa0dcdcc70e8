"""The administrator's pages: access, and each form refusing bad input at the field."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from workflow_app.auth.models import User
from workflow_app.evaluations.models import GradeScheme, IndicatorTemplate
from workflow_app.units.models import Unit


@pytest.fixture
def admin(make):
    bureau = make.bureau(name="测试市财政局")
    return make.user(bureau, username="root", is_admin=True)


def _text(response):
    return response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/admin/", "/admin/units", "/admin/users", "/admin/schemes",
                                  "/admin/templates", "/admin/users/new"])
def test_only_administrators(make, login, db_session, admin, client, path):
    preparer = make.user(is_preparer=True)
    db_session.commit()
    assert login(preparer).get(path).status_code == 403
    assert client.get(path).status_code in (302, 401)
    assert login(admin).get(path).status_code == 200


def test_units_and_users(login, db_session, admin):
    db_session.commit()
    client = login(admin)
    bureau = admin.unit
    response = client.post("/admin/units/new", data={"name": "某县教育局", "kind": "budget_unit",
                                                     "bureau_id": ""})
    assert response.status_code == 200 and "预算单位须选择监管它的财政局" in _text(response)
    response = client.post("/admin/units/new", data={
        "name": "某县教育局", "short_name": "教育局", "kind": "budget_unit",
        "supervising_department": "某县人民政府", "bureau_id": str(bureau.id)})
    assert response.status_code == 302
    unit = db_session.scalars(select(Unit).where(Unit.name == "某县教育局")).one()
    assert unit.bureau_id == bureau.id
    bad = {"username": "a", "name": "", "unit_id": str(unit.id), "password": "short",
           "email": "nope", "is_finance_officer": "y"}
    page = _text(client.post("/admin/users/new", data=bad))
    for message in ("用户名为 2–64 个字符", "请填写姓名", "密码至少 8 位", "电子邮箱格式不正确"):
        assert message in page
    response = client.post("/admin/users/new", data={
        "username": "edu_prep", "name": "李四", "unit_id": str(unit.id), "position": "科员",
        "title": "会计师", "phone": "0311-1234", "password": "longenough",
        "is_preparer": "y", "active": "y"})
    assert response.status_code == 200 and "至少三类" in _text(response)
    response = client.post("/admin/users/new", data={
        "username": "edu_prep", "name": "李四", "unit_id": str(unit.id), "position": "科员",
        "title": "会计师", "phone": "0311-1234", "password": "long-enough-1",
        "is_preparer": "y", "is_finance_officer": "y", "active": "y"})
    assert response.status_code == 200 and "财政局审核员须属于财政局" in _text(response)
    response = client.post("/admin/users/new", data={
        "username": "edu_prep", "name": "李四", "unit_id": str(unit.id), "position": "科员",
        "title": "会计师", "phone": "0311-1234", "password": "long-enough-1",
        "is_preparer": "y", "is_admin": "y", "active": "y"})
    assert response.status_code == 302
    user = db_session.scalars(select(User).where(User.username == "edu_prep")).one()
    assert user.is_preparer and user.title == "会计师" and user.check_password("long-enough-1")
    # 三员分立: the administrator roles are granted only by the security administrator, and
    # the user must change the initial password.
    assert not user.is_admin and user.must_change_password
    response = client.post(f"/admin/users/{admin.id}", data={
        "username": "root", "name": admin.name, "unit_id": str(bureau.id), "is_admin": ""})
    assert "不能停用自己的账号" in _text(response)


def test_grade_scheme_with_custom_bands(login, db_session, admin):
    db_session.commit()
    client = login(admin)
    data = {"name": "一等级方案", "bureau_id": "",
            "bands-0-name": "一等", "bands-0-min_score": "90",
            "bands-1-name": "二等", "bands-1-min_score": "90"}
    page = _text(client.post("/admin/schemes/new", data=data))
    assert "最低分 90 重复" in page
    assert "请选择该方案适用的财政局" in page  # no new national schemes (issue 9)
    data["bureau_id"] = str(admin.unit_id)
    data["bands-1-min_score"] = "70"
    page = _text(client.post("/admin/schemes/new", data=data))
    assert "最低的等级最低分须为 0" in page
    data.update({"bands-2-name": "三等", "bands-2-min_score": "0"})
    assert client.post("/admin/schemes/new", data=data).status_code == 302
    scheme = db_session.scalars(select(GradeScheme)).one()
    assert scheme.bureau_id == admin.unit_id
    assert scheme.as_dict()["bands"] == [{"name": "一等", "min": "90"},
                                         {"name": "二等", "min": "70"},
                                         {"name": "三等", "min": "0"}]


def test_templates_install_edit_and_validation(login, db_session, admin):
    db_session.commit()
    client = login(admin)
    assert client.post("/admin/templates/install").status_code == 302
    template = db_session.scalars(select(IndicatorTemplate).where(
        IndicatorTemplate.key == "unit_whole_2021")).one()
    tree = json.loads(json.dumps(template.tree))
    tree[0]["children"][0]["children"][0]["weight"] = "8"  # 101 in all
    form = {"key": template.key, "name": "部门整体（改）", "kind": "unit_whole",
            "total_weight": "100", "grade_scheme_id": str(template.grade_scheme_id),
            "position": "3", "active": "y", "tree": json.dumps(tree, ensure_ascii=False)}
    page = _text(client.post(f"/admin/templates/{template.id}", data=form))
    assert "末级指标分值之和为 101，与总分值 100 不一致" in page
    page = _text(client.post(f"/admin/templates/{template.id}", data={**form, "tree": "[{"}))
    assert "不是有效的 JSON" in page
    tree[0]["children"][0]["children"][0]["weight"] = "7"
    tree[0]["name"] = "投入指标"
    form["tree"] = json.dumps(tree, ensure_ascii=False)
    form.pop("active")
    assert client.post(f"/admin/templates/{template.id}", data=form).status_code == 302
    db_session.expire_all()
    saved = db_session.get(IndicatorTemplate, template.id)
    assert saved.name == "部门整体（改）" and saved.tree[0]["name"] == "投入指标"
    assert not saved.active


@pytest.mark.parametrize("raw", ["abc", "999999", "1.5"])
def test_hand_made_select_values_are_field_errors(login, db_session, admin, raw):
    """Selects load their choices per request, so a crafted id must not become a 500."""
    db_session.commit()
    client = login(admin)
    units_before = db_session.scalar(select(func.count()).select_from(Unit))
    page = client.post("/admin/units/new", data={"name": "某县卫健局", "kind": "budget_unit",
                                                 "bureau_id": raw})
    assert page.status_code == 200 and "财政局" in _text(page)
    page = client.post("/admin/users/new", data={"username": "zz", "name": "某人",
                                                 "unit_id": raw, "password": "long-enough-1"})
    assert page.status_code == 200 and "请选择所属单位" in _text(page)
    assert db_session.scalar(select(func.count()).select_from(Unit)) == units_before
    assert db_session.scalar(select(User).where(User.username == "zz")) is None
