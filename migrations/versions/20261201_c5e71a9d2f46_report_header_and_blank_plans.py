"""What real reports hold: address, postcode and title word in the header; a blank plan.

- ``evaluations.address`` / ``postcode`` (地址 / 邮编, printed in the report's header; a
  postcode is empty or six characters) and ``title_word`` (the title ends in 自评报告 or
  评价报告; a CHECK keeps the enum's values).
- ``expense_lines.planned`` may be NULL: many reports give no plan per economic category,
  and a blank is not 0.

Written by hand. On SQLite the new columns are added in place (ALTER TABLE ADD COLUMN keeps
the table and its triggers); making ``planned`` nullable needs the table rebuilt, so the
triggers on ``expense_lines`` (the workflow's content locks) are read first and re-created
afterwards, exactly as they were.

Revision ID: c5e71a9d2f46
Revises: 1221f044a80e
Create Date: 2026-12-01 21:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = "c5e71a9d2f46"
down_revision = "1221f044a80e"
branch_labels = None
depends_on = None

TITLE_WORDS = "('self_evaluation', 'evaluation')"


def _sqlite_triggers(table):
    rows = op.get_bind().execute(sa.text(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = :t"), {"t": table})
    return [r[0] for r in rows if r[0]]


def _planned_nullable(nullable):
    if op.get_bind().dialect.name == "sqlite":
        triggers = _sqlite_triggers("expense_lines")
        with op.batch_alter_table("expense_lines", recreate="always") as batch:
            batch.alter_column("planned", existing_type=sa.Numeric(14, 4), nullable=nullable)
        for sql in triggers:
            op.execute(sql)
    else:
        op.alter_column("expense_lines", "planned", existing_type=sa.Numeric(14, 4),
                        nullable=nullable)


def upgrade():
    if op.get_bind().dialect.name == "sqlite":
        # Column constraints in ADD COLUMN: the table (and its triggers) stays.
        op.execute("ALTER TABLE evaluations ADD COLUMN address VARCHAR(200) NOT NULL DEFAULT ''")
        op.execute("ALTER TABLE evaluations ADD COLUMN postcode VARCHAR(6) NOT NULL DEFAULT '' "
                   "CONSTRAINT ck_evaluations_postcode_length CHECK (length(postcode) IN (0, 6))")
        op.execute("ALTER TABLE evaluations ADD COLUMN title_word VARCHAR(19) NOT NULL "
                   "DEFAULT 'self_evaluation' CONSTRAINT ck_evaluations_report_title_word "
                   f"CHECK (title_word IN {TITLE_WORDS})")
    else:
        op.add_column("evaluations", sa.Column("address", sa.String(200), nullable=False,
                                               server_default=""))
        op.add_column("evaluations", sa.Column("postcode", sa.String(6), nullable=False,
                                               server_default=""))
        op.add_column("evaluations", sa.Column("title_word", sa.String(19), nullable=False,
                                               server_default="self_evaluation"))
        op.create_check_constraint(op.f("ck_evaluations_postcode_length"), "evaluations",
                                   "length(postcode) IN (0, 6)")
        op.create_check_constraint(op.f("ck_evaluations_report_title_word"), "evaluations",
                                   f"title_word IN {TITLE_WORDS}")
    _planned_nullable(True)


def downgrade():
    op.execute("UPDATE expense_lines SET planned = 0 WHERE planned IS NULL")
    _planned_nullable(False)
    if op.get_bind().dialect.name == "sqlite":
        # SQLite ≥ 3.35 drops a column that no index or view uses (a column CHECK is fine).
        for column in ("title_word", "postcode", "address"):
            op.execute(f"ALTER TABLE evaluations DROP COLUMN {column}")
    else:
        op.drop_constraint(op.f("ck_evaluations_report_title_word"), "evaluations", type_="check")
        op.drop_constraint(op.f("ck_evaluations_postcode_length"), "evaluations", type_="check")
        for column in ("title_word", "postcode", "address"):
            op.drop_column("evaluations", column)
