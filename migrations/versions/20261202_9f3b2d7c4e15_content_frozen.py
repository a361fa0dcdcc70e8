"""Content is frozen outside draft: triggers guard every content row and header column.

Written by hand (triggers are not in the models' metadata, so the drift test ignores them).
Until now the database refused only score / weight changes of indicators once the leader
approved; a raw ``UPDATE`` could still change an approved evaluation's names, targets,
actuals, funding or team. The model-layer guard (``workflow_app.workflow.guards``) already
refuses all of that for the ORM; these triggers refuse it for any SQL, on both databases.

While an evaluation is not in ``draft`` (submitted for 会签 and every later state; a
returned evaluation is a draft again) both databases refuse:

- INSERT, DELETE and any UPDATE that changes a column of ``indicators``,
  ``funding_sources``, ``expense_lines``, ``sub_projects``, ``sections``,
  ``team_members`` and ``evidence`` (through its indicator) — with one exception, 加签: a
  ``team_members`` row with ``added_in_review`` inserted during ``team_review``;
- an UPDATE of an evaluation that changes a header / content column (``CONTENT_COLUMNS``
  below), or its DELETE; the workflow's own columns (``WORKFLOW_COLUMNS``: state, revision
  number, version, timestamps of the steps, the derived scores of
  ``evaluations.derived``) stay writable — they are the same as the model guard's;
- an INSERT of an evaluation that is not a draft;
- a state change the workflow does not have (``TRANSITIONS``, from workflow/machine.py); a
  return to draft that does not open the next revision (``revision_number`` + 1), and any
  other change of ``revision_number``. Without this a
  raw ``UPDATE evaluations SET state = 'draft'`` would thaw an approved evaluation, and
  after editing it could be set back to ``published``.

An UPDATE row is checked against both its old and its new evaluation (moving a row out of
or into a frozen evaluation is refused). The column lists are explicit and reviewed by hand:
a migration that adds a content column must add it here too (tests/workflow/
test_content_triggers.py tries every column of the models and fails on a missing one).

PostgreSQL's TRUNCATE (the administrator's and the test suite's way of emptying a
database) fires no row triggers. SQLite has no TRUNCATE and no way to switch a trigger off:
the test suite empties a SQLite database inside one transaction that drops these triggers,
deletes the rows and re-creates the triggers from ``sqlite_master`` (tests/conftest.py). On
SQLite anyone who can write the file can do the same; the tamper protection against a
database user is PostgreSQL's, where the application's role does not own the tables and so
cannot disable or drop a trigger (docs/deployment.md).

Revision ID: 9f3b2d7c4e15
Revises: 9a3f6c2e8b17
Create Date: 2026-12-02 06:30:00
"""
from alembic import op

revision = "9f3b2d7c4e15"
down_revision = "9a3f6c2e8b17"
branch_labels = None
depends_on = None

DRAFT = "draft"
FROZEN = ("team_review", "leader_signoff", "finance_acceptance", "accepted", "published")
FROZEN_SQL = "(" + ", ".join(f"'{s}'" for s in FROZEN) + ")"

# Every column of each content table (all of them are content).
CHILD_COLUMNS = {
    "indicators": ("id", "evaluation_id", "parent_id", "level", "position", "name",
                   "description", "standard", "weight", "target", "actual", "score",
                   "score_reason", "deviation_reason", "not_applicable", "rule_type",
                   "rule_params"),
    "funding_sources": ("id", "evaluation_id", "source", "initial", "planned", "arrived",
                        "spent"),
    "expense_lines": ("id", "evaluation_id", "position", "category", "planned", "actual"),
    "sub_projects": ("id", "evaluation_id", "position", "name", "budget", "executed",
                     "returned", "self_score", "target", "achieved"),
    "sections": ("id", "evaluation_id", "key", "position", "title", "body"),
    "team_members": ("id", "evaluation_id", "user_id", "role", "position", "added_in_review"),
}
EVIDENCE_COLUMNS = ("id", "indicator_id", "filename", "content_type", "size", "sha256", "data",
                    "uploaded_by_id", "uploaded_at")
# The header and content columns of an evaluation.
CONTENT_COLUMNS = ("id", "kind", "fiscal_year", "unit_id", "supervising_department",
                   "project_name", "project_leader", "project_leader_phone", "period_start",
                   "period_end", "timing", "method", "preparer_id", "preparer_name",
                   "preparer_phone", "report_date", "address", "postcode", "title_word",
                   "overall_goal", "problems", "measures", "total_weight", "grade_scheme_id",
                   "template_key", "created_at")
# Written by the workflow after submission (documentation: they are simply not guarded).
WORKFLOW_COLUMNS = ("state", "revision_number", "version", "updated_at", "self_total",
                    "computed_total", "open_leaves", "grade")
