"""The database freezes ALL content of a submitted evaluation, whatever the SQL (issue 9, 6d).

An assessor with a SQL console tries, on an approved evaluation, to change every column of
every content table and every header column, to add and delete rows, to thaw the evaluation
by setting its state back to draft; the triggers refuse each of these. The same statements
on a draft and on a returned evaluation pass, and the application's own operations (sign,
approve, accept, publish, return, 加签, the derived scores) still work.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal

import pytest
from sqlalchemy import Boolean, Date, DateTime, Integer, LargeBinary, Numeric, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.types import JSON, TypeDecorator

from tests.workflow.helpers import S
from workflow_app.evaluations.models import (
    Evaluation,
    Evidence,
    ExpenseLine,
    FundingSource,
    FundingSourceKind,
    Indicator,
    Section,
    SubProject,
    TeamMember,
)
from workflow_app.extensions import db
from workflow_app.workflow.guards import WORKFLOW_COLUMNS
from workflow_app.workflow.operations import add_signer, fire

CHILD_MODELS = (Indicator, FundingSource, ExpenseLine, SubProject, Section, TeamMember,
                Evidence)
HEADER_COLUMNS = sorted(c.name for c in Evaluation.__table__.columns
                        if c.name not in WORKFLOW_COLUMNS)
CHILD_COLUMNS = [(m.__tablename__, c.name) for m in CHILD_MODELS for c in m.__table__.columns]
TABLES = [m.__tablename__ for m in CHILD_MODELS]
FROZEN = "frozen"


def _leaf(evaluation: Evaluation) -> Indicator:
    return next(i for i in evaluation.indicators if i.name == "质量指标")


def _add_content(world) -> None:
    """One row in each content table (built in draft, as the editor would)."""
    e = world.evaluation
    e.funding.append(FundingSource(source=FundingSourceKind.LOCAL, initial=Decimal("100"),
                                   planned=Decimal("1308.05"), arrived=Decimal("1308.05"),
                                   spent=Decimal("906.09")))
    e.expenses.append(ExpenseLine(position=1, category="办公费", planned=Decimal("10"),
                                  actual=Decimal("9.5")))
    e.sub_projects.append(SubProject(position=1, name="信息化运维", budget=Decimal("20"),
                                     executed=Decimal("19"), returned=Decimal("1"),
                                     self_score=Decimal("95"), target="≥95%", achieved="98%"))
    e.sections.append(Section(key="overview", position=1, title="一、基本情况", body="概况"))
    data = b"%PDF-1.4 evidence"
    _leaf(e).evidence.append(Evidence(filename="佐证.pdf", content_type="application/pdf",
                                      size=len(data), sha256=hashlib.sha256(data).hexdigest(),
                                      data=data, uploaded_by_id=world.preparer.id))
    _leaf(e).target = "≥95%"
    _leaf(e).actual = "98%"
    db.session.flush()


@pytest.fixture
def content_world(world):
    _add_content(world)
    return world


@pytest.fixture
def approved(content_world, no_publication):
    """An evaluation the leader approved (scores locked), committed."""
    content_world.go(S.FINANCE_ACCEPTANCE)
    db.session.commit()
    return content_world


@pytest.fixture
def returned(content_world, no_publication):
    """An approved evaluation the finance bureau sent back: a draft again (revision 2)."""
    e = content_world.go(S.FINANCE_ACCEPTANCE)
    fire(e, "return", content_world.finance, reason="请补充佐证材料")
    db.session.commit()
    assert e.state == S.DRAFT and e.revision_number == 2
    return content_world


def _row_id(evaluation: Evaluation, table: str) -> int:
    if table == "evidence":
        return _leaf(evaluation).evidence[0].id
    if table == "indicators":
        return _leaf(evaluation).id
    model = next(m for m in CHILD_MODELS if m.__tablename__ == table)
    return db.session.scalar(db.select(model.id).where(model.evaluation_id == evaluation.id)
                             .order_by(model.id))


def _tampered(column) -> str:
    """A SQL expression giving the column a different value (constraints are checked after
    the BEFORE triggers, so the value need not be valid: the trigger must speak first)."""
    name, kind = column.name, column.type
    if isinstance(kind, TypeDecorator):
        kind = kind.impl_instance
    pg = db.engine.dialect.name == "postgresql"
    if isinstance(kind, Boolean):
        return f"NOT COALESCE({name}, {'false' if pg else '0'})"
    if isinstance(kind, Integer | Numeric):
        return f"COALESCE({name}, 0) + 1000"
    if isinstance(kind, DateTime):
        return "'2001-02-03 04:05:06'"
    if isinstance(kind, Date):
        return "'2001-02-03'"
    if isinstance(kind, JSON):
        return "'{\"tampered\": 1}'"
    if isinstance(kind, LargeBinary):
        return "decode('00ff', 'hex')" if pg else "x'00ff'"
    # The same length (a VARCHAR's limit is checked before any trigger runs).
    return f"'改' || substr(COALESCE({name}, ''), 2)"


def _refused(sql: str, params: dict | None = None, match: str = FROZEN) -> None:
    with pytest.raises(DBAPIError, match=match), db.session.begin_nested():
        db.session.execute(text(sql), params or {})


def _column(table: str, name: str):
    return db.metadata.tables[table].columns[name]


# --- an approved evaluation: every statement refused ----------------------------------------

@pytest.mark.parametrize(("table", "column"), CHILD_COLUMNS, ids=[f"{t}.{c}" for t, c in
                                                                  CHILD_COLUMNS])
def test_every_content_column_is_frozen_after_approval(approved, table, column):
    e = approved.evaluation
    row_id = _row_id(e, table)
    _refused(f"UPDATE {table} SET {column} = {_tampered(_column(table, column))} "
             f"WHERE id = :id", {"id": row_id})
    assert db.session.scalar(text(f"SELECT count(*) FROM {table} WHERE id = :id"),
                             {"id": row_id}) == 1


@pytest.mark.parametrize("column", HEADER_COLUMNS)
def test_every_header_column_is_frozen_after_approval(approved, column):
    e = approved.evaluation
    before = db.session.scalar(text(f"SELECT {column} FROM evaluations WHERE id = :id"),
                               {"id": e.id})
    _refused(f"UPDATE evaluations SET {column} = "
             f"{_tampered(_column('evaluations', column))} WHERE id = :id", {"id": e.id})
    assert db.session.scalar(text(f"SELECT {column} FROM evaluations WHERE id = :id"),
                             {"id": e.id}) == before


@pytest.mark.parametrize("table", TABLES)
def test_rows_cannot_be_added_or_deleted_after_approval(approved, table):
    e = approved.evaluation
    sql, params = INSERTS[table](approved)
    _refused(sql, params)
    _refused(f"DELETE FROM {table} WHERE id = :id", {"id": _row_id(e, table)})


def test_an_approved_evaluation_cannot_be_deleted_or_created_approved(approved):
    e = approved.evaluation
    _refused("DELETE FROM evaluations WHERE id = :id", {"id": e.id})
    _refused("INSERT INTO evaluations (kind, fiscal_year, unit_id, supervising_department, "
             "project_name, project_leader, project_leader_phone, timing, method, preparer_id, "
             "preparer_name, preparer_phone, address, postcode, title_word, overall_goal, "
             "problems, measures, total_weight, grade_scheme_id, template_key, state, "
             "revision_number, version, created_at, updated_at) SELECT kind, fiscal_year, "
             "unit_id, supervising_department, '伪造项目', project_leader, project_leader_phone, "
             "timing, method, preparer_id, preparer_name, preparer_phone, address, postcode, "
             "title_word, overall_goal, problems, measures, total_weight, grade_scheme_id, "
             "template_key, 'published', 1, 1, created_at, updated_at FROM evaluations "
             "WHERE id = :id", {"id": e.id})


def test_the_state_cannot_be_set_back_to_draft_by_hand(approved):
    """Otherwise one statement would thaw an approved evaluation, and another re-publish it."""
    e = approved.evaluation
    _refused("UPDATE evaluations SET state = 'draft' WHERE id = :id", {"id": e.id},
             match="revision_number")
    _refused("UPDATE evaluations SET revision_number = revision_number + 1 WHERE id = :id",
             {"id": e.id}, match="revision_number")
    _refused("UPDATE evaluations SET state = 'published' WHERE id = :id", {"id": e.id},
             match="no such state change")
    _refused("UPDATE evaluations SET state = 'team_review' WHERE id = :id", {"id": e.id},
             match="no such state change")


def test_published_evaluation_never_thaws(content_world, app):
    content_world.go(S.PUBLISHED)  # with its real PDF
    db.session.commit()
    e = content_world.evaluation
    _refused("UPDATE evaluations SET state = 'draft', revision_number = revision_number + 1 "
             "WHERE id = :id", {"id": e.id}, match="no such state change")
    _refused("UPDATE indicators SET actual = '100%' WHERE evaluation_id = :id", {"id": e.id})


def test_review_content_is_frozen_too(content_world):
    """Frozen from the submission on (会签), not only after the leader's approval."""
    e = content_world.go(S.TEAM_REVIEW)
    db.session.commit()
    _refused("UPDATE indicators SET name = '改名' WHERE id = :id", {"id": _leaf(e).id})
    _refused("UPDATE team_members SET role = 'leader' WHERE evaluation_id = :id AND "
             "role = 'member'", {"id": e.id})
    _refused("UPDATE evaluations SET project_name = '改名' WHERE id = :id", {"id": e.id})
    sql, params = INSERTS["team_members"](content_world)  # not a 加签 row
    _refused(sql, params)


