"""Backup and restore: a restore into an empty database has the same content, passes the
integrity check and is then used (edit, sign, publish) — on SQLite and on PostgreSQL."""

from __future__ import annotations

import hashlib
import io
import json
import tarfile

import pytest
from sqlalchemy import create_engine, select

from tests.conftest import RUN_ID, TEST_DB, _drop_postgres_database, postgres_database
from tests.workflow.helpers import build_world
from workflow_app import create_app
from workflow_app.evaluations.models import Evidence
from workflow_app.extensions import db
from workflow_app.workflow.states import EvaluationState as S

PDF = b"%PDF-1.4\n% evidence kept in the backup\n%%EOF\n"


def _evidence(evaluation) -> None:  # noqa: ANN001
    leaf = next(i for i in evaluation.indicators if i.level == 2)
    db.session.add(Evidence(indicator=leaf, filename="佐证材料.pdf",
                            content_type="application/pdf", size=len(PDF),
                            sha256=hashlib.sha256(PDF).hexdigest(), data=PDF))
    db.session.flush()


@pytest.fixture
def content(make, db_session, app):
    """Evaluations in every interesting situation, committed; returns their ids."""
    published = build_world(make)
    _evidence(published.evaluation)
    published.go(S.PUBLISHED)  # the PDF is rendered and stored (sync mode)
    review = build_world(make)
    review.go(S.TEAM_REVIEW)
    accepted = build_world(make)
    accepted.go(S.ACCEPTED)
    draft = build_world(make)
    # the factory builds rows directly; the editor's operations would store these scores
    from workflow_app.evaluations import derived
    derived.store_from_working_copy(draft.evaluation)
    db.session.commit()
    return {
        "published": published.evaluation.id, "review": review.evaluation.id,
        "accepted": accepted.evaluation.id, "draft": draft.evaluation.id,
        "member": review.member1.username, "finance": accepted.finance.username,
        "preparer": draft.preparer.username,
    }


@pytest.fixture
def empty_database(tmp_path):
    """The URL of a new, empty database of the suite's kind."""
    if TEST_DB.startswith("postgres"):
        url = postgres_database(f"jixiao_restore_{RUN_ID}")
        yield url
        _drop_postgres_database(url)
    else:
        yield "sqlite:///" + str(tmp_path / "restored.sqlite3")


def _all_rows(url: str) -> dict[str, list[tuple]]:
    from workflow_app import _normalise_url

    engine = create_engine(_normalise_url(url))
    try:
        with engine.connect() as conn:
            return {table.name: [tuple(r) for r in conn.execute(
                select(table).order_by(*table.primary_key.columns))]
                for table in db.metadata.sorted_tables}
    finally:
        engine.dispose()


def test_restore_into_an_empty_database_is_identical_verified_and_usable(
        app, content, database_url, empty_database, tmp_path):
    archive = tmp_path / "jixiao-backup.tar"
    made = app.test_cli_runner().invoke(args=["backup", "create", str(archive)])
    assert made.exit_code == 0, made.output
    assert "已备份" in made.output
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        manifest = json.load(tar.extractfile("manifest.json"))
    assert manifest["row_counts"]["evidence"] == 1
    assert manifest["row_counts"]["published_reports"] == 1
    assert manifest["row_counts"]["audit_events"] > 5
    assert manifest["database_member"] in names

    restored = create_app("testing", {"SQLALCHEMY_DATABASE_URI": empty_database,
                                      "WTF_CSRF_ENABLED": False})
    with restored.app_context():  # the CLI uses the app context it finds
        answer = restored.test_cli_runner().invoke(args=["backup", "restore", str(archive)])
    assert answer.exit_code == 0, answer.output
    assert "行数与备份一致" in answer.output and "完整性校验通过" in answer.output

    # The same content, row for row (evidence bytes, PDFs, audit chain included).
    assert _all_rows(empty_database) == _all_rows(database_url)

    # And the restored database is used: edit a draft, sign, publish; the chain still verifies.
    from workflow_app.audit.trail import verify
    from workflow_app.auth.models import User
    from workflow_app.evaluations import operations as ops
    from workflow_app.evaluations.models import Evaluation
    from workflow_app.public.models import PublishedReport
    from workflow_app.workflow.operations import fire

    with restored.app_context():
        def user(name):
            return db.session.scalar(select(User).where(User.username == name))

        draft = db.session.get(Evaluation, content["draft"])
        leaf = next(i for i in draft.indicators if i.level == 2)
        ops.add_evidence(draft, user(content["preparer"]), draft.version, leaf.id,
                         "恢复后上传.pdf", PDF + b"% new\n")
        fire(db.session.get(Evaluation, content["review"]), "sign", user(content["member"]))
        fire(db.session.get(Evaluation, content["accepted"]), "publish", user(content["finance"]))
        db.session.commit()
        assert db.session.scalar(select(PublishedReport).where(
            PublishedReport.evaluation_id == content["accepted"])).pdf.startswith(b"%PDF-")
        old = db.session.scalar(select(PublishedReport).where(
            PublishedReport.evaluation_id == content["published"]))
        assert old.pdf == _stored_pdf(database_url, content["published"])
        assert verify().ok
        db.session.remove()
        db.engine.dispose()


def _stored_pdf(url: str, evaluation_id: int) -> bytes:
    rows = _all_rows(url)["published_reports"]
    table = db.metadata.tables["published_reports"]
    index = [c.name for c in table.columns]
    for row in rows:
        if row[index.index("evaluation_id")] == evaluation_id:
            return row[index.index("pdf")]
    raise AssertionError("no stored report")


def test_restore_refuses_a_database_that_is_not_empty(app, content, tmp_path, database_url):
    archive = tmp_path / "b.tar"
    assert app.test_cli_runner().invoke(args=["backup", "create", str(archive)]).exit_code == 0
    before = _all_rows(database_url)
    answer = app.test_cli_runner().invoke(args=["backup", "restore", str(archive)])
    assert answer.exit_code == 1
    assert "目标数据库不是空的" in answer.output
    assert _all_rows(database_url) == before


def test_a_damaged_archive_is_refused_before_anything_is_written(app, content, tmp_path,
                                                                 empty_database):
    archive = tmp_path / "b.tar"
    assert app.test_cli_runner().invoke(args=["backup", "create", str(archive)]).exit_code == 0
    damaged = tmp_path / "damaged.tar"
    with tarfile.open(archive) as src, tarfile.open(damaged, "w") as dst:
        for member in src.getmembers():
            data = src.extractfile(member).read()
            if member.name.startswith("database."):
                middle = len(data) // 2  # flip one byte (a file may end in zeros already)
                data = data[:middle] + bytes([data[middle] ^ 0xFF]) + data[middle + 1:]
            member.size = len(data)
            dst.addfile(member, io.BytesIO(data))
    restored = create_app("testing", {"SQLALCHEMY_DATABASE_URI": empty_database})
    with restored.app_context():
        answer = restored.test_cli_runner().invoke(args=["backup", "restore", str(damaged)])
        assert answer.exit_code == 1
        assert "已损坏" in answer.output
        from sqlalchemy import inspect

        assert inspect(db.engine).get_table_names() == []
        db.engine.dispose()
