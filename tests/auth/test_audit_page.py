"""The audit administrator's page: only they read it; filters by who, what, when and evaluation,
paginated in SQL; CSV and Excel exports (audited, formulas neutralised); the integrity result.
Nobody else, and they change nothing."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from workflow_app.audit import trail
from workflow_app.audit.models import AuditEvent
from workflow_app.dbtypes import utcnow


@pytest.fixture
def people(make):
    bureau = make.bureau()
    return {
        "auditor": make.user(bureau, is_audit_admin=True, username="auditor", name="审计员"),
        "admin": make.user(bureau, is_admin=True, username="sysadmin"),
        "security": make.user(bureau, is_security_admin=True, username="secadmin"),
        "someone": make.user(username="zhang", name="张三"),
    }


@pytest.mark.parametrize("who", ["admin", "security", "someone"])
def test_only_the_audit_administrator_reads_the_log(login, db_session, people, who):
    db_session.commit()
    for path in ("/audit/", "/audit/export.csv", "/audit/export.xlsx"):
        assert login(people[who]).get(path).status_code == 403
    assert login(people[who]).post("/audit/verify").status_code == 403
    assert login(people["auditor"]).get("/audit/").status_code == 200


def test_the_audit_administrator_changes_nothing(login, db_session, people):
    db_session.commit()
    client = login(people["auditor"])
    for path in ("/admin/", "/admin/users/new", "/security/",
                 f"/security/users/{people['someone'].id}"):
        assert client.get(path).status_code == 403
    assert client.post(f"/security/users/{people['someone'].id}/reset").status_code == 403
    assert client.post("/admin/units/new", data={"name": "x"}).status_code == 403


def test_filters_and_pagination(login, db_session, people, make):
    evaluation = make.evaluation()
    for i in range(60):
        trail.record("login_failed", people["someone"], detail={"n": i})
    trail.record("edit", people["admin"], evaluation_id=evaluation.id)
    old = trail.record("login", people["someone"])
    db_session.commit()
    client = login(people["auditor"])
    page = client.get("/audit/").get_data(as_text=True)
    assert page.count('<tr data-action=') == 50 and "第 1 / 2 页" in page
    second = client.get("/audit/?page=2").get_data(as_text=True)
    assert second.count('<tr data-action=') == 12
    by_who = client.get("/audit/?who=zhang&action=login").get_data(as_text=True)
    assert by_who.count('<tr data-action="login"') == 1
    by_evaluation = client.get(f"/audit/?evaluation={evaluation.id}").get_data(as_text=True)
    assert by_evaluation.count('<tr data-action=') == 1 and 'data-action="edit"' in by_evaluation
    today = (utcnow() + timedelta(hours=8)).date()
    tomorrow = today + timedelta(days=1)
    assert client.get(f"/audit/?since={tomorrow}").get_data(as_text=True).count(
        '<tr data-action=') == 0
    assert client.get(f"/audit/?since={today}&until={today}").get_data(as_text=True).count(
        '<tr data-action=') == 50
    bad = client.get("/audit/?since=yesterday&evaluation=99999999999&page=abc")
    assert bad.status_code == 200
    text = bad.get_data(as_text=True)
    assert "日期格式应为" in text and "自评编号应为正整数" in text
    assert old.id


def test_exports_are_audited_and_neutralise_formulas(login, db_session, people):
    trail.record("login_failed", None, role="anonymous",
                 detail={"username": "=HYPERLINK(\"http://evil\",\"x\")"},
                 reason="=1+1")
    db_session.commit()
    client = login(people["auditor"])
    response = client.get("/audit/export.csv?action=login_failed")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][0] == "编号" and len(rows) == 2
    assert rows[1][10] == "'=1+1"
    xlsx = client.get("/audit/export.xlsx?action=login_failed")
    sheet = load_workbook(io.BytesIO(xlsx.data), read_only=True).active
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert values[1][10] == "'=1+1" and values[1][5] == "登录失败"
    exports = db_session.scalars(select(AuditEvent).where(
        AuditEvent.action == "audit_exported")).all()
    assert [e.detail["format"] for e in exports] == ["csv", "xlsx"]
    assert all(e.detail["filter"] == {"action": "login_failed"} for e in exports)


def test_the_integrity_check_runs_and_its_last_result_is_shown(login, db_session, people):
    db_session.commit()
    client = login(people["auditor"])
    assert 'data-integrity="none"' in client.get("/audit/").get_data(as_text=True)
    assert client.post("/audit/verify").status_code == 302
    page = client.get("/audit/").get_data(as_text=True)
    assert 'data-integrity="ok"' in page and "校验通过" in page
    count = db_session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "integrity_checked"))
    assert count == 1


def test_the_integrity_areas_stored_result_is_shown_when_present(login, db_session, people,
                                                                 monkeypatch):
    """With `flask integrity verify` installed, its stored last result is what the page shows,
    and the page's button runs it."""
    import sys
    import types

    fake = types.ModuleType("workflow_app.integrity.verify")
    runs = []

    class Report:
        ok = False

        def lines(self):
            return ["审计链：通过（3）", "签名校验码：异常 — 签名 7 的校验码不符 [7]"]

    fake.run = lambda: runs.append(1) or Report()
    fake.last_result = lambda: {"ok": False, "at": "2026-12-01T10:00:00+00:00",
                                "checked": {"chain": 3},
                                "faults": {"signature": {"message": "签名 7 的校验码不符"}}}
    monkeypatch.setitem(sys.modules, "workflow_app.integrity.verify", fake)
    db_session.commit()
    client = login(people["auditor"])
    page = client.get("/audit/").get_data(as_text=True)
    assert 'data-integrity="fault"' in page and "签名 7 的校验码不符" in page
    client.post("/audit/verify")
    assert runs == [1]
    event = db_session.scalars(select(AuditEvent).where(
        AuditEvent.action == "integrity_checked")).one()
    assert event.detail["source"] == "integrity" and not event.detail["ok"]