# --- a draft and a returned evaluation: the same statements pass ----------------------------

HEADER_VALUES = {
    "kind": "unit_whole", "fiscal_year": 2023, "supervising_department": "县财政局",
    "project_name": "改过的项目", "project_leader": "张三", "project_leader_phone": "0311-1",
    "period_start": "2023-01-01", "period_end": "2023-12-31", "timing": "in_progress",
    "method": "third_party", "preparer_name": "李四", "preparer_phone": "138",
    "report_date": "2024-03-01", "address": "高邑县", "postcode": "051330",
    "title_word": "evaluation", "overall_goal": "目标", "problems": "问题", "measures": "措施",
    "total_weight": 100, "template_key": "unit_2013", "created_at": "2024-01-02 03:04:05",
}
SELF_REFERENCES = {"id", "unit_id", "preparer_id", "grade_scheme_id"}  # set to themselves


def _edit_everything(world) -> None:
    e = world.evaluation
    for column in HEADER_COLUMNS:
        value = f"{column}" if column in SELF_REFERENCES else ":v"
        db.session.execute(text(f"UPDATE evaluations SET {column} = {value} WHERE id = :id"),
                           {"id": e.id, "v": HEADER_VALUES.get(column)})
    for table in TABLES:
        row_id = _row_id(e, table)
        column = {"evidence": "filename", "team_members": "position",
                  "funding_sources": "spent"}.get(table)
        value = {"filename": "'改.pdf'", "position": "position + 1",
                 "spent": "spent + 1"}.get(column, "'改过'")
        db.session.execute(text(f"UPDATE {table} SET {column or _text_column(table)} = {value} "
                                f"WHERE id = :id"), {"id": row_id})
        sql, params = INSERTS[table](world)
        db.session.execute(text(sql), params)
        if table != "indicators":  # the leaf carries the evidence: removed last
            db.session.execute(text(f"DELETE FROM {table} WHERE id = :id"), {"id": row_id})
    db.session.execute(text("DELETE FROM indicators WHERE id = :id"), {"id": _leaf(e).id})
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Evaluation, e.id).project_name == "改过的项目"


