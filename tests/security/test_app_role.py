"""The application's database role cannot switch the database's guards off (issue 9, 6e).

On PostgreSQL the suite runs the application as a role that owns no table (tests/conftest.py),
the migrations as the owner. An attacker holding the application's credentials tries what an
owner could do — disable or drop a trigger, replace a guard function, truncate or rewrite the
audit trail, remove a published report — and each statement is refused; the same published
evaluation is still there afterwards. SQLite has no roles: there the triggers' own refusals
are checked (UPDATE of the audit trail, of a published report).
"""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from tests.conftest import APP_ROLE, RUN_ID, TEST_DB
from tests.workflow.helpers import build_world
from workflow_app.extensions import db
from workflow_app.workflow.states import EvaluationState as S

POSTGRES = TEST_DB.startswith("postgres")

# (statement, what PostgreSQL answers) — each tried as the application's role.
TAMPERING = [
    ("ALTER TABLE indicators DISABLE TRIGGER ALL", "must be owner"),
    ("ALTER TABLE indicators DISABLE TRIGGER trg_indicators_frozen", "must be owner"),
    ("ALTER TABLE audit_events DISABLE TRIGGER trg_audit_events_append_only", "must be owner"),
    ("DROP TRIGGER trg_indicators_frozen ON indicators", "must be owner"),
    ("DROP TRIGGER trg_published_reports_frozen ON published_reports", "must be owner"),
    ("DROP FUNCTION wf_evaluation_frozen(integer) CASCADE", "must be owner"),
    ("CREATE OR REPLACE FUNCTION wf_evaluation_frozen(eid integer) RETURNS boolean "
     "LANGUAGE sql AS 'SELECT false'", "must be owner|permission denied"),
    ("CREATE TRIGGER trg_x BEFORE UPDATE ON evaluations FOR EACH ROW "
     "EXECUTE FUNCTION wf_append_only()", "permission denied"),
    ("SET session_replication_role = replica", "permission denied"),
    ("TRUNCATE audit_events", "permission denied"),
    ("TRUNCATE evaluations CASCADE", "permission denied"),
    ("UPDATE audit_events SET detail = '{}'", "permission denied"),
    ("DELETE FROM audit_events", "permission denied"),
    ("DELETE FROM published_reports", "permission denied"),
    ("UPDATE published_reports SET sha256 = repeat('0', 64)", "permission denied"),
    ("DELETE FROM signatures", "permission denied"),
    ("UPDATE alembic_version SET version_num = 'x'", "permission denied"),
    ("DROP TABLE audit_events", "must be owner"),
    ("ALTER TABLE audit_events OWNER TO CURRENT_USER", "must be owner"),
]


@pytest.fixture
def published(make, db_session, app):
    """A published evaluation with its report and audit trail, committed."""
    world = build_world(make)
    world.go(S.PUBLISHED)
    db.session.commit()
    return world


def _counts() -> tuple[int, int, int]:
    db.session.rollback()
    return tuple(db.session.scalar(text(f"SELECT count(*) FROM {t}"))
                 for t in ("audit_events", "published_reports", "signatures"))


def _refused(sql: str, match: str) -> None:
    with pytest.raises(DBAPIError, match=match):
        db.session.execute(text(sql))
    db.session.rollback()


if POSTGRES:
    def test_the_application_is_not_the_owner(app, db_session):
        row = db.session.execute(text(
            "SELECT current_user, rolsuper, rolbypassrls FROM pg_roles "
            "WHERE rolname = current_user")).one()
        assert row.current_user == APP_ROLE
        assert not row.rolsuper and not row.rolbypassrls
        owners = set(db.session.scalars(text(
            "SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'")))
        assert owners and APP_ROLE not in owners

    def test_the_application_role_cannot_switch_the_guards_off(published):
        before = _counts()
        assert before[0] > 0 and before[1] == 1 and before[2] > 0
        accepted = []
        for sql, answer in TAMPERING:
            try:
                _refused(sql, answer)
            except (pytest.fail.Exception, AssertionError) as failure:  # accepted, or not why
                accepted.append((sql, str(failure)[:200]))
                db.session.rollback()
        assert accepted == []
        assert _counts() == before
        # The guard still works after the attempts.
        _refused(f"UPDATE evaluations SET project_name = '改名' "
                 f"WHERE id = {published.evaluation.id}", "frozen")

    def test_grant_app_role_command(app, owner_engine):
        """`flask db grant-app-role ROLE --create` makes a working role that owns nothing; it
        refuses a superuser (an owner of everything)."""
        role = f"jixiao_grant_{RUN_ID}"
        runner = app.test_cli_runner()
        try:
            result = runner.invoke(args=["db", "grant-app-role", role, "--create"])
            assert result.exit_code == 0, result.output
            assert "已授权应用角色" in result.output
            with owner_engine.begin() as conn:
                conn.execute(text(f"SET LOCAL ROLE {role}"))
                assert conn.execute(text("SELECT count(*) FROM evaluations")).scalar() == 0
                for sql in ("TRUNCATE audit_events", "ALTER TABLE indicators DISABLE TRIGGER ALL"):
                    with pytest.raises(DBAPIError), conn.begin_nested():
                        conn.execute(text(sql))
            again = runner.invoke(args=["db", "grant-app-role", role])  # idempotent
            assert again.exit_code == 0, again.output
            owner = owner_engine.url.username
            refused = runner.invoke(args=["db", "grant-app-role", owner])
            assert refused.exit_code != 0 and "超级用户" in refused.output
        finally:
            with owner_engine.begin() as conn:
                conn.execute(text(f"DROP OWNED BY {role}"))  # its grants in this database
                conn.execute(text(f"DROP ROLE IF EXISTS {role}"))
else:
    def test_sqlite_triggers_refuse_rewriting_the_record(published):
        before = _counts()
        _refused("UPDATE audit_events SET detail = '{}'", "append-only")
        _refused("UPDATE published_reports SET sha256 = '0'", "never changes")
        _refused("UPDATE signatures SET comment = 'x'", "append-only")
        assert _counts() == before
