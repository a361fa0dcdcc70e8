"""Indicator templates edited as a tree, not JSON: rows ↔ tree, errors at their row, the
rules' parameters in words, and saving a template twice through the editor's form."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from workflow_app.admin.template_tree import (
    number_rows,
    row_of_code,
    rows_from_form,
    rows_to_tree,
    rule_params,
    tree_to_rows,
)
from workflow_app.evaluations.models import IndicatorTemplate

FRAMEWORKS = Path(__file__).resolve().parents[2] / "workflow_app" / "evaluations" / "frameworks"


def _shape(nodes):
    """What the editor keeps of a tree (codes are positional, so they are not compared)."""
    out = []
    for n in nodes:
        item = {"name": n["name"], "weight": n.get("weight")}
        if n.get("children"):
            item["children"] = _shape(n["children"])
        else:
            item.update({k: n.get(k) or "" for k in ("description", "standard", "target")})
            rule = n.get("rule") or {"type": "auto", "params": {}}
            item["rule"] = {"type": rule["type"], "params": dict(rule.get("params") or {})}
        out.append(item)
    return out


def _as_form(rows):
    form = {}
    for i, row in enumerate(rows):
        for key in ("level", "name", "weight", "description", "standard", "target", "rule_type"):
            form[f"nodes-{i}-{key}"] = str(row.get(key) or "")
        for name, value in (row.get("params") or {}).items():
            form[f"nodes-{i}-p_{name}"] = value
    return form


@pytest.mark.parametrize("name", ["unit_whole_2021.json", "project_2020.json",
                                  "project_table_2020.json"])
def test_standard_frameworks_survive_the_editor(name):
    tree = json.loads((FRAMEWORKS / name).read_text(encoding="utf-8"))["indicators"]
    rows = rows_from_form(_as_form(tree_to_rows(tree)))
    rebuilt, errors = rows_to_tree(rows)
    assert errors == {}
    assert _shape(rebuilt) == _shape(tree)


def test_a_third_level_needs_a_second_level_above_it():
    rows = [{"level": "1", "name": "产出", "weight": "50"},
            {"level": "3", "name": "完成率", "weight": "50"}]
    _, errors = rows_to_tree(rows)
    assert errors == {"nodes-1-level": "三级指标应位于二级指标之下"}


def test_names_weights_and_rule_values_are_checked_per_row():
    rows = [{"level": "1", "name": "", "weight": "abc"},
            {"level": "2", "name": "数量", "weight": "-1"},
            {"level": "3", "name": "次数", "weight": "1e309"}]
    _, errors = rows_to_tree(rows)
    assert errors["nodes-0-name"] == "请填写指标名称"
    assert {"nodes-0-weight", "nodes-1-weight", "nodes-2-weight"} <= set(errors)
    rows = [{"level": "1", "name": "满意度", "weight": "10", "rule_type": "band_higher",
             "params": {"full_at": "80", "zero_at": "90"}}]
    _, errors = rows_to_tree(rows)
    assert "满分线" in errors["nodes-0-rule_type"] or "full_at" in errors["nodes-0-rule_type"]


def test_rule_parameters_have_words_and_defaults():
    params = {name: (label, unit, default) for name, label, unit, default
              in rule_params("band_higher")}
    assert params["full_at"] == ("满分线", "%", "95")
    assert params["zero_at"][0] == "零分线"
    assert rule_params("auto") == [] and rule_params("yes_no") == []


def test_codes_and_leaves_of_rows():
    rows = number_rows([{"level": 1}, {"level": 2}, {"level": 3}, {"level": 3},
                        {"level": 2}, {"level": 1}])
    assert [r["code"] for r in rows] == ["1", "1.1", "1.1.1", "1.1.2", "1.2", "2"]
    assert [r["leaf"] for r in rows] == [False, False, True, True, True, True]
    assert row_of_code(rows, "1.1.2") == 3 and row_of_code(rows, "9") is None


@pytest.fixture
def admin(make):
    bureau = make.bureau(name="测试市财政局")
    return make.user(bureau, username="root", is_admin=True)


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def test_edit_a_template_as_a_tree_twice(login, db_session, admin):
    db_session.commit()
    client = login(admin)
    assert client.post("/admin/templates/install").status_code == 302
    template = db_session.scalars(select(IndicatorTemplate).where(
        IndicatorTemplate.key == "unit_whole_2021")).one()
    page = _text(client.get(f"/admin/templates/{template.id}"))
    assert "绩效目标科学性" in page and "每项扣分" in page  # deductions rule, in words
    assert 'name="nodes-0-level"' in page and "full_at=" not in page
    assert len(re.findall(r'name="nodes-\d+-name"', page)) == len(tree_to_rows(template.tree))
    rows = tree_to_rows(template.tree)
    header = {"key": template.key, "name": template.name, "kind": "unit_whole",
              "total_weight": "100", "grade_scheme_id": str(template.grade_scheme_id),
              "position": "1", "active": "y"}

    # A leaf at 8 instead of 7: the problem is shown at that row and nothing is saved.
    first_leaf = next(i for i, r in enumerate(rows) if r["leaf"])
    wrong = [dict(r) for r in rows]
    wrong[first_leaf]["weight"] = "8"
    response = client.post(f"/admin/templates/{template.id}", data={**header, **_as_form(wrong)})
    page = _text(response)
    assert response.status_code == 200
    assert "末级指标分值之和为 101，与总分值 100 不一致" in page
    assert "与下级指标分值之和 11 不一致" in page
    db_session.expire_all()
    assert db_session.get(IndicatorTemplate, template.id).tree[0]["children"][0][
        "children"][0]["weight"] == "7"

    # Rename a leaf and give it a band rule in words: saved.
    fixed = [dict(r) for r in rows]
    fixed[first_leaf].update({"name": "绩效目标合理性", "rule_type": "band_higher",
                              "params": {"full_at": "90", "zero_at": "60"}})
    response = client.post(f"/admin/templates/{template.id}", data={**header, **_as_form(fixed)})
    assert response.status_code == 302
    db_session.expire_all()
    leaf = db_session.get(IndicatorTemplate, template.id).tree[0]["children"][0]["children"][0]
    assert leaf["name"] == "绩效目标合理性"
    assert leaf["rule"] == {"type": "band_higher", "params": {"full_at": "90", "zero_at": "60"}}

    # The second save starts from what the first stored: add a leaf, move weight to it.
    again = tree_to_rows(db_session.get(IndicatorTemplate, template.id).tree)
    again[first_leaf]["weight"] = "5"
    again.insert(first_leaf + 1, {"level": 3, "name": "绩效目标可衡量性", "weight": "2",
                                  "target": "≥95%", "rule_type": "auto", "params": {}})
    response = client.post(f"/admin/templates/{template.id}", data={**header, **_as_form(again)})
    assert response.status_code == 302
    db_session.expire_all()
    group = db_session.get(IndicatorTemplate, template.id).tree[0]["children"][0]["children"]
    assert [(n["name"], n["weight"]) for n in group[:2]] == [("绩效目标合理性", "5"),
                                                             ("绩效目标可衡量性", "2")]
    assert group[1]["rule"] == {"type": "auto", "params": {}} and group[1]["target"] == "≥95%"


def test_a_new_template_needs_at_least_one_indicator(login, db_session, admin):
    db_session.commit()
    client = login(admin)
    client.post("/admin/templates/install")
    scheme_id = db_session.scalars(select(IndicatorTemplate)).first().grade_scheme_id
    header = {"key": "empty_one", "name": "空模板", "kind": "project", "total_weight": "100",
              "grade_scheme_id": str(scheme_id), "position": "0"}
    page = _text(client.post("/admin/templates/new", data=header))
    assert "请至少添加一个指标" in page
    assert db_session.scalar(select(IndicatorTemplate).where(
        IndicatorTemplate.key == "empty_one")) is None
