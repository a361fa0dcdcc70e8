"""The database guards itself, and the migrations build exactly the schema the models declare."""

from __future__ import annotations

import os
from decimal import Decimal

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.exc import IntegrityError, StatementError

from tests.migrating import app_on, scratch_database
from workflow_app.evaluations.models import FundingSource, FundingSourceKind, Indicator, TeamMember
from workflow_app.extensions import db
from workflow_app.units.models import Unit, UnitKind
from workflow_app.workflow.models import Revision, Signature
from workflow_app.workflow.states import TeamRole


def _refused(statement_or_callable) -> None:
    """The database (not Python) refuses the write, and the session recovers."""
    with pytest.raises((IntegrityError, StatementError)), db.session.begin_nested():
        if callable(statement_or_callable):
            statement_or_callable()
        else:
            db.session.execute(text(statement_or_callable))
        db.session.flush()


def test_score_above_weight_is_refused_by_the_database(make, db_session):
    evaluation = make.evaluation()
    leaf = next(i for i in evaluation.indicators if i.level == 2)
    _refused(f"UPDATE indicators SET score = weight + 1 WHERE id = {leaf.id}")
    _refused(f"UPDATE indicators SET score = -1 WHERE id = {leaf.id}")
    _refused(f"UPDATE indicators SET level = 4 WHERE id = {leaf.id}")


def test_enum_columns_have_check_constraints(make, db_session):
    evaluation = make.evaluation()
    _refused(f"UPDATE evaluations SET state = 'approved-by-magic' WHERE id = {evaluation.id}")
    _refused(f"UPDATE evaluations SET kind = 'other' WHERE id = {evaluation.id}")
    _refused(f"UPDATE units SET kind = 'ministry' WHERE id = {evaluation.unit_id}")


def test_money_cannot_be_negative_and_sources_are_unique(make, db_session):
    evaluation = make.evaluation()
    db_session.add(FundingSource(evaluation=evaluation, source=FundingSourceKind.LOCAL,
                                 planned=Decimal("1308.05"), arrived=Decimal("1308.05"),
                                 spent=Decimal("906.09")))
    db_session.flush()
    _refused(lambda: db_session.add(FundingSource(
        evaluation_id=evaluation.id, source=FundingSourceKind.LOCAL, planned=Decimal(1),
        arrived=Decimal(1), spent=Decimal(1))))
    _refused(f"UPDATE funding_sources SET spent = -0.0001 WHERE evaluation_id = {evaluation.id}")


def test_money_keeps_four_decimals_exactly(make, db_session):
    evaluation = make.evaluation()
    db_session.add(FundingSource(evaluation=evaluation, source=FundingSourceKind.CENTRAL,
                                 planned=Decimal("307.991"), arrived=Decimal("0.0001"),
                                 spent=Decimal("123456789.1234")))
    db_session.commit()
    db_session.expire_all()
    row = db_session.query(FundingSource).filter_by(evaluation_id=evaluation.id).one()
    assert row.planned == Decimal("307.991")
    assert row.arrived == Decimal("0.0001")
    assert row.spent == Decimal("123456789.1234")
    assert isinstance(row.spent, Decimal)


def test_one_leader_and_one_row_per_member(make, db_session):
    evaluation = make.evaluation()
    a, b = make.user(evaluation.unit), make.user(evaluation.unit)
    db_session.add(TeamMember(evaluation=evaluation, user=a, role=TeamRole.LEADER))
    db_session.flush()
    _refused(lambda: db_session.add(
        TeamMember(evaluation_id=evaluation.id, user_id=b.id, role=TeamRole.LEADER)))
    _refused(lambda: db_session.add(
        TeamMember(evaluation_id=evaluation.id, user_id=a.id, role=TeamRole.MEMBER)))


