"""Workflow guards: database triggers for the score lock and the append-only records.

Written by hand (triggers are not in the models' metadata, so the drift test ignores them).

Both databases refuse:
- UPDATE of ``indicators.score`` / ``indicators.weight`` and INSERT of indicators while the
  evaluation is in ``finance_acceptance``, ``accepted`` or ``published`` (the scores lock when
  the team leader approves);
- UPDATE of a revision's ``snapshot`` / ``content_hash``;
- UPDATE of ``signatures`` and ``audit_events`` (append-only).

PostgreSQL also refuses DELETE of locked indicators, revisions, signatures and audit events
(row-level triggers; ``TRUNCATE`` — the administrator's and the test suite's way of emptying
a database — does not fire them). SQLite has no TRUNCATE: maintenance and the test suite empty
tables with ``DELETE``, so on SQLite deletions are left to the model-layer guard
(``workflow_app.workflow.guards``) and to ``flask audit verify``, which names the first event
after a removed one. A test that tampers with a row on purpose drops the trigger inside its
transaction first (tests/audit/test_audit.py).

Revision ID: 7c2f9e4a1b30
Revises: 1dc4306495d9
Create Date: 2026-11-23 13:00:00
"""
from alembic import op

revision = "7c2f9e4a1b30"
down_revision = "1dc4306495d9"
branch_labels = None
depends_on = None

LOCKED = "('finance_acceptance', 'accepted', 'published')"
LOCK_MESSAGE = "scores are locked: the evaluation was approved by the team leader"

SQLITE_TRIGGERS = {
    "trg_indicators_score_lock": f"""
        CREATE TRIGGER trg_indicators_score_lock BEFORE UPDATE OF score, weight ON indicators
        WHEN (NEW.score IS NOT OLD.score OR NEW.weight IS NOT OLD.weight)
         AND (SELECT state FROM evaluations WHERE id = OLD.evaluation_id) IN {LOCKED}
        BEGIN SELECT RAISE(ABORT, '{LOCK_MESSAGE}'); END""",
    "trg_indicators_insert_lock": f"""
        CREATE TRIGGER trg_indicators_insert_lock BEFORE INSERT ON indicators
        WHEN (SELECT state FROM evaluations WHERE id = NEW.evaluation_id) IN {LOCKED}
        BEGIN SELECT RAISE(ABORT, '{LOCK_MESSAGE}'); END""",
    "trg_revisions_frozen": """
        CREATE TRIGGER trg_revisions_frozen BEFORE UPDATE OF snapshot, content_hash ON revisions
        WHEN NEW.snapshot IS NOT OLD.snapshot OR NEW.content_hash IS NOT OLD.content_hash
        BEGIN SELECT RAISE(ABORT, 'a submitted revision never changes'); END""",
    "trg_signatures_append_only": """
        CREATE TRIGGER trg_signatures_append_only BEFORE UPDATE ON signatures
        BEGIN SELECT RAISE(ABORT, 'signatures are append-only'); END""",
    "trg_audit_events_append_only": """
        CREATE TRIGGER trg_audit_events_append_only BEFORE UPDATE ON audit_events
        BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END""",
}

POSTGRES_FUNCTIONS = {
    "wf_indicators_score_lock": f"""
        CREATE FUNCTION wf_indicators_score_lock() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
            eid integer;
        BEGIN
            IF TG_OP = 'INSERT' THEN
                eid := NEW.evaluation_id;
            ELSE
                eid := OLD.evaluation_id;
            END IF;
            IF TG_OP = 'UPDATE' AND NEW.score IS NOT DISTINCT FROM OLD.score
               AND NEW.weight IS NOT DISTINCT FROM OLD.weight THEN
                RETURN NEW;
            END IF;
            IF (SELECT state FROM evaluations WHERE id = eid) IN {LOCKED} THEN
                RAISE EXCEPTION '{LOCK_MESSAGE} (evaluation %)', eid
                    USING ERRCODE = 'restrict_violation';
            END IF;
            IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
            RETURN NEW;
        END $$""",
    "wf_revisions_frozen": """
        CREATE FUNCTION wf_revisions_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'UPDATE' AND NEW.snapshot IS NOT DISTINCT FROM OLD.snapshot
               AND NEW.content_hash IS NOT DISTINCT FROM OLD.content_hash THEN
                RETURN NEW;
            END IF;
            RAISE EXCEPTION 'a submitted revision never changes (revision %)', OLD.id
                USING ERRCODE = 'restrict_violation';
        END $$""",
    "wf_append_only": """
        CREATE FUNCTION wf_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION '% is append-only (row %)', TG_TABLE_NAME, OLD.id
                USING ERRCODE = 'restrict_violation';
        END $$""",
}

POSTGRES_TRIGGERS = {
    ("trg_indicators_score_lock", "indicators"):
        "BEFORE INSERT OR UPDATE OR DELETE ON indicators FOR EACH ROW "
        "EXECUTE FUNCTION wf_indicators_score_lock()",
    ("trg_revisions_frozen", "revisions"):
        "BEFORE UPDATE OR DELETE ON revisions FOR EACH ROW EXECUTE FUNCTION wf_revisions_frozen()",
    ("trg_signatures_append_only", "signatures"):
        "BEFORE UPDATE OR DELETE ON signatures FOR EACH ROW EXECUTE FUNCTION wf_append_only()",
    ("trg_audit_events_append_only", "audit_events"):
        "BEFORE UPDATE OR DELETE ON audit_events FOR EACH ROW EXECUTE FUNCTION wf_append_only()",
}


def upgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for sql in SQLITE_TRIGGERS.values():
            op.execute(sql)
    elif dialect == "postgresql":
        for sql in POSTGRES_FUNCTIONS.values():
            op.execute(sql)
        for (name, _table), body in POSTGRES_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {body}")


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    elif dialect == "postgresql":
        for name, table in POSTGRES_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        for name in POSTGRES_FUNCTIONS:
            op.execute(f"DROP FUNCTION IF EXISTS {name}()")