# The workflow's state changes (machine.TABLE); staying in a state is always allowed.
TRANSITIONS = (
    ("draft", "team_review"),  # submit
    ("team_review", "draft"),  # withdraw, return
    ("team_review", "leader_signoff"),  # the last signature
    ("leader_signoff", "draft"),  # return
    ("leader_signoff", "finance_acceptance"),  # approve
    ("finance_acceptance", "draft"),  # return
    ("finance_acceptance", "accepted"),  # accept
    ("accepted", "draft"),  # return
    ("accepted", "published"),  # publish
)
MESSAGE = "content is frozen: the evaluation is not a draft (scores are locked once approved)"
TRANSITION_MESSAGE = "the workflow has no such state change"
REVISION_MESSAGE = ("a return to draft opens the next revision: revision_number changes "
                    "by +1 then, and only then")
JSON_COLUMNS = {"rule_params"}  # json has no equality operator on PostgreSQL: compare text


def _changed(columns, sqlite: bool) -> str:
    parts = []
    for c in columns:
        if sqlite:
            parts.append(f"NEW.{c} IS NOT OLD.{c}")
        elif c in JSON_COLUMNS:
            parts.append(f"NEW.{c}::text IS DISTINCT FROM OLD.{c}::text")
        else:
            parts.append(f"NEW.{c} IS DISTINCT FROM OLD.{c}")
    return "(" + " OR ".join(parts) + ")"


def _transitions_sql() -> str:
    pairs = " OR ".join(f"(OLD.state = '{a}' AND NEW.state = '{b}')" for a, b in TRANSITIONS)
    return f"(NEW.state IS OLD.state OR {pairs})"


# --- SQLite -------------------------------------------------------------------------------

def _sqlite_state(row: str, table: str) -> str:
    if table == "evidence":
        return (f"(SELECT e.state FROM evaluations e JOIN indicators i ON i.evaluation_id = e.id "
                f"WHERE i.id = {row}.indicator_id)")
    return f"(SELECT state FROM evaluations WHERE id = {row}.evaluation_id)"


def _sqlite_raise(table: str) -> str:
    return f"BEGIN SELECT RAISE(ABORT, '{table}: {MESSAGE}'); END"


def sqlite_triggers() -> dict[str, str]:
    """Trigger name -> CREATE TRIGGER statement (SQLite)."""
    triggers = {}
    tables = dict(CHILD_COLUMNS, evidence=EVIDENCE_COLUMNS)
    for table, columns in tables.items():
        old, new = _sqlite_state("OLD", table), _sqlite_state("NEW", table)
        insert_when = f"{new} IN {FROZEN_SQL}"
        if table == "team_members":  # 加签
            insert_when += (f" AND NOT (NEW.added_in_review AND {new} = 'team_review')")
        triggers[f"trg_{table}_frozen_insert"] = (
            f"CREATE TRIGGER trg_{table}_frozen_insert BEFORE INSERT ON {table} "
            f"WHEN {insert_when} {_sqlite_raise(table)}")
        triggers[f"trg_{table}_frozen_update"] = (
            f"CREATE TRIGGER trg_{table}_frozen_update BEFORE UPDATE ON {table} "
            f"WHEN {_changed(columns, True)} AND ({old} IN {FROZEN_SQL} OR {new} IN {FROZEN_SQL}) "
            f"{_sqlite_raise(table)}")
        triggers[f"trg_{table}_frozen_delete"] = (
            f"CREATE TRIGGER trg_{table}_frozen_delete BEFORE DELETE ON {table} "
            f"WHEN {old} IN {FROZEN_SQL} {_sqlite_raise(table)}")
    triggers["trg_evaluations_frozen_insert"] = (
        "CREATE TRIGGER trg_evaluations_frozen_insert BEFORE INSERT ON evaluations "
        f"WHEN NEW.state IS NOT '{DRAFT}' {_sqlite_raise('evaluations')}")
    triggers["trg_evaluations_frozen_update"] = (
        "CREATE TRIGGER trg_evaluations_frozen_update BEFORE UPDATE ON evaluations "
        f"WHEN (OLD.state IN {FROZEN_SQL} OR NEW.state IN {FROZEN_SQL}) "
        f"AND {_changed(CONTENT_COLUMNS, True)} {_sqlite_raise('evaluations')}")
    triggers["trg_evaluations_frozen_delete"] = (
        "CREATE TRIGGER trg_evaluations_frozen_delete BEFORE DELETE ON evaluations "
        f"WHEN OLD.state IN {FROZEN_SQL} {_sqlite_raise('evaluations')}")
    triggers["trg_evaluations_transition"] = (
        "CREATE TRIGGER trg_evaluations_transition BEFORE UPDATE OF state ON evaluations "
        f"WHEN NOT {_transitions_sql()} "
        f"BEGIN SELECT RAISE(ABORT, 'evaluations: {TRANSITION_MESSAGE}'); END")
    triggers["trg_evaluations_revision_number"] = (
        "CREATE TRIGGER trg_evaluations_revision_number BEFORE UPDATE OF state, "
        "revision_number ON evaluations WHEN (NEW.revision_number IS NOT OLD.revision_number "
        f"OR (OLD.state IN {FROZEN_SQL} AND NEW.state = '{DRAFT}')) AND NOT ("
        f"NEW.revision_number = OLD.revision_number + 1 AND OLD.state IN {FROZEN_SQL} "
        f"AND NEW.state = '{DRAFT}') "
        f"BEGIN SELECT RAISE(ABORT, 'evaluations: {REVISION_MESSAGE}'); END")
    return triggers


