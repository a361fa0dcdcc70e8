"""Merge point: the export_jobs revision and 5b1e7c3d9a20 were both based on fed7c4e41f04.

Written by hand; no schema change. (Both parents are already on main, so neither may be
edited to make the chain linear.)

Revision ID: c4d8e2f6a1b3
Revises: 5b1e7c3d9a20, b7e3a91c5d20
Create Date: 2026-12-01 21:05:00
"""

revision = "c4d8e2f6a1b3"
down_revision = ("5b1e7c3d9a20", "b7e3a91c5d20")
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
