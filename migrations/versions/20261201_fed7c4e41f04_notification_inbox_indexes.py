"""Notifications: indexes that fit the inbox's reads.

Written by hand. The inbox lists a user's newest notifications, unread first; with only an
index on ``user_id`` PostgreSQL read every notification of the user (a bitmap scan over
thousands of blocks at a province's size) and sorted them. Now it reads the unread ones from a
partial index and the rest from ``(user_id, id)`` backwards, stopping at 50. The plain
``user_id`` index is covered by ``(user_id, id)`` and dropped.

Revision ID: fed7c4e41f04
Revises: de1bc8602236
Create Date: 2026-12-01 21:10:00
"""
import sqlalchemy as sa
from alembic import op

revision = "fed7c4e41f04"
down_revision = "de1bc8602236"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_notifications_user_id_id", "notifications", ["user_id", "id"],
                    unique=False)
    op.create_index("ix_notifications_user_unread", "notifications", ["user_id", "id"],
                    unique=False, sqlite_where=sa.text("read_at IS NULL"),
                    postgresql_where=sa.text("read_at IS NULL"))
    op.drop_index("ix_notifications_user_id", table_name="notifications")


def downgrade():
    op.create_index("ix_notifications_user_id", "notifications", ["user_id"], unique=False)
    op.drop_index("ix_notifications_user_unread", table_name="notifications")
    op.drop_index("ix_notifications_user_id_id", table_name="notifications")