# --- PostgreSQL ---------------------------------------------------------------------------

PG_STATE_FUNCTION = f"""
    CREATE FUNCTION wf_evaluation_frozen(eid integer) RETURNS boolean
    LANGUAGE sql STABLE AS $$
        SELECT coalesce((SELECT state IN {FROZEN_SQL} FROM evaluations WHERE id = eid), false)
    $$"""


def _pg_child_function(table: str, columns) -> str:
    if table == "evidence":
        eid = ("(SELECT evaluation_id FROM indicators WHERE id = {row}.indicator_id)")
    else:
        eid = "{row}.evaluation_id"
    old_eid, new_eid = eid.format(row="OLD"), eid.format(row="NEW")
    exception = ""
    if table == "team_members":  # 加签
        exception = ("IF TG_OP = 'INSERT' AND NEW.added_in_review AND (SELECT state FROM "
                     "evaluations WHERE id = NEW.evaluation_id) = 'team_review' THEN "
                     "RETURN NEW; END IF;")
    return f"""
    CREATE FUNCTION wf_{table}_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        eid integer;
    BEGIN
        IF TG_OP = 'UPDATE' AND NOT {_changed(columns, False)} THEN
            RETURN NEW;
        END IF;
        {exception}
        IF TG_OP IN ('UPDATE', 'DELETE') AND wf_evaluation_frozen({old_eid}) THEN
            eid := {old_eid};
        ELSIF TG_OP IN ('UPDATE', 'INSERT') AND wf_evaluation_frozen({new_eid}) THEN
            eid := {new_eid};
        END IF;
        IF eid IS NOT NULL THEN
            RAISE EXCEPTION '%: {MESSAGE} (evaluation %, %)', TG_TABLE_NAME, eid, TG_OP
                USING ERRCODE = 'restrict_violation';
        END IF;
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        RETURN NEW;
    END $$"""


PG_EVALUATIONS_FUNCTION = f"""
    CREATE FUNCTION wf_evaluations_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            IF NEW.state IS DISTINCT FROM '{DRAFT}' THEN
                RAISE EXCEPTION 'evaluations: {MESSAGE} (a new evaluation is a draft)'
                    USING ERRCODE = 'restrict_violation';
            END IF;
            RETURN NEW;
        END IF;
        IF TG_OP = 'DELETE' THEN
            IF OLD.state IN {FROZEN_SQL} THEN
                RAISE EXCEPTION 'evaluations: {MESSAGE} (evaluation %, DELETE)', OLD.id
                    USING ERRCODE = 'restrict_violation';
            END IF;
            RETURN OLD;
        END IF;
        IF NOT {_transitions_sql().replace(' IS OLD.', ' IS NOT DISTINCT FROM OLD.')} THEN
            RAISE EXCEPTION 'evaluations: {TRANSITION_MESSAGE} (evaluation %, % -> %)',
                OLD.id, OLD.state, NEW.state USING ERRCODE = 'restrict_violation';
        END IF;
        IF (NEW.revision_number IS DISTINCT FROM OLD.revision_number
            OR (OLD.state IN {FROZEN_SQL} AND NEW.state = '{DRAFT}')) AND NOT (
               NEW.revision_number = OLD.revision_number + 1 AND OLD.state IN {FROZEN_SQL}
               AND NEW.state = '{DRAFT}') THEN
            RAISE EXCEPTION 'evaluations: {REVISION_MESSAGE} (evaluation %)', OLD.id
                USING ERRCODE = 'restrict_violation';
        END IF;
        IF (OLD.state IN {FROZEN_SQL} OR NEW.state IN {FROZEN_SQL})
           AND {_changed(CONTENT_COLUMNS, False)} THEN
            RAISE EXCEPTION 'evaluations: {MESSAGE} (evaluation %, UPDATE)', OLD.id
                USING ERRCODE = 'restrict_violation';
        END IF;
        RETURN NEW;
    END $$"""


def postgres_tables() -> list[str]:
    return [*CHILD_COLUMNS, "evidence", "evaluations"]


def upgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for sql in sqlite_triggers().values():
            op.execute(sql)
    elif dialect == "postgresql":
        op.execute(PG_STATE_FUNCTION)
        for table, columns in dict(CHILD_COLUMNS, evidence=EVIDENCE_COLUMNS).items():
            op.execute(_pg_child_function(table, columns))
        op.execute(PG_EVALUATIONS_FUNCTION)
        for table in postgres_tables():
            op.execute(f"CREATE TRIGGER trg_{table}_frozen BEFORE INSERT OR UPDATE OR DELETE "
                       f"ON {table} FOR EACH ROW EXECUTE FUNCTION wf_{table}_frozen()")


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for name in sqlite_triggers():
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    elif dialect == "postgresql":
        for table in postgres_tables():
            op.execute(f"DROP TRIGGER IF EXISTS trg_{table}_frozen ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS wf_{table}_frozen()")
        op.execute("DROP FUNCTION IF EXISTS wf_evaluation_frozen(integer)")
