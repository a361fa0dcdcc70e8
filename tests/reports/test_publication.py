"""The published artifact: rendered once at publication, stored with its SHA-256, never again.

Evaluations are brought to their states by tests/public/helpers.py at the model level (test
setup only; the workflow engine is another area) and published with the real
``publish_artifact`` and the real renderer.
"""

from __future__ import annotations

import hashlib
import io
import re

import pytest
from pypdf import PdfReader

from tests.public.helpers import (
    advance,
    install_fast_render,
    published_report,
    return_to_draft,
    seed_evaluation,
    submit,
    team_evaluation,
)
from workflow_app.evaluations.operations import OperationError
from workflow_app.extensions import db
from workflow_app.public import publication
from workflow_app.public.models import PublishedReport
from workflow_app.public.publication import (
    CODE_ALPHABET,
    current_report,
    current_report_pdf,
    normalise_code,
    publish_artifact,
    report_record,
)
from workflow_app.workflow.models import Revision, SignatureKind
from workflow_app.workflow.states import EvaluationState, TeamRole

CODE_RE = re.compile(r"^[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}$")


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)


def qr_matrix_on_last_page(pdf: bytes) -> list[list[bool]]:
    """Rebuild the QR modules from the filled rectangles reportlab draws for the widget."""
    page = PdfReader(io.BytesIO(pdf)).pages[-1]
    stream = page.get_contents().get_data().decode("latin-1")
    rects = [tuple(float(v) for v in m)
             for m in re.findall(r"([-\d.]+) ([-\d.]+) ([-\d.]+) ([-\d.]+) re", stream)]
    # The widget first draws its square frame "0 0 S S re", then one rect per run of dark
    # modules, each exactly one module high.
    frame = next(i for i, r in enumerate(rects) if r[0] == 0 and r[1] == 0 and r[2] == r[3])
    size = rects[frame][2]
    modules = rects[frame + 1:]
    box = min(r[3] for r in modules)
    modules = [r for r in modules if abs(r[3] - box) < 1e-3]
    count = round(size / box) - 8  # a border of four modules on each side
    matrix = [[False] * count for _ in range(count)]
    for x, y, w, _h in modules:
        row = round((size - y) / box) - 4 - 1
        col = round(x / box) - 4
        for c in range(col, col + round(w / box)):
            matrix[row][c] = True
    return matrix


def expected_qr(value: str) -> list[list[bool]]:
    from reportlab.graphics.barcode.qr import QrCodeWidget

    widget = QrCodeWidget(value, barLevel="M")
    widget.qr.make()
    return [[bool(m) for m in row] for row in widget.qr.modules]


@pytest.fixture
def fast_render(monkeypatch):
    return install_fast_render(monkeypatch)


@pytest.fixture
def published(make, db_session):
    return team_evaluation(make, state=EvaluationState.PUBLISHED)


# --------------------------------------------------------------------------- the artifact


def test_publish_stores_pdf_with_its_sha256_and_a_code(published):
    report = published_report(published)
    assert report.pdf.startswith(b"%PDF-")
    assert report.sha256 == hashlib.sha256(report.pdf).hexdigest()
    assert CODE_RE.match(report.verification_code)
    assert not set(report.verification_code) & set("01OI")
    assert report.revision.number == 1


def test_pdf_carries_code_url_and_no_draft_watermark(published):
    report = published_report(published)
    text = pdf_text(report.pdf)
    assert report.verification_code in text
    assert f"/public/verify/{report.verification_code}" in text
    assert "草稿" not in text


def test_pdf_qr_code_encodes_the_verification_url(published):
    report = published_report(published)
    url = f"http://127.0.0.1:5000/public/verify/{report.verification_code}"
    assert url in pdf_text(report.pdf)
    assert qr_matrix_on_last_page(report.pdf) == expected_qr(url)


def test_publish_is_idempotent_and_never_renders_again(published, monkeypatch):
    report = published_report(published)
    before = (report.id, report.pdf, report.sha256, report.verification_code)

    def refuse(*_a, **_k):
        raise AssertionError("a published report must never be rendered again")

    monkeypatch.setattr(publication, "_render", refuse)
    again = publish_artifact(published, report.revision)
    assert (again.id, again.pdf, again.sha256, again.verification_code) == before
    assert db.session.query(PublishedReport).count() == 1


def test_stored_report_cannot_be_changed_or_deleted(published):
    from workflow_app.public.publication import PublishedReportLocked

    report = published_report(published)
    db.session.commit()
    report.pdf = report.pdf + b"%"
    with pytest.raises(PublishedReportLocked):
        db.session.flush()
    db.session.rollback()
    report = published_report(published)
    report.sha256 = "0" * 64
    with pytest.raises(PublishedReportLocked):
        db.session.flush()
    db.session.rollback()
    db.session.delete(published_report(published))
    with pytest.raises(PublishedReportLocked):
        db.session.flush()
    db.session.rollback()
    assert published_report(published).sha256 == hashlib.sha256(
        published_report(published).pdf).hexdigest()


