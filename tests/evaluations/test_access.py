"""A user sees only their own unit's evaluations; a finance officer those of overseen units."""

from __future__ import annotations

from tests.factories import walk_states
from workflow_app.evaluations.access import can_view, visible_evaluations
from workflow_app.extensions import db
from workflow_app.workflow.states import EvaluationState


def _setup(make):
    bureau = make.bureau()
    other_bureau = make.bureau()
    unit_a, unit_b = make.unit(bureau=bureau), make.unit(bureau=bureau)
    unit_c = make.unit(bureau=other_bureau)
    ev_a, ev_b, ev_c = (make.evaluation(u) for u in (unit_a, unit_b, unit_c))
    return bureau, unit_a, unit_b, ev_a, ev_b, ev_c


def test_domain_visibility(make, db_session):
    bureau, unit_a, _unit_b, ev_a, ev_b, ev_c = _setup(make)
    user_a = make.user(unit_a)
    officer = make.user(bureau, is_finance_officer=True)
    plain_bureau_user = make.user(bureau)
    assert db.session.scalars(visible_evaluations(user_a)).all() == [ev_a]
    assert can_view(user_a, ev_a) and not can_view(user_a, ev_b)
    # Drafts stay inside the unit; the bureau sees what was submitted to it.
    assert db.session.scalars(visible_evaluations(officer)).all() == []
    # A direct (test-only) state change, to set up the bureau's view; operations do this in life.
    walk_states({ev_b.id: EvaluationState.FINANCE_ACCEPTANCE,
                 ev_c.id: EvaluationState.FINANCE_ACCEPTANCE})
    db_session.expire_all()
    assert db.session.scalars(visible_evaluations(officer)).all() == [ev_b]
    assert can_view(officer, ev_b) and not can_view(officer, ev_c) and not can_view(officer, ev_a)
    assert db.session.scalars(visible_evaluations(plain_bureau_user)).all() == []


def test_other_units_evaluation_is_refused_by_url_and_absent_from_listing(make, db_session, login):
    _bureau, unit_a, _unit_b, ev_a, ev_b, _ev_c = _setup(make)
    user_a = make.user(unit_a, is_preparer=True)
    db_session.commit()
    client = login(user_a)
    assert client.get(f"/evaluations/{ev_a.id}").status_code == 200
    assert client.get(f"/evaluations/{ev_b.id}").status_code == 404
    listing = client.get("/").get_data(as_text=True)
    assert ev_a.project_name in listing and ev_b.project_name not in listing
    assert client.get("/evaluations/999999").status_code == 404