def _text_column(table: str) -> str:
    return {"indicators": "name", "expense_lines": "category", "sub_projects": "name",
            "sections": "title"}[table]


def test_header_values_cover_every_header_column():
    assert set(HEADER_VALUES) | SELF_REFERENCES == set(HEADER_COLUMNS)


def test_a_draft_stays_editable_by_sql(content_world):
    db.session.commit()
    _edit_everything(content_world)


def test_a_returned_evaluation_is_editable_again(returned):
    _edit_everything(returned)


# --- the application's own operations still work -------------------------------------------

def test_the_whole_workflow_runs_under_the_triggers(content_world, app):
    from workflow_app.evaluations import derived
    from workflow_app.public.models import PublishedReport

    e = content_world.evaluation
    fire(e, "submit", content_world.preparer)
    add_signer(e, content_world.leader, content_world.colleague.id)  # 加签 in review
    for user in (content_world.member1, content_world.member2, content_world.colleague):
        fire(e, "sign", user)
    fire(e, "return", content_world.leader, reason="再核对一次")  # back to draft
    _leaf(e).actual = "99%"  # editable again through the model
    db.session.flush()
    fire(e, "submit", content_world.preparer)
    for user in (content_world.member1, content_world.member2, content_world.colleague):
        fire(e, "sign", user)
    fire(e, "approve", content_world.leader)
    fire(e, "accept", content_world.finance)
    derived.store_from_working_copy(e)  # the derived scores stay writable
    db.session.flush()
    assert derived.refresh_all() >= 0
    fire(e, "publish", content_world.finance)
    db.session.commit()
    assert e.state == S.PUBLISHED and e.revision_number == 2
    assert db.session.scalar(db.select(db.func.count(PublishedReport.id))) == 1
    assert db.session.scalar(text("SELECT actual FROM indicators WHERE id = :id"),
                             {"id": _leaf(e).id}) == "99%"


