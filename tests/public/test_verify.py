"""Verification: the public record of a code, and whether an uploaded PDF is the original."""

from __future__ import annotations

import io
import re

import pytest

from tests.public.helpers import published_report, team_evaluation
from workflow_app.extensions import db
from workflow_app.public.views import GENUINE, NOT_GENUINE
from workflow_app.workflow.states import EvaluationState


@pytest.fixture
def published(make, db_session):
    """A published evaluation (real renderer) and its stored report's bytes, sha and code."""
    evaluation = team_evaluation(make, state=EvaluationState.PUBLISHED, name="核验示范项目")
    report = published_report(evaluation)
    data = (evaluation, report.pdf, report.sha256, report.verification_code)
    db.session.commit()
    return data


def _upload(client, code, data: bytes, filename="报告.pdf"):
    return client.post(f"/public/verify/{code}",
                       data={"pdf": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data")


def test_verify_page_shows_the_record(client, published):
    evaluation, _pdf, sha, code = published
    response = client.get(f"/public/verify/{code}")
    assert response.status_code == 200
    html = response.text
    assert "核验示范项目" in html and evaluation.unit.name in html
    assert sha in html
    revision = published_report(evaluation).revision
    assert revision.content_hash in html
    assert "第 1 版" in html
    for member in evaluation.team:
        assert member.user.name in html
    assert 'enctype="multipart/form-data"' in html


def test_genuine_file_is_accepted(client, published):
    _evaluation, pdf, sha, code = published
    response = _upload(client, code, pdf)
    assert response.status_code == 200
    assert GENUINE in response.text
    assert NOT_GENUINE not in response.text
    assert sha in response.text


def test_file_with_one_byte_changed_is_rejected(client, published):
    _evaluation, pdf, _sha, code = published
    tampered = bytearray(pdf)
    middle = len(tampered) // 2
    tampered[middle] = (tampered[middle] + 1) % 256
    response = _upload(client, code, bytes(tampered))
    assert response.status_code == 200
    assert NOT_GENUINE in response.text
    assert GENUINE not in response.text


def test_a_freshly_rendered_copy_of_same_content_is_not_the_original(client, published,
                                                                     make):
    """Only the stored bytes are genuine: a truncated or appended copy is not."""
    _evaluation, pdf, _sha, code = published
    assert NOT_GENUINE in _upload(client, code, pdf + b"\n").text
    assert NOT_GENUINE in _upload(client, code, pdf[:-1]).text
    assert "不是 PDF 文件" in _upload(client, code, b"hello", "a.txt").text


def test_upload_without_file(client, published):
    *_rest, code = published
    response = client.post(f"/public/verify/{code}", data={},
                           content_type="multipart/form-data")
    assert response.status_code == 400
    assert "请选择要核验的 PDF 文件" in response.text


def test_upload_needs_the_csrf_token(app, client, published):
    _evaluation, pdf, _sha, code = published
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        refused = _upload(client, code, pdf)
        assert refused.status_code == 400
        assert GENUINE not in refused.text
        page = client.get(f"/public/verify/{code}").text
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
        token = token or re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
        assert token
        accepted = client.post(f"/public/verify/{code}",
                               data={"csrf_token": token.group(1),
                                     "pdf": (io.BytesIO(pdf), "r.pdf")},
                               content_type="multipart/form-data")
        assert GENUINE in accepted.text
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_upload_size_limit_has_a_chinese_message(app, client, published):
    *_rest, code = published
    previous = app.config["MAX_CONTENT_LENGTH"]
    app.config["MAX_CONTENT_LENGTH"] = 2 * 1024 * 1024
    try:
        response = _upload(client, code, b"%PDF-" + b"0" * (3 * 1024 * 1024))
    finally:
        app.config["MAX_CONTENT_LENGTH"] = previous
    assert response.status_code == 413
    assert "不能超过 2 MB" in response.text


def test_code_entry_and_normalisation(client, published):
    *_rest, code = published
    assert client.get("/public/verify").status_code == 200
    typed = code.lower().replace("-", " ")
    response = client.get("/public/verify", query_string={"code": typed})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/public/verify/{code}")
    lower = client.get(f"/public/verify/{code.lower()}")
    assert lower.status_code == 302
    assert lower.headers["Location"].endswith(f"/public/verify/{code}")


def test_unknown_code_reveals_nothing(client, published, make):
    hidden = team_evaluation(make, state=EvaluationState.ACCEPTED, name="秘密项目")
    db.session.commit()
    for code in ("ZZZZ-ZZZZ", "abc", str(hidden.id)):
        response = client.get(f"/public/verify/{code}", follow_redirects=True)
        assert response.status_code == 404
        assert "秘密项目" not in response.text
    response = _upload(client, "ZZZZ-ZZZZ", b"%PDF-1.4")
    assert response.status_code == 404


def test_pdf_links_to_the_verify_page(client, published):
    """The URL printed (and QR-encoded) in the PDF opens this page."""
    from pypdf import PdfReader

    _evaluation, pdf, _sha, code = published
    text = "".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf)).pages)
    url = re.search(r"https?://\S+/public/verify/[A-Z0-9-]+", text).group(0)
    path = url.split("://", 1)[1].split("/", 1)[1]
    assert client.get("/" + path).status_code == 200
    assert path.endswith(code)
