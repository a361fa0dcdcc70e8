"""Export jobs: large exports built by the job worker, kept until downloaded.

Written by hand. Progress is bounded by a CHECK (0 <= done <= total); the status is a
VARCHAR with a CHECK like every enum of the schema.

Revision ID: b7e3a91c5d20
Revises: fed7c4e41f04
Create Date: 2026-12-01 21:20:00
"""
import sqlalchemy as sa
from alembic import op

revision = "b7e3a91c5d20"
down_revision = "fed7c4e41f04"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "export_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=11), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("status IN ('queued', 'running', 'done', 'failed')",
                           name=op.f("ck_export_jobs_export_status")),
        sa.CheckConstraint("done >= 0 AND total >= 0 AND done <= total",
                           name=op.f("ck_export_jobs_progress_bounds")),
        sa.ForeignKeyConstraint(["requested_by_id"], ["users.id"],
                                name=op.f("fk_export_jobs_requested_by_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_export_jobs")),
    )
    op.create_index(op.f("ix_export_jobs_requested_by_id"), "export_jobs",
                    ["requested_by_id"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_export_jobs_requested_by_id"), table_name="export_jobs")
    op.drop_table("export_jobs")
