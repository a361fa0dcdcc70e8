"""SQLite refuses deleting a published report too (PostgreSQL already did).

Written by hand. ``3e8d51c0a7f2`` froze published reports against UPDATE on both databases
and against DELETE on PostgreSQL only, so that the SQLite test suite could empty its tables.
The suite now lifts every trigger named ``*_frozen_*`` while it empties a database
(tests/conftest.py), so SQLite gets its own BEFORE DELETE trigger under such a name: a
published report is a public record and is never removed (``flask integrity verify`` also
names a report whose publication the audit trail recorded but whose row is gone).

Revision ID: b7d2e4f9a013
Revises: 9f3b2d7c4e15
Create Date: 2026-12-02 18:00:00
"""
from alembic import op

revision = "b7d2e4f9a013"
down_revision = "9f3b2d7c4e15"
branch_labels = None
depends_on = None

TRIGGER = "trg_published_reports_frozen_delete"
SQLITE_TRIGGER = f"""
    CREATE TRIGGER {TRIGGER} BEFORE DELETE ON published_reports
    BEGIN SELECT RAISE(ABORT, 'a published report is never deleted'); END"""


def upgrade():
    if op.get_bind().dialect.name == "sqlite":
        op.execute(SQLITE_TRIGGER)


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"DROP TRIGGER IF EXISTS {TRIGGER}")