def test_one_signature_per_member_per_revision(make, db_session):
    evaluation = make.evaluation()
    member = make.user(evaluation.unit)
    revision = Revision(evaluation=evaluation, number=1, snapshot="{}", content_hash="a" * 64,
                        submitted_by_id=evaluation.preparer_id)
    db_session.add(revision)
    db_session.add(Signature(revision=revision, member=member, signer=member,
                             team_role=TeamRole.MEMBER, content_hash="a" * 64))
    db_session.flush()
    _refused(lambda: db_session.add(Signature(
        revision_id=revision.id, member_id=member.id, signer_id=member.id,
        team_role=TeamRole.MEMBER, content_hash="a" * 64)))
    _refused(lambda: db_session.add(Signature(
        revision_id=revision.id, member_id=make.user(evaluation.unit).id, signer_id=member.id,
        team_role=TeamRole.MEMBER, content_hash="short")))


def test_foreign_keys_are_enforced(make, db_session):
    evaluation = make.evaluation()
    _refused(f"UPDATE evaluations SET unit_id = 999999 WHERE id = {evaluation.id}")
    _refused(lambda: db_session.add(Indicator(evaluation_id=999999, level=1, name="x",
                                              weight=Decimal(1))))


def test_a_bureau_is_not_overseen(make, db_session):
    bureau = make.bureau()
    _refused(lambda: db_session.add(Unit(name="另一个财政局", kind=UnitKind.FINANCE_BUREAU,
                                         bureau_id=bureau.id)))


# --------------------------------------------------------------------------- migrations


@pytest.fixture
def empty_database_url(tmp_path, worker_id):
    with scratch_database(tmp_path, worker_id, "mig") as url:
        yield url


def _constraint_names(inspector, table):
    names = {c["name"] for c in inspector.get_check_constraints(table)}
    names |= {c["name"] for c in inspector.get_unique_constraints(table)}
    names |= {c["name"] for c in inspector.get_foreign_keys(table)}
    return names


def _model_constraint_names(table):
    from sqlalchemy import CheckConstraint, ForeignKeyConstraint, UniqueConstraint

    names = set()
    for c in table.constraints:
        if isinstance(c, CheckConstraint | UniqueConstraint | ForeignKeyConstraint):
            names.add(str(c.name))
    # Column-level unique=True becomes a named UniqueConstraint in the migration.
    for col in table.columns:
        if col.unique:
            names.add(f"uq_{table.name}_{col.name}")
    return names


def test_upgrade_head_matches_the_models_exactly(empty_database_url):
    from flask_migrate import upgrade

    app = app_on(empty_database_url)
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            diff = compare_metadata(
                MigrationContext.configure(conn, opts={"compare_type": True}), db.metadata
            )
            assert diff == [], f"migrations and models differ: {diff}"
            inspector = inspect(conn)
            for table in db.metadata.sorted_tables:
                assert _model_constraint_names(table) <= _constraint_names(inspector, table.name), (
                    table.name
                )
        db.engine.dispose()


def test_downgrade_base_removes_everything_and_upgrade_again_works(empty_database_url):
    from flask_migrate import downgrade, upgrade

    app = app_on(empty_database_url)
    with app.app_context():
        upgrade()
        downgrade(revision="base")
        engine = create_engine(empty_database_url.replace("postgresql://", "postgresql+psycopg://"))
        with engine.connect() as conn:
            left = set(inspect(conn).get_table_names()) - {"alembic_version"}
        engine.dispose()
        assert left == set()
        upgrade()
        with db.engine.connect() as conn:
            assert "evaluations" in inspect(conn).get_table_names()
        db.engine.dispose()


def test_production_refuses_to_start_without_secret_key(monkeypatch):
    from config.settings import ConfigError
    from workflow_app import create_app

    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app("production")
    monkeypatch.setenv("SECRET_KEY", "x" * 32)
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    assert create_app("production").config["SESSION_COOKIE_HTTPONLY"] is True


def test_database_url_defaults_to_sqlite_in_instance_folder(monkeypatch, tmp_path):
    from workflow_app import create_app

    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    app = create_app("development", {"SQLALCHEMY_DATABASE_URI": None})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "sqlite:///" + os.path.join(
        str(tmp_path), "jixiao.sqlite3"
    )
