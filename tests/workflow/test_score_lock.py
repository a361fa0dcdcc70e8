"""Once the leader approves, nothing changes the scores of that revision: not the editor, not
the API, not code through the models (the before_flush guard), not raw SQL (the trigger)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from tests.workflow.helpers import S
from workflow_app.evaluations.models import Indicator
from workflow_app.extensions import db
from workflow_app.workflow import revisions as rv
from workflow_app.workflow.errors import LockedContent
from workflow_app.workflow.models import Signature

LOCKED = [S.FINANCE_ACCEPTANCE, S.ACCEPTED, S.PUBLISHED]


def _leaf(evaluation) -> Indicator:
    return next(i for i in evaluation.indicators if i.name == "质量指标")


def _score_in_db(leaf_id: int) -> Decimal:
    db.session.rollback()
    db.session.expire_all()
    return db.session.scalar(select(Indicator.score).where(Indicator.id == leaf_id))


@pytest.fixture(params=LOCKED)
def locked(request, world, no_publication):
    """An approved evaluation, committed, in each locked state."""
    world.go(request.param)
    db.session.commit()
    return world


def test_editor_cannot_change_a_locked_score(locked, login):
    e = locked.evaluation
    leaf = _leaf(e)
    client = login(locked.preparer)
    response = client.post(f"/evaluations/{e.id}/edit/scores",
                           data={f"ind-{leaf.id}-score": "1", "version": str(e.version)})
    assert response.status_code == 409  # refused with the reason, the input kept
    assert "得分已锁定" in response.get_data(as_text=True)
    assert _score_in_db(leaf.id) == Decimal("38")
    from workflow_app.evaluations import operations as ops
    from workflow_app.evaluations.operations import OperationError

    e = db.session.get(type(e), e.id)
    with pytest.raises(OperationError):
        ops.set_indicator_values(e, locked.preparer, e.version, {leaf.id: {"score": "1"}})
        db.session.flush()
    assert _score_in_db(leaf.id) == Decimal("38")


def test_api_cannot_change_a_locked_score(locked, app):
    assert "api.update_evaluation" in app.view_functions
    from workflow_app.auth.models import ApiToken
    from workflow_app.evaluations.document import to_document

    e = locked.evaluation
    leaf = _leaf(e)
    _row, token = ApiToken.issue(locked.preparer)
    doc = to_document(e)
    doc["indicators"][0]["children"][1]["score"] = "1"
    db.session.commit()
    response = app.test_client().put(
        f"/api/v1/evaluations/{e.id}", json={"version": e.version, "document": doc},
        headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "not_draft"
    assert _score_in_db(leaf.id) == Decimal("38")


def test_model_guard_refuses_a_score_change(locked):
    leaf = _leaf(locked.evaluation)
    leaf.score = Decimal("1")
    with pytest.raises(LockedContent, match="得分已锁定"):
        db.session.flush()
    assert _score_in_db(leaf.id) == Decimal("38")


def test_model_guard_refuses_new_and_removed_indicators(locked):
    e = locked.evaluation
    e.indicators.append(Indicator(level=1, position=9, name="新增指标", weight=Decimal(0)))
    with pytest.raises(LockedContent):
        db.session.flush()
    db.session.rollback()
    db.session.delete(_leaf(db.session.get(type(e), e.id)))
    with pytest.raises(LockedContent):
        db.session.flush()


def test_database_trigger_refuses_raw_sql(locked):
    leaf = _leaf(locked.evaluation)
    with pytest.raises(DBAPIError, match="locked"):
        db.session.execute(text("UPDATE indicators SET score = 1 WHERE id = :id"),
                           {"id": leaf.id})
    assert _score_in_db(leaf.id) == Decimal("38")
    with pytest.raises(DBAPIError, match="locked"):
        db.session.execute(text("UPDATE indicators SET weight = 50 WHERE id = :id"),
                           {"id": leaf.id})
    db.session.rollback()
    # Every other column is frozen too (migration content_frozen), not only the scores.
    for sql in ("UPDATE indicators SET name = '改名' WHERE id = :id",
                "UPDATE indicators SET actual = '100%' WHERE id = :id",
                "DELETE FROM indicators WHERE id = :id"):
        with pytest.raises(DBAPIError, match="frozen"):
            db.session.execute(text(sql), {"id": leaf.id})
        db.session.rollback()
    db.session.execute(text("UPDATE indicators SET name = name WHERE id = :id"),
                       {"id": leaf.id})  # a statement that changes nothing is no tampering


def test_draft_scores_stay_editable_and_review_content_is_frozen(world):
    e = world.evaluation
    leaf = _leaf(e)
    leaf.score = Decimal("39")
    db.session.flush()
    from workflow_app.workflow.operations import fire

    fire(e, "submit", world.preparer)
    leaf.score = Decimal("37")
    with pytest.raises(LockedContent, match="内容已冻结"):
        db.session.flush()


def test_revisions_and_signatures_never_change(world, no_publication):
    e = world.go(S.FINANCE_ACCEPTANCE)
    db.session.commit()
    revision = rv.current_revision(e)
    revision.snapshot = "{}"
    with pytest.raises(LockedContent):
        db.session.flush()
    db.session.rollback()
    signature = db.session.scalars(select(Signature)).first()
    signature.comment = "改过"
    with pytest.raises(LockedContent):
        db.session.flush()
    db.session.rollback()
    for sql in ("UPDATE revisions SET content_hash = :h",
                "UPDATE signatures SET content_hash = :h"):
        with pytest.raises(DBAPIError):
            db.session.execute(text(sql), {"h": "f" * 64})
        db.session.rollback()
    if db.engine.dialect.name == "postgresql":  # SQLite: see the migration's docstring
        with pytest.raises(DBAPIError):
            db.session.execute(text("DELETE FROM signatures"))
        db.session.rollback()
    with pytest.raises(DBAPIError, match="frozen"):  # both databases (content_frozen)
        db.session.execute(text("DELETE FROM indicators"))
    db.session.rollback()
