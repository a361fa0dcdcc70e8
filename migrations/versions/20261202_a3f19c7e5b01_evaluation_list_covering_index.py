"""Evaluations: one index that covers the lists' and inboxes' first pass.

Written by hand. The lists (工作台) and the finance inbox find a page's rows in two passes:
first the ids of the page (filters, sort, LIMIT/OFFSET) over narrow columns, then the 25 whole
rows by primary key. The first pass reads only ``unit_id, state, fiscal_year, updated_at, id``
(and the units), so with all five in one index PostgreSQL answers it with an index-only scan
instead of reading a bureau's thousands of wide evaluation rows (about 2.5 rows per 8 kB block)
to sort them. ``(unit_id, state, fiscal_year)`` is a prefix of the new index and dropped.

Revision ID: a3f19c7e5b01
Revises: c5e71a9d2f46
Create Date: 2026-12-02 06:30:00
"""
from alembic import op

revision = "a3f19c7e5b01"
down_revision = "c5e71a9d2f46"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_evaluations_unit_state_list", "evaluations",
                    ["unit_id", "state", "fiscal_year", "updated_at", "id"], unique=False)
    op.drop_index("ix_evaluations_unit_state_year", table_name="evaluations")


def downgrade():
    op.create_index("ix_evaluations_unit_state_year", "evaluations",
                    ["unit_id", "state", "fiscal_year"], unique=False)
    op.drop_index("ix_evaluations_unit_state_list", table_name="evaluations")
