"""PostgreSQL roles: the application connects as a role that does not own the tables.

The tables, triggers and functions belong to the *owner* role that runs the migrations
(``MIGRATION_DATABASE_URL``). The application connects with ``DATABASE_URL`` as another
role that may only read and write rows: it cannot ``ALTER TABLE … DISABLE TRIGGER``, drop a
trigger or a table, or ``TRUNCATE`` (only an owner or a superuser can), so the database's
guards (frozen content, append-only signatures and audit trail, frozen published reports)
hold against anyone who has the application's credentials. See docs/deployment.md.

``grant_app_role`` is run by ``flask db upgrade`` when the two URLs name different users, and
by ``flask db grant-app-role ROLE``; it is idempotent.
"""

from __future__ import annotations

import re

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import Connection, create_engine, make_url, text
from sqlalchemy.engine import Engine
from sqlalchemy.pool import NullPool

# The append-only tables: rows are added, never changed or removed (the triggers say so too;
# without the privilege the refusal does not even depend on them).
APPEND_ONLY = ("audit_events", "signatures", "published_reports")
READ_ONLY = ("alembic_version",)
_ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class RoleError(click.ClickException):
    """The role cannot be used as the application's role."""


def migration_url() -> str | None:
    """The owner's URL for migrations (``MIGRATION_DATABASE_URL``), or None: the app's own."""
    url = current_app.config.get("MIGRATION_DATABASE_URI")
    if not url:
        return None
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def migration_engine() -> Engine:
    """An engine connected as the owner (NullPool: used once, by a command)."""
    from workflow_app.extensions import db

    url = migration_url()
    if url is None:
        return db.engine
    return create_engine(url, poolclass=NullPool)


def app_role_to_grant() -> str | None:
    """The user of ``DATABASE_URL`` when migrations run as another user (PostgreSQL only)."""
    owner_url = migration_url()
    app_url = current_app.config.get("SQLALCHEMY_DATABASE_URI") or ""
    if not owner_url or not app_url.startswith("postgresql"):
        return None
    app_user, owner_user = make_url(app_url).username, make_url(owner_url).username
    if not app_user or app_user == owner_user:
        return None
    return app_user


def _quoted(role: str) -> str:
    if not _ROLE_NAME.match(role):
        raise RoleError(f"角色名不合法：{role!r}（小写字母、数字和下划线）。")
    return f'"{role}"'


def grant_app_role(conn: Connection, role: str, *, create: bool = False) -> None:
    """Give ``role`` the application's privileges on every table of the schema, now and for
    tables the current (owner) role creates later. Refuses a superuser or an owner."""
    name = _quoted(role)
    row = conn.execute(text("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = :r"),
                       {"r": role}).first()
    if row is None:
        if not create:
            raise RoleError(f"角色 {role} 不存在（可加 --create 创建）。")
        conn.execute(text(f"CREATE ROLE {name} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE "
                          "NOBYPASSRLS"))
    elif row.rolsuper or row.rolbypassrls:
        raise RoleError(f"角色 {role} 是超级用户或可绕过行级安全，不能作为应用角色。")
    owned = conn.execute(text(
        "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() "
        "AND tableowner = :r"), {"r": role}).scalar()
    if owned:
        raise RoleError(f"角色 {role} 拥有 {owned} 张表：应用角色不能是表的所有者。")
    database = conn.execute(text("SELECT current_database()")).scalar()
    statements = [
        f'GRANT CONNECT ON DATABASE "{database}" TO {name}',
        f"GRANT USAGE ON SCHEMA public TO {name}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {name}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {name}",
        # Tables and sequences the owner creates later (the next migrations).
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public "
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {name}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {name}",
    ]
    existing = set(conn.execute(text(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).scalars())
    for table in APPEND_ONLY:
        if table in existing:
            statements.append(f"REVOKE UPDATE, DELETE, TRUNCATE ON {table} FROM {name}")
    for table in READ_ONLY:
        if table in existing:
            statements.append(f"REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON {table} FROM {name}")
    for sql in statements:
        conn.execute(text(sql))


@click.command("grant-app-role")
@click.argument("role")
@click.option("--create", is_flag=True, help="角色不存在时创建（LOGIN，无密码；密码由 DBA 设置）。")
@with_appcontext
def grant_app_role_command(role: str, create: bool) -> None:
    """Grant ROLE the application's privileges (run as the owner: MIGRATION_DATABASE_URL)."""
    engine = migration_engine()
    if engine.dialect.name != "postgresql":
        raise RoleError("只有 PostgreSQL 区分表的所有者和应用角色。")
    with engine.begin() as conn:
        grant_app_role(conn, role, create=create)
    click.echo(f"已授权应用角色 {role}：读写数据行，不拥有任何表"
               "（不能停用触发器、删表或 TRUNCATE）。")


def register(app) -> None:
    """Add ``grant-app-role`` to Flask-Migrate's ``flask db`` group."""
    from flask_migrate.cli import db as db_group

    if "grant-app-role" not in db_group.commands:
        db_group.add_command(grant_app_role_command)
