"""Alembic environment: the app's engine and metadata, batch mode on SQLite."""

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

config = context.config
if config.config_file_name and not config.attributes.get("skip_logging_config"):
    fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

target_db = current_app.extensions["migrate"].db


_migration_engine = None


def get_engine():
    """The owner's engine when MIGRATION_DATABASE_URL is set (docs/deployment.md: the
    application's own role does not own the tables), else the application's."""
    global _migration_engine
    from workflow_app.dbroles import migration_engine, migration_url

    if migration_url() is None:
        return target_db.engine
    if _migration_engine is None:
        _migration_engine = migration_engine()
    return _migration_engine


config.set_main_option(
    "sqlalchemy.url", get_engine().url.render_as_string(hide_password=False).replace("%", "%%")
)


def run_migrations_offline():
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_db.metadata,
        literal_binds=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    def process_revision_directives(context, revision, directives):
        if getattr(config.cmd_opts, "autogenerate", False):
            script = directives[0]
            if script.upgrade_ops.is_empty():
                directives[:] = []
                logger.info("No changes in schema detected.")

    conf_args = dict(current_app.extensions["migrate"].configure_args)
    conf_args.setdefault("process_revision_directives", process_revision_directives)
    conf_args.setdefault("compare_type", True)
    conf_args["render_as_batch"] = get_engine().dialect.name == "sqlite"

    engine = get_engine()
    with engine.connect() as connection:
        # Batch mode on SQLite re-creates a table (copy, DROP, rename): with foreign keys on,
        # dropping a table other rows refer to fails. They are switched off for the run (the
        # PRAGMA only works outside a transaction) and every reference is checked at the end.
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        context.configure(
            connection=connection,
            target_metadata=target_db.metadata,
            **conf_args,
        )
        with context.begin_transaction():
            context.run_migrations()
            # The application's role (DATABASE_URL's user, when it is not the owner) gets its
            # privileges on the tables that exist now; later ones by default privileges.
            from workflow_app.dbroles import app_role_to_grant, grant_app_role

            role = app_role_to_grant()
            if role is not None and not sqlite:
                grant_app_role(connection, role)
            if sqlite:
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise RuntimeError(f"foreign keys broken by the migration: {broken[:5]}")
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            connection.commit()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
