"""The migration that added the listing columns backfills reports published before it."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from tests.factories import Factory
from tests.migrating import app_on, scratch_database
from tests.public.helpers import install_fast_render, team_evaluation
from workflow_app.extensions import db
from workflow_app.workflow.states import EvaluationState

BEFORE = "3e8d51c0a7f2"  # the revision before the listing columns
COLUMNS = "fiscal_year, kind, unit_id, total_score, computed_total_score, grade"


@pytest.fixture
def scratch_url(tmp_path, worker_id):
    with scratch_database(tmp_path, worker_id, "listing") as url:
        yield url


def test_upgrade_backfills_published_reports(scratch_url, monkeypatch):
    from flask_migrate import downgrade, upgrade

    app = app_on(scratch_url)
    install_fast_render(monkeypatch)
    with app.app_context():
        upgrade()
        evaluation = team_evaluation(Factory(), state=EvaluationState.PUBLISHED, year=2022,
                                     leaves=[("产出", "60", "50"), ("效益", "40", "30")])
        db.session.commit()
        unit_id = evaluation.unit_id
        stored = db.session.execute(text(f"SELECT {COLUMNS} FROM published_reports")).one()
        db.session.remove()
        downgrade(revision=BEFORE)  # as if published before the columns existed
        upgrade()
        backfilled = db.session.execute(text(f"SELECT {COLUMNS} FROM published_reports")).one()
        assert backfilled == stored
        assert backfilled.fiscal_year == 2022 and backfilled.grade == "良好"
        assert backfilled.unit_id == unit_id
        # The frozen-row trigger is back.
        with pytest.raises(Exception, match="never changes"):
            db.session.execute(text("UPDATE published_reports SET grade = '优秀'"))
        db.session.rollback()
        db.session.remove()
        db.engine.dispose()
