"""抽查: recorded random draws of accepted evaluations (spot_checks, spot_check_items).

Written by hand. A draw is never edited: PostgreSQL and SQLite refuse UPDATE of both tables
(triggers), so the record of who drew what, when and with which seed stays as it was drawn.

Revision ID: 8d4f2a6c1e57
Revises: c4d8e2f6a1b3
Create Date: 2026-12-01 21:30:00
"""
import sqlalchemy as sa
from alembic import op


revision = "8d4f2a6c1e57"
down_revision = "c4d8e2f6a1b3"
branch_labels = None
depends_on = None

MESSAGE = "a spot check is a record and never changes"


def upgrade():
    op.create_table(
        "spot_checks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("bureau_id", sa.Integer(), nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("drawn_by_id", sa.Integer(), nullable=False),
        sa.Column("drawn_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("seed", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("population", sa.Integer(), nullable=False),
        sa.Column("population_sha256", sa.String(length=64), nullable=False),
        sa.CheckConstraint("size >= 1", name=op.f("ck_spot_checks_size_positive")),
        sa.CheckConstraint("population >= size",
                           name=op.f("ck_spot_checks_population_covers_size")),
        sa.CheckConstraint("length(seed) > 0", name=op.f("ck_spot_checks_seed_not_empty")),
        sa.CheckConstraint("fiscal_year BETWEEN 2000 AND 2100",
                           name=op.f("ck_spot_checks_fiscal_year_range")),
        sa.ForeignKeyConstraint(["bureau_id"], ["units.id"],
                                name=op.f("fk_spot_checks_bureau_id_units"), ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["drawn_by_id"], ["users.id"],
                                name=op.f("fk_spot_checks_drawn_by_id_users"),
                                ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_spot_checks")),
    )
    op.create_index(op.f("ix_spot_checks_bureau_id"), "spot_checks", ["bureau_id"])
    op.create_table(
        "spot_check_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("spot_check_id", sa.Integer(), nullable=False),
        sa.Column("evaluation_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.CheckConstraint("position >= 1", name=op.f("ck_spot_check_items_position_positive")),
        sa.ForeignKeyConstraint(["spot_check_id"], ["spot_checks.id"],
                                name=op.f("fk_spot_check_items_spot_check_id_spot_checks"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["evaluation_id"], ["evaluations.id"],
                                name=op.f("fk_spot_check_items_evaluation_id_evaluations"),
                                ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_spot_check_items")),
        sa.UniqueConstraint("spot_check_id", "evaluation_id",
                            name=op.f("uq_spot_check_items_spot_check_id_evaluation_id")),
        sa.UniqueConstraint("spot_check_id", "position",
                            name=op.f("uq_spot_check_items_spot_check_id_position")),
    )
    op.create_index(op.f("ix_spot_check_items_spot_check_id"), "spot_check_items",
                    ["spot_check_id"])
    op.create_index(op.f("ix_spot_check_items_evaluation_id"), "spot_check_items",
                    ["evaluation_id"])
    dialect = op.get_bind().dialect.name
    for table in ("spot_checks", "spot_check_items"):
        if dialect == "sqlite":
            op.execute(f"""
                CREATE TRIGGER trg_{table}_frozen BEFORE UPDATE ON {table}
                BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""")
        elif dialect == "postgresql":
            op.execute(f"""
                CREATE FUNCTION wf_{table}_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN RAISE EXCEPTION '{MESSAGE}'; END $$""")
            op.execute(f"""
                CREATE TRIGGER trg_{table}_frozen BEFORE UPDATE ON {table}
                FOR EACH ROW EXECUTE FUNCTION wf_{table}_frozen()""")


def downgrade():
    dialect = op.get_bind().dialect.name
    for table in ("spot_check_items", "spot_checks"):
        op.execute(f"DROP TRIGGER IF EXISTS trg_{table}_frozen"
                   + (f" ON {table}" if dialect == "postgresql" else ""))
        if dialect == "postgresql":
            op.execute(f"DROP FUNCTION IF EXISTS wf_{table}_frozen()")
    op.drop_index(op.f("ix_spot_check_items_evaluation_id"), table_name="spot_check_items")
    op.drop_index(op.f("ix_spot_check_items_spot_check_id"), table_name="spot_check_items")
    op.drop_table("spot_check_items")
    op.drop_index(op.f("ix_spot_checks_bureau_id"), table_name="spot_checks")
    op.drop_table("spot_checks")
