"""Published reports carry what the portal lists by: year, kind, unit, totals and grade.

Written by hand. The portal used to re-score every published document in Python to filter by
grade and made several passes over all published rows per page; now the values it sorts and
filters by are fixed on the published report at publication (a published evaluation never
changes again), with one index per filter followed by the list's order.

Existing rows are backfilled here: year, kind and unit from the evaluation, totals and grade
by scoring the published revision's snapshot with the product's engine (the same function
publication uses). The frozen-row trigger is lifted for the backfill only and restored.

Revision ID: de1bc8602236
Revises: 3e8d51c0a7f2
Create Date: 2026-12-01 20:55:00
"""
import json

import sqlalchemy as sa
from alembic import op

revision = "de1bc8602236"
down_revision = "3e8d51c0a7f2"
branch_labels = None
depends_on = None

FROZEN_MESSAGE = "a published report never changes"
SQLITE_FROZEN = f"""
    CREATE TRIGGER trg_published_reports_frozen BEFORE UPDATE ON published_reports
    BEGIN SELECT RAISE(ABORT, '{FROZEN_MESSAGE}'); END"""

INDEXES = {
    "ix_published_reports_listing": ["fiscal_year", "published_at", "id"],
    "ix_published_reports_unit_listing": ["unit_id", "fiscal_year", "published_at", "id"],
    "ix_published_reports_grade_listing": ["grade", "fiscal_year", "published_at", "id"],
    "ix_published_reports_kind_listing": ["kind", "fiscal_year", "published_at", "id"],
}


def _lift_trigger(dialect):
    if dialect == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS trg_published_reports_frozen")
    elif dialect == "postgresql":
        op.execute("ALTER TABLE published_reports DISABLE TRIGGER trg_published_reports_frozen")


def _restore_trigger(dialect):
    if dialect == "sqlite":
        op.execute(SQLITE_FROZEN)
    elif dialect == "postgresql":
        op.execute("ALTER TABLE published_reports ENABLE TRIGGER trg_published_reports_frozen")


def _backfill(bind):
    from workflow_app.public.publication import listing_scores

    rows = bind.execute(sa.text(
        "SELECT p.id, e.fiscal_year, e.kind, e.unit_id, r.snapshot FROM published_reports p "
        "JOIN evaluations e ON e.id = p.evaluation_id JOIN revisions r ON r.id = p.revision_id"
    )).all()
    update = sa.text(
        "UPDATE published_reports SET fiscal_year = :fiscal_year, kind = :kind, "
        "unit_id = :unit_id, total_score = :total_score, "
        "computed_total_score = :computed_total_score, grade = :grade WHERE id = :id"
    ).bindparams(sa.bindparam("total_score", type_=sa.Numeric(7, 2)),
                 sa.bindparam("computed_total_score", type_=sa.Numeric(7, 2)))
    for report_id, fiscal_year, kind, unit_id, snapshot in rows:
        scores = listing_scores(json.loads(snapshot))
        bind.execute(update, {"id": report_id, "fiscal_year": fiscal_year, "kind": kind,
                              "unit_id": unit_id, **scores})


def upgrade():
    bind = op.get_bind()
    dialect = bind.dialect.name
    _lift_trigger(dialect)
    with op.batch_alter_table("published_reports") as batch:
        batch.add_column(sa.Column("fiscal_year", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("kind", sa.String(length=14), nullable=True))
        batch.add_column(sa.Column("unit_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("total_score", sa.Numeric(precision=7, scale=2),
                                   nullable=True))
        batch.add_column(sa.Column("computed_total_score", sa.Numeric(precision=7, scale=2),
                                   nullable=True))
        batch.add_column(sa.Column("grade", sa.String(length=20), nullable=True))
    _backfill(bind)
    with op.batch_alter_table("published_reports") as batch:
        batch.alter_column("fiscal_year", existing_type=sa.Integer(), nullable=False)
        batch.alter_column("kind", existing_type=sa.String(length=14), nullable=False)
        batch.alter_column("unit_id", existing_type=sa.Integer(), nullable=False)
        batch.create_check_constraint("published_report_kind", "kind IN ('project', 'unit_whole')")
        batch.create_foreign_key(op.f("fk_published_reports_unit_id_units"), "units",
                                 ["unit_id"], ["id"], ondelete="RESTRICT")
    for name, columns in INDEXES.items():
        op.create_index(name, "published_reports", columns, unique=False)
    _restore_trigger(dialect)


def downgrade():
    dialect = op.get_bind().dialect.name
    _lift_trigger(dialect)
    for name in INDEXES:
        op.drop_index(name, table_name="published_reports")
    with op.batch_alter_table("published_reports") as batch:
        batch.drop_constraint(op.f("fk_published_reports_unit_id_units"), type_="foreignkey")
        batch.drop_constraint(op.f("ck_published_reports_published_report_kind"), type_="check")
        for column in ("grade", "computed_total_score", "total_score", "unit_id", "kind",
                       "fiscal_year"):
            batch.drop_column(column)
    _restore_trigger(dialect)
