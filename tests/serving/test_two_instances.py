"""Two real gunicorn instances on one database serve the same evaluations, PDFs and evidence.

Nothing lives in a process: sessions are signed cookies (one SECRET_KEY), evidence and PDFs
are rows of the database, so a login made on one instance works on the other.
"""

from __future__ import annotations

import hashlib
import json

import pytest

from tests.factories import PASSWORD
from tests.public.helpers import published_report, team_evaluation
from tests.serving.servers import login, start_gunicorn
from workflow_app.evaluations.models import Evidence
from workflow_app.extensions import db
from workflow_app.workflow.states import EvaluationState

PDF_BYTES = b"%PDF-1.4\n% evidence for the two-instance test\n%%EOF\n"


@pytest.fixture
def published(make, db_session):
    """A published evaluation (with a PDF) whose leaf carries an evidence file; committed."""
    evaluation = team_evaluation(make, name="两实例共享的项目")
    leaf = next(i for i in evaluation.indicators if i.level == 2)
    db_session.add(Evidence(indicator=leaf, filename="佐证.pdf", content_type="application/pdf",
                            size=len(PDF_BYTES), sha256=hashlib.sha256(PDF_BYTES).hexdigest(),
                            data=PDF_BYTES))
    db_session.flush()
    from tests.public.helpers import advance

    advance(evaluation, EvaluationState.PUBLISHED)
    finance = make.user(evaluation.unit.bureau, is_finance_officer=True)
    evidence_id = db_session.query(Evidence.id).filter_by(indicator_id=leaf.id).scalar()
    report = published_report(evaluation)
    data = {"id": evaluation.id, "name": evaluation.project_name, "finance": finance.username,
            "evidence_id": evidence_id, "pdf_sha256": report.sha256}
    db.session.commit()
    return data


@pytest.fixture
def two_instances(app, database_url, tmp_path):
    instances = [start_gunicorn(database_url, tmp_path) for _ in range(2)]
    yield instances
    for instance in instances:
        instance.stop()


def test_two_instances_serve_the_same_content(published, two_instances):
    a, b = two_instances
    assert a.process.pid != b.process.pid
    for instance in (a, b):
        ready = instance.get("/readyz")
        assert ready.status == 200, ready.text
        # No server banner, neither the app's nor gunicorn's own (gunicorn.conf.py).
        assert "server" not in ready.headers, ready.headers
        assert "server" not in instance.get("/static/missing.css").headers

    # A login made on A is valid on B: the session is a signed cookie, not process memory.
    cookies = login(a, published["finance"], PASSWORD)
    pages = [i.get(f"/evaluations/{published['id']}", cookies=dict(cookies)) for i in (a, b)]
    assert [p.status for p in pages] == [200, 200]
    assert all(published["name"] in p.text for p in pages)

    evidence = [i.get(f"/evaluations/{published['id']}/evidence/{published['evidence_id']}",
                      cookies=dict(cookies)) for i in (a, b)]
    assert [e.status for e in evidence] == [200, 200]
    assert evidence[0].body == evidence[1].body == PDF_BYTES

    reports = [i.get(f"/evaluations/{published['id']}/report.pdf", cookies=dict(cookies))
               for i in (a, b)]
    public = [i.get(f"/public/reports/{published['id']}/download.pdf") for i in (a, b)]
    for response in reports + public:
        assert response.status == 200
        assert hashlib.sha256(response.body).hexdigest() == published["pdf_sha256"]

    listing = [i.get("/public/") for i in (a, b)]
    assert all(published["name"] in page.text for page in listing)

    # Each instance logs one JSON line per request, with the id nginx sent (or a new one).
    answer = a.get("/healthz", headers={"X-Request-ID": "from-nginx-7"})
    assert answer.headers["x-request-id"] == "from-nginx-7"
    a_lines = [json.loads(line) for line in a.log().splitlines() if line.startswith("{")]
    assert any(line["request_id"] == "from-nginx-7" and line["path"] == "/healthz"
               and line["status"] == 200 for line in a_lines)
    b_lines = [json.loads(line) for line in b.log().splitlines() if line.startswith("{")]
    assert any(line["path"] == "/public/" and len(line["request_id"]) == 32 for line in b_lines)

    # SIGTERM is a graceful shutdown: gunicorn finishes and exits 0.
    assert a.stop() == 0
    assert "Handling signal: term" in a.log()
    assert b.get("/healthz").status == 200  # the other instance carries on
