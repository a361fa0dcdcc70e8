"""The derived scores stored on evaluations: kept by the operations, never recomputed by a list,
NULL (not 0) when nothing can be computed, backfilled by the migration."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select, text, update

from workflow_app.evaluations import derived
from workflow_app.evaluations import operations as ops
from workflow_app.evaluations.models import Evaluation, Indicator, RuleType
from workflow_app.extensions import db
from workflow_app.workflow.operations import fire
from workflow_app.workflow.states import EvaluationState

S = EvaluationState


def _leaf(evaluation: Evaluation, name: str) -> Indicator:
    return next(i for i in evaluation.indicators if i.name == name)


def _computable(evaluation: Evaluation) -> None:
    """Give the factory's two manual leaves rules the engine computes (yes/no)."""
    for leaf in evaluation.indicators:
        if leaf.parent_id is not None or leaf.parent is not None:
            leaf.rule_type = RuleType.YES_NO
            leaf.actual = "是"
    db.session.flush()


def test_submit_stores_the_snapshot_scores(world):
    e = world.evaluation
    _computable(e)
    db.session.execute(update(Evaluation).where(Evaluation.id == e.id).values(
        self_total=None, computed_total=None, open_leaves=None, grade=None))
    db.session.expire(e)
    fire(e, "submit", world.preparer)
    assert (e.self_total, e.computed_total, e.open_leaves, e.grade) == (
        Decimal("98.00"), Decimal("100.00"), 0, "优秀")
    row = db.session.execute(text(
        "SELECT self_total, grade FROM evaluations WHERE id = :id"), {"id": e.id}).one()
    assert (Decimal(str(row[0])), row[1]) == (Decimal("98"), "优秀")


def test_open_leaves_are_counted_not_scored_as_zero(world):
    e = world.evaluation  # two manual leaves without a tier: the engine leaves both open
    fire(e, "submit", world.preparer)
    assert e.open_leaves == 2
    assert e.self_total == Decimal("98.00")
    assert derived.stored(e) == derived.expected(e)


def test_approve_and_accept_keep_the_signed_scores(world):
    e = world.evaluation
    _computable(e)
    world.go(S.ACCEPTED)
    assert (e.self_total, e.grade, e.open_leaves) == (Decimal("98.00"), "优秀", 0)
    assert list(derived.check_stored()) == []


def test_a_draft_save_updates_the_stored_scores(world):
    e = world.evaluation
    _computable(e)
    leaf = _leaf(e, "质量指标")
    ops.set_indicator_values(e, world.preparer, e.version,
                             {leaf.id: {"score": "20", "score_reason": "未达标"}})
    assert e.self_total == Decimal("80.00")
    assert e.grade == "良好"


def test_an_edit_that_cannot_change_a_score_does_not_rescore(world, monkeypatch):
    e = world.evaluation
    calls = []
    monkeypatch.setattr(derived, "store_from_working_copy", lambda ev: calls.append(ev))
    ops.set_sections(e, world.preparer, e.version, [{"key": "k1", "title": "一、基本情况",
                                                      "body": "正文"}])
    assert calls == []


def test_an_unscorable_document_stores_nothing_rather_than_zero():
    assert derived.of_snapshot("not json") == derived.Derived(None, None, None, None)
    assert derived.Derived.of(None).self_total is None


def test_check_and_refresh_find_and_repair_a_wrong_stored_value(world):
    e = world.evaluation
    _computable(e)
    world.go(S.FINANCE_ACCEPTANCE)
    db.session.execute(update(Evaluation).where(Evaluation.id == e.id).values(
        self_total=Decimal("12"), grade="较差"))
    db.session.expire_all()
    wrong = list(derived.check_stored())
    assert [(i, have.self_total, want.self_total) for i, have, want in wrong] == [
        (e.id, Decimal("12.00"), Decimal("98.00"))]
    assert derived.refresh_all() == 1
    assert list(derived.check_stored()) == []
    assert db.session.scalar(select(Evaluation.grade).where(Evaluation.id == e.id)) == "优秀"


def test_the_migration_backfills_submitted_evaluations(tmp_path, worker_id):
    """Down to the revision before the columns, up again: submitted evaluations get their
    snapshot's scores back; a draft never submitted stays NULL (not computed, never 0)."""
    import os

    from flask_migrate import downgrade, upgrade

    from tests.factories import Factory
    from tests.migrating import app_on, revision_before, scratch_database
    from tests.workflow.helpers import build_world

    os.environ.setdefault("INSTANCE_PATH", str(tmp_path))
    with scratch_database(tmp_path, worker_id, "backfill") as url:
        app = app_on(url)
        with app.app_context():
            upgrade()
            w = build_world(Factory())
            _computable(w.evaluation)
            fire(w.evaluation, "submit", w.preparer)
            draft = Factory().evaluation()
            ids = (w.evaluation.id, draft.id)
            db.session.commit()
            db.session.remove()
            downgrade(revision=revision_before(app, "5b1e7c3d9a20"))  # derived scores
            upgrade()
            rows = dict(db.session.execute(text(
                "SELECT id, grade FROM evaluations WHERE id IN (:a, :b)"),
                {"a": ids[0], "b": ids[1]}).all())
            totals = db.session.execute(text(
                "SELECT self_total, computed_total, open_leaves FROM evaluations WHERE id = :a"),
                {"a": ids[0]}).one()
            assert rows == {ids[0]: "优秀", ids[1]: None}
            assert [Decimal(str(v)) for v in totals] == [Decimal(98), Decimal(100), 0]
            db.session.remove()
            db.engine.dispose()


def test_cli_checks_and_refreshes_the_stored_scores(app, world):
    e = world.evaluation
    _computable(e)
    world.go(S.FINANCE_ACCEPTANCE)
    db.session.commit()
    runner = app.test_cli_runner()
    ok = runner.invoke(args=["evaluations", "check-scores"])
    assert ok.exit_code == 0 and "一致" in ok.output
    db.session.execute(update(Evaluation).where(Evaluation.id == e.id).values(grade="较差"))
    db.session.commit()
    bad = runner.invoke(args=["evaluations", "check-scores"])
    assert bad.exit_code == 1 and f"评价 {e.id}" in bad.output
    fixed = runner.invoke(args=["evaluations", "refresh-scores"])
    assert fixed.exit_code == 0 and "已更新 1 项" in fixed.output
    db.session.expire_all()
    assert db.session.get(Evaluation, e.id).grade == "优秀"
