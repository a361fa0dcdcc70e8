"""Published reports are frozen: the stored PDF and its hash never change.

Written by hand (triggers are not in the models' metadata). Both databases refuse UPDATE of a
``published_reports`` row; PostgreSQL also refuses DELETE (SQLite's test suite and maintenance
empty tables with DELETE, as explained in the workflow-guards revision). The model layer refuses
both as well (``workflow_app.public.publication``).

Revision ID: 3e8d51c0a7f2
Revises: 7c2f9e4a1b30
Create Date: 2026-11-23 14:00:00
"""
from alembic import op

revision = "3e8d51c0a7f2"
down_revision = "7c2f9e4a1b30"
branch_labels = None
depends_on = None

MESSAGE = "a published report never changes"


def upgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute(f"""
            CREATE TRIGGER trg_published_reports_frozen BEFORE UPDATE ON published_reports
            BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""")
    elif dialect == "postgresql":
        op.execute(f"""
            CREATE FUNCTION wf_published_reports_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION '{MESSAGE} (report %)', OLD.id
                    USING ERRCODE = 'restrict_violation';
            END $$""")
        op.execute(
            "CREATE TRIGGER trg_published_reports_frozen BEFORE UPDATE OR DELETE ON "
            "published_reports FOR EACH ROW EXECUTE FUNCTION wf_published_reports_frozen()"
        )


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS trg_published_reports_frozen")
    elif dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS trg_published_reports_frozen ON published_reports")
        op.execute("DROP FUNCTION IF EXISTS wf_published_reports_frozen()")