def test_bytes_survive_a_fresh_session(published):
    report = published_report(published)
    pdf, sha = report.pdf, report.sha256
    db.session.commit()
    db.session.expunge_all()
    stored = db.session.query(PublishedReport).one()
    assert stored.pdf == pdf
    assert hashlib.sha256(stored.pdf).hexdigest() == sha


def test_publish_flushes_but_does_not_commit(make, db_session):
    evaluation = team_evaluation(make, state=EvaluationState.ACCEPTED)
    revision = evaluation_revision(evaluation)
    db.session.commit()
    publish_artifact(evaluation, revision)
    assert db.session.query(PublishedReport).count() == 1
    db.session.rollback()
    assert db.session.query(PublishedReport).count() == 0


def evaluation_revision(evaluation):
    from workflow_app.public.publication import latest_revision

    return latest_revision(evaluation)


def test_publish_refuses_a_revision_of_another_evaluation(make, db_session):
    one = team_evaluation(make, state=EvaluationState.ACCEPTED)
    other = team_evaluation(make, state=EvaluationState.ACCEPTED)
    with pytest.raises(OperationError):
        publish_artifact(one, evaluation_revision(other))


def test_publish_refuses_a_snapshot_that_no_longer_matches_its_hash(make, db_session):
    def tamper(doc):
        doc["project_name"] = "篡改后的名称"

    evaluation = team_evaluation(make, state=EvaluationState.ACCEPTED, tamper=tamper)
    revision = evaluation_revision(evaluation)
    with pytest.raises(OperationError, match="摘要不一致"):
        publish_artifact(evaluation, revision)
    assert db.session.query(PublishedReport).count() == 0


def test_codes_are_unique_and_unambiguous(make, db_session, fast_render):
    codes = set()
    for _ in range(5):
        evaluation = team_evaluation(make, state=EvaluationState.PUBLISHED)
        codes.add(published_report(evaluation).verification_code)
    assert len(codes) == 5
    assert all(CODE_RE.match(c) and set(c) - {"-"} <= set(CODE_ALPHABET) for c in codes)


def test_normalise_code():
    assert normalise_code(" abcd efgh ") == "ABCD-EFGH"
    assert normalise_code("abcd-efgh") == "ABCD-EFGH"
    assert normalise_code("x") == "X"
    assert normalise_code("") == ""


def test_verification_url_uses_public_base_url(app, make, db_session, fast_render):
    app.config["PUBLIC_BASE_URL"] = "https://jixiao.example.gov.cn/"
    try:
        evaluation = team_evaluation(make, state=EvaluationState.PUBLISHED)
    finally:
        app.config["PUBLIC_BASE_URL"] = ""
    code = published_report(evaluation).verification_code
    assert fast_render[-1]["verification"] == {
        "code": code, "url": f"https://jixiao.example.gov.cn/public/verify/{code}"}


def test_verification_url_uses_request_host(app, make, db_session, fast_render):
    evaluation = team_evaluation(make, state=EvaluationState.ACCEPTED)
    with app.test_request_context("/", base_url="https://portal.example.org"):
        report = publish_artifact(evaluation, evaluation_revision(evaluation))
    assert fast_render[-1]["verification"]["url"] == (
        f"https://portal.example.org/public/verify/{report.verification_code}")


# --------------------------------------------------------------------------- the record


def test_record_of_published_revision(make, db_session, fast_render):
    reviewer = make.user(make.bureau(), is_finance_officer=True)
    evaluation = team_evaluation(make, leaves=[("数量指标", "60", "60"), ("质量指标", "40", "30")])
    member = next(m for m in evaluation.team if m.role == TeamRole.MEMBER)
    # The member's signature is given by someone else (转交).
    revision = advance(evaluation, EvaluationState.ACCEPTED,
                       on_behalf={member.user_id: reviewer})
    from workflow_app.workflow.models import IndicatorReview

    db.session.add(IndicatorReview(revision_id=revision.id, indicator_code="1.2",
                                   score=28, opinion="佐证不足", reviewer_id=reviewer.id))
    db.session.flush()
    report = publish_artifact(evaluation, revision)
    record = fast_render[-1]
    assert record["draft"] is False
    assert record["revision"] == 1
    assert record["content_hash"] == revision.content_hash
    assert record["total_score"] == "90"
    assert record["computed_total_score"] is not None
    assert record["grade"] == "优秀"
    assert record["reviews"] == {"1.2": {"score": "28", "opinion": "佐证不足"}}
    assert record["generated_at"] == report.published_at.isoformat()
    by_user = {s["username"]: s for s in record["signatures"]}
    assert by_user[member.user.username]["on_behalf_of_name"] == member.user.name
    assert by_user[member.user.username]["name"] == reviewer.name
    kinds = sorted(s["kind"] for s in record["signatures"])
    assert kinds == [SignatureKind.APPROVE.value, "sign", "sign"]
    assert all(s["content_hash"] == revision.content_hash for s in record["signatures"])


