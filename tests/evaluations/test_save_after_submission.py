"""Saving an editor tab after the evaluation left draft: a clear Chinese message saying it is
no longer a draft and who has it now, the typed input kept on the page, nothing changed."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.workflow.helpers import S, build_world
from workflow_app.evaluations.models import Evaluation
from workflow_app.extensions import db


@pytest.fixture
def world(make, db_session, monkeypatch):
    from workflow_app.workflow import steps

    monkeypatch.setattr(steps, "publish_report", lambda firing: None)
    return build_world(make)


def _page(response):
    return response.get_data(as_text=True)


def test_header_saved_after_submission_keeps_the_input_and_names_who_has_it(world, login):
    e = world.evaluation
    version = e.version
    client = login(world.preparer)
    world.go(S.TEAM_REVIEW)
    db.session.commit()
    response = client.post(f"/evaluations/{e.id}/edit/header", data={
        "version": str(version), "kind": "project", "timing": "ex_post", "method": "self",
        "fiscal_year": str(e.fiscal_year), "project_name": e.project_name,
        "project_leader": "我刚输入的负责人"})
    page = _page(response)
    assert response.status_code == 409
    assert "不再是草稿" in page and "「工作组会签」" in page
    assert "成员丙" in page and "成员丁" in page  # who has it now
    assert 'value="我刚输入的负责人"' in page
    db.session.expire_all()
    assert db.session.get(Evaluation, e.id).project_leader != "我刚输入的负责人"


def test_scores_saved_after_approval_says_locked_and_keeps_the_input(world, login):
    e = world.evaluation
    leaf = next(i for i in e.indicators if i.name == "质量指标")
    version = e.version
    client = login(world.preparer)
    world.go(S.FINANCE_ACCEPTANCE)
    db.session.commit()
    response = client.post(f"/evaluations/{e.id}/edit/scores", data={
        "version": str(version), f"ind-{leaf.id}-score": "1",
        f"ind-{leaf.id}-score_reason": "我写的扣分理由"})
    page = _page(response)
    assert response.status_code == 409
    assert "得分已锁定" in page and "「财政局验收」" in page and "不再是草稿" in page
    assert "我写的扣分理由" in page
    db.session.expire_all()
    assert db.session.get(type(leaf), leaf.id).score == Decimal("38")


def test_editor_opened_after_submission_leads_to_the_read_view(world, login):
    e = world.evaluation
    world.go(S.TEAM_REVIEW)
    db.session.commit()
    response = login(world.preparer).get(f"/evaluations/{e.id}/edit/header")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/evaluations/{e.id}")


def test_a_colleague_who_is_not_a_preparer_still_gets_403(world, login):
    e = world.evaluation
    db.session.commit()
    response = login(world.colleague).post(f"/evaluations/{e.id}/edit/header",
                                           data={"project_name": "x"})
    assert response.status_code == 403
