"""bench/generate.py at a tiny scale builds a province that keeps every rule of the product:
the working copy hashes to its revision's hash, signatures carry it, published bytes match
their SHA-256, the audit chain verifies. (PostgreSQL: the generator uses COPY.)"""

from __future__ import annotations

import hashlib
import importlib.util
from pathlib import Path

from sqlalchemy import func, select

from tests.conftest import RUN_ID, TEST_DB, _drop_postgres_database, postgres_database

GENERATE = Path(__file__).resolve().parents[2] / "bench" / "generate.py"


def _generator():
    spec = importlib.util.spec_from_file_location("bench_generate", GENERATE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


if TEST_DB.startswith("postgres"):  # the generator writes with PostgreSQL's COPY

    def test_tiny_province_keeps_every_rule(worker_id):
        from workflow_app import create_app
        from workflow_app.audit.trail import verify
        from workflow_app.evaluations.document import content_hash, to_document
        from workflow_app.evaluations.models import Evaluation
        from workflow_app.extensions import db
        from workflow_app.public.models import PublishedReport
        from workflow_app.workflow.models import Revision, Signature
        from workflow_app.workflow.states import EvaluationState

        url = postgres_database(f"bench_smoke_{worker_id}_{RUN_ID}")
        try:
            assert _generator().main(["--scale", "0.003", "--database-url", url]) == 0
            app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url})
            with app.app_context():
                states = dict(db.session.execute(
                    select(Evaluation.state, func.count()).group_by(Evaluation.state)).all())
                assert set(states) == set(EvaluationState)
                assert sum(states.values()) >= 300
                for revision in db.session.scalars(select(Revision)):
                    evaluation = db.session.get(Evaluation, revision.evaluation_id)
                    assert content_hash(to_document(evaluation)) == revision.content_hash
                    db.session.expunge_all()
                mismatched = db.session.scalar(
                    select(func.count()).select_from(Signature)
                    .join(Revision, Revision.id == Signature.revision_id)
                    .where(Signature.content_hash != Revision.content_hash))
                assert mismatched == 0
                for pdf, digest, grade in db.session.execute(
                        select(PublishedReport.pdf, PublishedReport.sha256,
                               PublishedReport.grade)):
                    assert hashlib.sha256(pdf).hexdigest() == digest and grade
                assert verify().ok
                db.session.remove()
                db.engine.dispose()
        finally:
            _drop_postgres_database(url)
