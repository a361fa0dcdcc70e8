"""Integrity MACs (issue 9 items 6a and 7): revisions, signatures and approvals are signed under
the server's integrity key, and each revision names its content-hash algorithm.

- ``revisions.hash_algorithm`` (sha256 | sm3, CHECK; existing rows are sha256, the only
  algorithm before this migration);
- ``revisions.mac`` / ``mac_key_id`` (NOT NULL): the submission;
- ``revisions.approval_mac`` / ``approval_mac_key_id``: present exactly when ``approved_at``
  is (CHECK);
- ``signatures.mac`` / ``mac_key_id`` (NOT NULL).

Existing rows are signed here, with the key ring (``workflow_app.integrity.keys``; the ring is
created when there is none — running the migration is the operator's explicit act, as
``flask integrity rotate-key`` is), and then the columns become NOT NULL. Chosen over "NULL means
legacy, unsigned" because a NULL would be exactly what a row inserted by SQL carries: with NOT
NULL every row either has a valid MAC or is reported as forged. The migration attests that the
rows it finds are genuine, so it must run on a database known to be intact (run
``flask audit verify`` first).

Written by hand. Signatures are append-only (triggers): on PostgreSQL the user triggers of both
tables are disabled for the backfill (the migration runs as the tables' owner); on SQLite the
triggers are read, dropped, and re-created exactly as they were after the tables are rebuilt.

Revision ID: 9a3f6c2e8b17
Revises: e3a7c91b5d02
Create Date: 2026-12-02 06:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = "9a3f6c2e8b17"
down_revision = "e3a7c91b5d02"
branch_labels = None
depends_on = None

TABLES = ("revisions", "signatures")
APPROVAL_CHECK = (
    "(approved_at IS NULL AND approval_mac IS NULL AND approval_mac_key_id IS NULL) OR "
    "(approved_at IS NOT NULL AND length(approval_mac) = 64 AND approval_mac_key_id IS NOT NULL)"
)


def _sqlite_triggers():
    rows = op.get_bind().execute(sa.text(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN "
        "('revisions', 'signatures')"))
    return [(name, sql) for name, sql in rows if sql]


def _backfill():
    """Sign every existing revision, approval and signature with the current key."""
    from workflow_app.dbtypes import UTCDateTime
    from workflow_app.integrity import keys, macs

    bind = op.get_bind()
    revisions = sa.table(
        "revisions", sa.column("id", sa.Integer), sa.column("evaluation_id", sa.Integer),
        sa.column("number", sa.Integer), sa.column("content_hash", sa.String),
        sa.column("hash_algorithm", sa.String), sa.column("submitted_by_id", sa.Integer),
        sa.column("submitted_at", UTCDateTime()), sa.column("approved_by_id", sa.Integer),
        sa.column("approved_at", UTCDateTime()), sa.column("mac", sa.String),
        sa.column("mac_key_id", sa.String), sa.column("approval_mac", sa.String),
        sa.column("approval_mac_key_id", sa.String))
    signatures = sa.table(
        "signatures", sa.column("id", sa.Integer), sa.column("revision_id", sa.Integer),
        sa.column("content_hash", sa.String), sa.column("member_id", sa.Integer),
        sa.column("signer_id", sa.Integer), sa.column("team_role", sa.String),
        sa.column("kind", sa.String), sa.column("signed_at", UTCDateTime()),
        sa.column("comment", sa.String), sa.column("mac", sa.String),
        sa.column("mac_key_id", sa.String))
    has_rows = bind.execute(sa.select(revisions.c.id).limit(1)).first() is not None
    if not has_rows:
        return
    keys.ring(create=True)
    for row in bind.execute(sa.select(revisions)).all():
        key_id, mac = keys.mac(macs.of_revision(row))
        values = {"mac": mac, "mac_key_id": key_id}
        if row.approved_at is not None:
            values["approval_mac_key_id"], values["approval_mac"] = keys.mac(
                macs.of_approval(row))
        bind.execute(revisions.update().where(revisions.c.id == row.id).values(**values))
    for row in bind.execute(sa.select(signatures)).all():
        key_id, mac = keys.mac(macs.of_signature(row))
        bind.execute(signatures.update().where(signatures.c.id == row.id)
                     .values(mac=mac, mac_key_id=key_id))


def upgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        triggers = _sqlite_triggers()
        for name, _sql in triggers:
            op.execute(f"DROP TRIGGER {name}")
        op.execute("ALTER TABLE revisions ADD COLUMN hash_algorithm VARCHAR(10) NOT NULL "
                   "DEFAULT 'sha256'")
        for column, size in (("mac", 64), ("mac_key_id", 80), ("approval_mac", 64),
                             ("approval_mac_key_id", 80)):
            op.execute(f"ALTER TABLE revisions ADD COLUMN {column} VARCHAR({size})")
        op.execute("ALTER TABLE signatures ADD COLUMN mac VARCHAR(64)")
        op.execute("ALTER TABLE signatures ADD COLUMN mac_key_id VARCHAR(80)")
        _backfill()
        with op.batch_alter_table("revisions", recreate="always") as batch:
            batch.alter_column("mac", existing_type=sa.String(64), nullable=False)
            batch.alter_column("mac_key_id", existing_type=sa.String(80), nullable=False)
            batch.create_check_constraint(op.f("ck_revisions_hash_algorithm_known"),
                                          "hash_algorithm IN ('sha256', 'sm3')")
            batch.create_check_constraint(op.f("ck_revisions_mac_length"), "length(mac) = 64")
            batch.create_check_constraint(op.f("ck_revisions_approval_mac_if_approved"),
                                          APPROVAL_CHECK)
        with op.batch_alter_table("signatures", recreate="always") as batch:
            batch.alter_column("mac", existing_type=sa.String(64), nullable=False)
            batch.alter_column("mac_key_id", existing_type=sa.String(80), nullable=False)
            batch.create_check_constraint(op.f("ck_signatures_mac_length"), "length(mac) = 64")
        for _name, sql in triggers:
            op.execute(sql)
        return

    op.add_column("revisions", sa.Column("hash_algorithm", sa.String(10), nullable=False,
                                         server_default="sha256"))
    for column, size in (("mac", 64), ("mac_key_id", 80), ("approval_mac", 64),
                         ("approval_mac_key_id", 80)):
        op.add_column("revisions", sa.Column(column, sa.String(size), nullable=True))
    op.add_column("signatures", sa.Column("mac", sa.String(64), nullable=True))
    op.add_column("signatures", sa.Column("mac_key_id", sa.String(80), nullable=True))
    for table in TABLES:
        op.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
    _backfill()
    for table in TABLES:
        op.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
    for table in TABLES:
        op.alter_column(table, "mac", existing_type=sa.String(64), nullable=False)
        op.alter_column(table, "mac_key_id", existing_type=sa.String(80), nullable=False)
        op.create_check_constraint(op.f(f"ck_{table}_mac_length"), table, "length(mac) = 64")
    op.create_check_constraint(op.f("ck_revisions_hash_algorithm_known"), "revisions",
                               "hash_algorithm IN ('sha256', 'sm3')")
    op.create_check_constraint(op.f("ck_revisions_approval_mac_if_approved"), "revisions",
                               APPROVAL_CHECK)


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        triggers = _sqlite_triggers()
        for name, _sql in triggers:
            op.execute(f"DROP TRIGGER {name}")
        with op.batch_alter_table("signatures", recreate="always") as batch:
            batch.drop_constraint(op.f("ck_signatures_mac_length"), type_="check")
            batch.drop_column("mac_key_id")
            batch.drop_column("mac")
        with op.batch_alter_table("revisions", recreate="always") as batch:
            for name in ("approval_mac_if_approved", "mac_length", "hash_algorithm_known"):
                batch.drop_constraint(op.f(f"ck_revisions_{name}"), type_="check")
            for column in ("approval_mac_key_id", "approval_mac", "mac_key_id", "mac",
                           "hash_algorithm"):
                batch.drop_column(column)
        for _name, sql in triggers:
            op.execute(sql)
        return
    op.drop_constraint(op.f("ck_revisions_approval_mac_if_approved"), "revisions", type_="check")
    op.drop_constraint(op.f("ck_revisions_hash_algorithm_known"), "revisions", type_="check")
    for table in TABLES:
        op.drop_constraint(op.f(f"ck_{table}_mac_length"), table, type_="check")
        op.drop_column(table, "mac_key_id")
        op.drop_column(table, "mac")
    for column in ("approval_mac_key_id", "approval_mac", "hash_algorithm"):
        op.drop_column("revisions", column)