# --- one valid INSERT per content table -----------------------------------------------------

def _insert_indicator(world):
    return ("INSERT INTO indicators (evaluation_id, parent_id, level, position, name, "
            "description, standard, weight, target, actual, score, score_reason, "
            "deviation_reason, not_applicable, rule_type, rule_params) VALUES (:e, NULL, 1, 99, "
            "'新增指标', '', '', 0, '', '', NULL, '', '', :f, 'manual', '{}')",
            {"e": world.evaluation.id, "f": False})


def _insert_funding(world):
    return ("INSERT INTO funding_sources (evaluation_id, source, initial, planned, arrived, "
            "spent) VALUES (:e, 'other', NULL, 5, 5, 5)", {"e": world.evaluation.id})


def _insert_expense(world):
    return ("INSERT INTO expense_lines (evaluation_id, position, category, planned, actual) "
            "VALUES (:e, 9, '差旅费', NULL, 3)", {"e": world.evaluation.id})


def _insert_sub_project(world):
    return ("INSERT INTO sub_projects (evaluation_id, position, name, budget, executed, "
            "returned, self_score, target, achieved) VALUES (:e, 9, '新增分项', 1, 1, 0, NULL, "
            "'', '')", {"e": world.evaluation.id})


def _insert_section(world):
    return ("INSERT INTO sections (evaluation_id, key, position, title, body) VALUES "
            "(:e, 'added', 9, '七、其他', '')", {"e": world.evaluation.id})


def _insert_member(world):
    return ("INSERT INTO team_members (evaluation_id, user_id, role, position, "
            "added_in_review) VALUES (:e, :u, 'member', 9, :f)",
            {"e": world.evaluation.id, "u": world.colleague.id, "f": False})


def _insert_evidence(world):
    root = next(i for i in world.evaluation.indicators if i.parent_id is None)
    return ("INSERT INTO evidence (indicator_id, filename, content_type, size, sha256, data, "
            "uploaded_by_id, uploaded_at) VALUES (:i, 'x.pdf', 'application/pdf', 1, :h, :d, "
            "NULL, :t)", {"i": root.id, "h": "0" * 64, "d": b"x", "t": root.evaluation.created_at})


INSERTS = {"indicators": _insert_indicator, "funding_sources": _insert_funding,
           "expense_lines": _insert_expense, "sub_projects": _insert_sub_project,
           "sections": _insert_section, "team_members": _insert_member,
           "evidence": _insert_evidence}
