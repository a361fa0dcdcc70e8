"""A partial index of the published evaluations, for the portal's "is it published?" check.

Written by hand. The portal counts and pages published reports from ``published_reports``
alone and checks each report's evaluation is published with a semi-join; at a province's size
(10,000 reports, 100,000 evaluations) that check read 10,000 evaluation rows per count (30-110
ms). This index holds only the published evaluations' ids, so the check is an index-only scan.

Revision ID: 1221f044a80e
Revises: a4d9c2e7f150
Create Date: 2026-12-01 21:45:00
"""
import sqlalchemy as sa
from alembic import op

revision = "1221f044a80e"
down_revision = "a4d9c2e7f150"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_evaluations_published", "evaluations", ["id"], unique=False,
                    postgresql_where=sa.text("state = 'published'"),
                    sqlite_where=sa.text("state = 'published'"))


def downgrade():
    op.drop_index("ix_evaluations_published", table_name="evaluations")
