"""Login security and 三员分立: lockout counters, session epoch, forced password change, demo flag,
the security and audit administrator roles, password history, and API tokens that expire and can
be revoked.

Written by hand. Existing users keep working: counters start at zero, nobody is forced to change
a password, and existing API tokens get 90 days from their creation (already older ones are
expired at once: they were issued without a term).

Revision ID: a4d9c2e7f150
Revises: 8d4f2a6c1e57
Create Date: 2026-12-01 20:45:00
"""
import sqlalchemy as sa
from alembic import op

revision = "a4d9c2e7f150"
down_revision = "8d4f2a6c1e57"
branch_labels = None
depends_on = None

ADMIN_ROLES_SEPARATE = (
    "(CASE WHEN is_admin THEN 1 ELSE 0 END) + (CASE WHEN is_security_admin THEN 1 ELSE 0"
    " END) + (CASE WHEN is_audit_admin THEN 1 ELSE 0 END)"
    " + (CASE WHEN is_preparer OR is_finance_officer THEN 1 ELSE 0 END) <= 1"
)


def upgrade():
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("is_security_admin", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
        batch.add_column(sa.Column("is_audit_admin", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
        batch.add_column(sa.Column("is_demo", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
        batch.add_column(sa.Column("must_change_password", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
        batch.add_column(sa.Column("password_changed_at", sa.DateTime(timezone=True),
                                   nullable=True))
        batch.add_column(sa.Column("failed_logins", sa.Integer(), nullable=False,
                                   server_default="0"))
        batch.add_column(sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("session_epoch", sa.Integer(), nullable=False,
                                   server_default="0"))
    # A system administrator who was also a preparer or finance officer keeps the latter.
    op.execute("UPDATE users SET is_admin = false WHERE is_admin AND "
               "(is_preparer OR is_finance_officer)")
    with op.batch_alter_table("users") as batch:
        batch.create_check_constraint(op.f("ck_users_admin_roles_separate"), ADMIN_ROLES_SEPARATE)
        batch.create_check_constraint(op.f("ck_users_failed_logins_not_negative"), "failed_logins >= 0")
        batch.create_check_constraint(op.f("ck_users_session_epoch_not_negative"), "session_epoch >= 0")

    op.create_table(
        "password_history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("password_hash", sa.String(length=256), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_password_history_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_password_history")),
    )
    op.create_index(op.f("ix_password_history_user_id"), "password_history", ["user_id"],
                    unique=False)

    with op.batch_alter_table("api_tokens") as batch:
        batch.add_column(sa.Column("label", sa.String(length=64), nullable=False,
                                   server_default=""))
        batch.add_column(sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("revoked_reason", sa.String(length=40), nullable=False,
                                   server_default=""))
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("UPDATE api_tokens SET expires_at = created_at + interval '90 days'")
    else:
        op.execute("UPDATE api_tokens SET expires_at = datetime(created_at, '+90 days')")
    with op.batch_alter_table("api_tokens") as batch:
        batch.alter_column("expires_at", existing_type=sa.DateTime(timezone=True),
                           nullable=False)
        batch.create_check_constraint(op.f("ck_api_tokens_expires_after_created"), "expires_at > created_at")


def downgrade():
    with op.batch_alter_table("api_tokens") as batch:
        batch.drop_constraint(op.f("ck_api_tokens_expires_after_created"), type_="check")
        batch.drop_column("revoked_reason")
        batch.drop_column("revoked_at")
        batch.drop_column("expires_at")
        batch.drop_column("label")
    op.drop_index(op.f("ix_password_history_user_id"), table_name="password_history")
    op.drop_table("password_history")
    with op.batch_alter_table("users") as batch:
        batch.drop_constraint(op.f("ck_users_session_epoch_not_negative"), type_="check")
        batch.drop_constraint(op.f("ck_users_failed_logins_not_negative"), type_="check")
        batch.drop_constraint(op.f("ck_users_admin_roles_separate"), type_="check")
        for column in ("session_epoch", "locked_until", "failed_logins", "password_changed_at",
                       "must_change_password", "is_demo", "is_audit_admin",
                       "is_security_admin"):
            batch.drop_column(column)
