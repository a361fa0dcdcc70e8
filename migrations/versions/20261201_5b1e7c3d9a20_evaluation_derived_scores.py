"""Derived scores on evaluations (self total, computed total, open leaves, grade) and the
indexes of the lists and inboxes.

The four columns are a cache kept by the operations (``workflow_app.evaluations.derived``):
submit, approve and accept store what the frozen revision's snapshot scores to, and a draft's
save stores what its working copy scores to, so no list page re-scores a document.

Backfill: every evaluation that has a submitted revision is scored from that revision's
snapshot (the canonical JSON the team signed) with the scoring engine, a pure function of the
document. Drafts never submitted stay NULL (shown as "未计算", never as 0) until their next save
or ``flask --app workflow_app evaluations refresh-scores``.

Revision ID: 5b1e7c3d9a20
Revises: fed7c4e41f04
Create Date: 2026-12-01 21:00:00
"""
import json

import sqlalchemy as sa
from alembic import op

revision = "5b1e7c3d9a20"
down_revision = "fed7c4e41f04"
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMN (a column-level CHECK): SQLite's batch mode would copy and drop the
    # table, and with foreign keys on, dropping it would cascade to every child row.
    op.add_column("evaluations", sa.Column("self_total", sa.Numeric(7, 2), nullable=True))
    op.add_column("evaluations", sa.Column("computed_total", sa.Numeric(7, 2), nullable=True))
    op.add_column("evaluations", sa.Column(
        "open_leaves", sa.Integer(),
        sa.CheckConstraint("open_leaves IS NULL OR open_leaves >= 0",
                           name=op.f("ck_evaluations_open_leaves_non_negative")),
        nullable=True))
    op.add_column("evaluations", sa.Column("grade", sa.String(40), nullable=True))
    op.create_index("ix_evaluations_unit_state_year", "evaluations",
                    ["unit_id", "state", "fiscal_year"])
    op.create_index("ix_evaluations_unit_year", "evaluations", ["unit_id", "fiscal_year"])
    op.create_index(op.f("ix_signature_delegations_delegate_id"), "signature_delegations",
                    ["delegate_id"])
    _backfill()


def _backfill():
    from workflow_app.evaluations.scoring import ScoringError, score_document

    conn = op.get_bind()
    rows = conn.execute(sa.text(
        "SELECT e.id, r.snapshot FROM evaluations e JOIN revisions r"
        " ON r.evaluation_id = e.id AND r.number = ("
        "   SELECT max(r2.number) FROM revisions r2 WHERE r2.evaluation_id = e.id)"))
    update = sa.text("UPDATE evaluations SET self_total = :self_total,"
                     " computed_total = :computed_total, open_leaves = :open_leaves,"
                     " grade = :grade WHERE id = :id").bindparams(
        sa.bindparam("self_total", type_=sa.Numeric(7, 2)),
        sa.bindparam("computed_total", type_=sa.Numeric(7, 2)))
    for evaluation_id, snapshot in rows.fetchall():
        try:
            result = score_document(json.loads(snapshot))
        except (ScoringError, ValueError, TypeError):
            continue  # left NULL: shown as not computed, refreshed by the next operation
        conn.execute(update, {"id": evaluation_id, "self_total": result.entered_total,
                              "computed_total": result.computed_total,
                              "open_leaves": len(result.uncomputed),
                              "grade": result.entered_grade})


def downgrade():
    op.drop_index(op.f("ix_signature_delegations_delegate_id"), table_name="signature_delegations")
    op.drop_index("ix_evaluations_unit_year", table_name="evaluations")
    op.drop_index("ix_evaluations_unit_state_year", table_name="evaluations")
    for column in ("grade", "open_leaves", "computed_total", "self_total"):
        op.drop_column("evaluations", column)
