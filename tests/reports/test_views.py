"""Report PDF downloads for readers of an evaluation: in-app and ``/api/v1/.../report.pdf``."""

from __future__ import annotations

import hashlib
import io

import pytest
from flask import g
from pypdf import PdfReader

from tests.public.helpers import install_fast_render, published_report, team_evaluation
from workflow_app.auth.models import ApiToken
from workflow_app.extensions import db
from workflow_app.workflow.states import EvaluationState


@pytest.fixture
def fast_render(monkeypatch):
    return install_fast_render(monkeypatch)


def _text(pdf: bytes) -> str:
    return "".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf)).pages)


@pytest.fixture
def draft(make, db_session):
    evaluation = team_evaluation(make, name="草稿中的项目")
    reader = make.user(evaluation.unit)
    outsider = make.user(make.unit())
    db.session.commit()
    return evaluation, reader, outsider


# --------------------------------------------------------------------------- in-app


def test_in_app_download_of_the_working_copy_is_a_draft(login, draft):
    evaluation, reader, _outsider = draft
    response = login(reader).get(f"/evaluations/{evaluation.id}/report.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert "草稿" in _text(response.data)
    assert "%E8%8D%89%E7%A8%BF" in response.headers["Content-Disposition"]  # （…草稿）


def test_in_app_download_needs_login_and_visibility(client, login, draft):
    evaluation, _reader, outsider = draft
    anonymous = client.get(f"/evaluations/{evaluation.id}/report.pdf")
    assert anonymous.status_code in (302, 401)
    # The tests' app context outlives a request: forget the user Flask-Login cached in g.
    g.pop("_login_user", None)
    assert login(outsider).get(f"/evaluations/{evaluation.id}/report.pdf").status_code == 404
    assert login(outsider).get("/evaluations/999999/report.pdf").status_code == 404


def test_detail_page_has_the_download_button(login, draft):
    evaluation, reader, _outsider = draft
    html = login(reader).get(f"/evaluations/{evaluation.id}").text
    assert f'href="/evaluations/{evaluation.id}/report.pdf"' in html
    assert "下载报告 PDF" in html


def test_approved_revision_has_no_watermark(login, make, db_session, fast_render):
    evaluation = team_evaluation(make, state=EvaluationState.FINANCE_ACCEPTANCE)
    reader = make.user(evaluation.unit)
    db.session.commit()
    response = login(reader).get(f"/evaluations/{evaluation.id}/report.pdf")
    assert response.status_code == 200
    assert fast_render[-1]["draft"] is False
    assert len(fast_render[-1]["signatures"]) == 3


def test_bureau_reads_what_was_submitted_to_it(login, make, db_session, fast_render):
    bureau = make.bureau()
    officer = make.user(bureau, is_finance_officer=True)
    unit = make.unit(bureau=bureau)
    submitted = team_evaluation(make, unit=unit, state=EvaluationState.FINANCE_ACCEPTANCE)
    in_review = team_evaluation(make, unit=unit, state=EvaluationState.TEAM_REVIEW)
    db.session.commit()
    client = login(officer)
    assert client.get(f"/evaluations/{submitted.id}/report.pdf").status_code == 200
    assert client.get(f"/evaluations/{in_review.id}/report.pdf").status_code == 404


def test_published_download_is_the_stored_artifact(login, make, db_session):
    evaluation = team_evaluation(make, state=EvaluationState.PUBLISHED)
    reader = make.user(evaluation.unit)
    stored = published_report(evaluation).pdf
    db.session.commit()
    response = login(reader).get(f"/evaluations/{evaluation.id}/report.pdf")
    assert response.data == stored
    html = login(reader).get(f"/evaluations/{evaluation.id}").text
    assert f'href="/public/reports/{evaluation.id}"' in html


# --------------------------------------------------------------------------- API


def _token(user) -> str:
    _row, token = ApiToken.issue(user)
    db.session.commit()
    return token


def test_api_requires_authentication(client, draft):
    evaluation, *_ = draft
    response = client.get(f"/api/v1/evaluations/{evaluation.id}/report.pdf")
    assert response.status_code == 401
    error = response.get_json()["error"]
    assert error["code"] == "unauthorized" and "令牌" in error["message"]
    bad = client.get(f"/api/v1/evaluations/{evaluation.id}/report.pdf",
                     headers={"Authorization": "Bearer jx_not-a-token"})
    assert bad.status_code == 401
    basic = client.get(f"/api/v1/evaluations/{evaluation.id}/report.pdf",
                       headers={"Authorization": "Basic dXNlcjpwYXNz"})
    assert basic.status_code == 401


def test_api_with_bearer_token(client, draft, fast_render):
    evaluation, reader, outsider = draft
    url = f"/api/v1/evaluations/{evaluation.id}/report.pdf"
    ok = client.get(url, headers={"Authorization": f"Bearer {_token(reader)}"})
    assert ok.status_code == 200 and ok.mimetype == "application/pdf"
    assert ok.headers["X-Content-SHA256"] == hashlib.sha256(ok.data).hexdigest()
    hidden = client.get(url, headers={"Authorization": f"Bearer {_token(outsider)}"})
    assert hidden.status_code == 404
    assert hidden.get_json()["error"]["code"] == "not_found"
    missing = client.get("/api/v1/evaluations/999999/report.pdf",
                         headers={"Authorization": f"Bearer {_token(reader)}"})
    assert missing.status_code == 404


def test_api_token_of_inactive_user_is_refused(client, draft):
    evaluation, reader, _outsider = draft
    token = _token(reader)
    reader.active = False
    db.session.commit()
    response = client.get(f"/api/v1/evaluations/{evaluation.id}/report.pdf",
                          headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401


def test_api_with_session(login, draft, fast_render):
    evaluation, reader, _outsider = draft
    response = login(reader).get(f"/api/v1/evaluations/{evaluation.id}/report.pdf")
    assert response.status_code == 200


def test_api_published_returns_stored_bytes(client, make, db_session):
    evaluation = team_evaluation(make, state=EvaluationState.PUBLISHED)
    reader = make.user(evaluation.unit)
    report = published_report(evaluation)
    stored, sha = report.pdf, report.sha256
    token = _token(reader)
    for _ in range(2):
        response = client.get(f"/api/v1/evaluations/{evaluation.id}/report.pdf",
                              headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200
        assert response.data == stored
        assert response.headers["ETag"].strip('"') == sha
