"""Audit events: the hash algorithm of each row, and a chain that cannot fork.

- ``audit_events.hash_algorithm`` (sha256 | sm3, CHECK, NOT NULL): which function made the
  row's hash; existing rows were all SHA-256 (server default), new rows take HASH_ALGORITHM.
  Verification uses each row's own algorithm, so switching the setting never breaks old rows.
- ``audit_events.prev_hash`` UNIQUE (index ``ix_audit_events_prev_hash``): two events can never
  chain onto the same predecessor, whatever the application does. A chain appended by the
  application (one writer at a time under the chain's lock) has no duplicates to refuse.

Written by hand. On SQLite the column is added in place (ALTER TABLE ADD COLUMN with a column
CHECK), so the table and its append-only triggers stay.

Revision ID: e3a7c91b5d02
Revises: a3f19c7e5b01
Create Date: 2026-12-02 06:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = "e3a7c91b5d02"
down_revision = "a3f19c7e5b01"
branch_labels = None
depends_on = None

ALGORITHMS = "('sha256', 'sm3')"


def upgrade():
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE audit_events ADD COLUMN hash_algorithm VARCHAR(10) NOT NULL "
                   "DEFAULT 'sha256' CONSTRAINT ck_audit_events_hash_algorithm "
                   f"CHECK (hash_algorithm IN {ALGORITHMS})")
    else:
        op.add_column("audit_events", sa.Column("hash_algorithm", sa.String(10), nullable=False,
                                                server_default="sha256"))
        op.create_check_constraint(op.f("ck_audit_events_hash_algorithm"), "audit_events",
                                   f"hash_algorithm IN {ALGORITHMS}")
    op.create_index(op.f("ix_audit_events_prev_hash"), "audit_events", ["prev_hash"],
                    unique=True)


def downgrade():
    op.drop_index(op.f("ix_audit_events_prev_hash"), table_name="audit_events")
    if op.get_bind().dialect.name == "sqlite":
        # SQLite ≥ 3.35 drops a column that no index or view uses (a column CHECK is fine).
        op.execute("ALTER TABLE audit_events DROP COLUMN hash_algorithm")
    else:
        op.drop_constraint(op.f("ck_audit_events_hash_algorithm"), "audit_events", type_="check")
        op.drop_column("audit_events", "hash_algorithm")