def test_real_seed_document_publishes(make, db_session):
    evaluation = seed_evaluation(make, "seed001.json")
    advance(evaluation, EvaluationState.PUBLISHED)
    report = published_report(evaluation)
    text = pdf_text(report.pdf)
    assert "高邑县人民政府办公室" in text
    assert report.verification_code in text


# --------------------------------------------------------------------------- not published


def test_working_copy_is_a_draft(make, db_session, fast_render):
    evaluation = team_evaluation(make)
    result = current_report(evaluation)
    assert result.draft and not result.published
    assert fast_render[-1]["draft"] is True
    assert fast_render[-1]["signatures"] == []


def test_submitted_revision_is_draft_until_approved(make, db_session, fast_render):
    evaluation = team_evaluation(make, state=EvaluationState.LEADER_SIGNOFF)
    assert current_report(evaluation).draft
    assert len(fast_render[-1]["signatures"]) == 2  # members signed, leader not yet
    evaluation2 = team_evaluation(make, state=EvaluationState.FINANCE_ACCEPTANCE)
    result = current_report(evaluation2)
    assert not result.draft and not result.published
    assert len(fast_render[-1]["signatures"]) == 3


def test_returned_evaluation_prints_the_new_working_copy(make, db_session, fast_render):
    evaluation = team_evaluation(make, state=EvaluationState.TEAM_REVIEW)
    return_to_draft(evaluation, evaluation_revision(evaluation))
    result = current_report(evaluation)
    assert result.draft and result.revision == 2
    assert fast_render[-1]["revision"] == 2


def test_current_report_of_published_is_the_stored_bytes(published, monkeypatch):
    report = published_report(published)
    monkeypatch.setattr(publication, "_render", lambda *a, **k: b"never")
    assert current_report_pdf(published) == report.pdf


def test_draft_pdf_has_watermark_and_is_stable(make, db_session):
    evaluation = team_evaluation(make, state=EvaluationState.TEAM_REVIEW)
    first = current_report_pdf(evaluation)
    assert "草稿" in pdf_text(first)
    assert current_report_pdf(evaluation) == first  # same content, same bytes


def test_report_record_working_copy_hash_matches_document(make, db_session):
    from workflow_app.evaluations.document import content_hash, to_document

    evaluation = team_evaluation(make)
    record = report_record(evaluation, draft=True)
    assert record["content_hash"] == content_hash(to_document(evaluation))
    revision = submit(evaluation)
    assert report_record(evaluation, revision, draft=True)["content_hash"] == (
        revision.content_hash)


def test_publish_through_the_real_workflow(make, db_session, client):
    """submit → sign → approve → accept → publish with the workflow's own operations."""
    from workflow_app.workflow.demo_steps import advance as workflow_advance

    bureau = make.bureau()
    officer = make.user(bureau, is_finance_officer=True)
    unit = make.unit(bureau=bureau)
    evaluation = team_evaluation(make, unit=unit, name="经工作流公开的项目")
    workflow_advance(evaluation, EvaluationState.PUBLISHED, {"finance": officer})
    assert evaluation.state == EvaluationState.PUBLISHED
    report = published_report(evaluation)
    assert report.revision.number == 1
    assert report.sha256 == hashlib.sha256(report.pdf).hexdigest()
    assert "草稿" not in pdf_text(report.pdf)
    stored = report.pdf
    db.session.commit()
    for _ in range(2):
        response = client.get(f"/public/reports/{evaluation.id}/download.pdf")
        assert response.status_code == 200 and response.data == stored
    assert "经工作流公开的项目" in client.get("/public/").text


def test_the_database_refuses_to_change_a_published_report(ctx, db_session, make):
    """Below the model guard: raw SQL cannot alter the stored bytes or hash either."""
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    evaluation = make.evaluation()
    revision = Revision(evaluation=evaluation, number=1, snapshot="{}", content_hash="a" * 64,
                        submitted_by_id=evaluation.preparer_id)
    db_session.add(revision)
    db_session.flush()
    db_session.add(PublishedReport(evaluation_id=evaluation.id, revision_id=revision.id,
                                   verification_code="TEST-CODE", pdf=b"%PDF-1.4 x",
                                   sha256="b" * 64, fiscal_year=evaluation.fiscal_year,
                                   kind=evaluation.kind, unit_id=evaluation.unit_id))
    db_session.commit()
    # SQLite: the trigger; PostgreSQL: the application's role has no UPDATE on the table
    # (docs/deployment.md, "Database roles"), and the trigger behind it.
    with pytest.raises(DBAPIError, match="never changes|permission denied"):
        db_session.execute(text("UPDATE published_reports SET sha256 = :h"), {"h": "c" * 64})
    db_session.rollback()
    assert db_session.scalar(text("SELECT sha256 FROM published_reports")) == "b" * 64
    # Nor remove it (SQLite: trg_published_reports_frozen_delete; PostgreSQL: no DELETE).
    with pytest.raises(DBAPIError, match="never deleted|never changes|permission denied"):
        db_session.execute(text("DELETE FROM published_reports"))
    db_session.rollback()
    assert db_session.scalar(text("SELECT count(*) FROM published_reports")) == 1
