"""复核 (the finance bureau's re-check) on the detail page for the finance officer, the team and
the preparer; a bad 复核 value re-renders the form with everything typed kept."""

from __future__ import annotations

import pytest

from tests.workflow.helpers import S
from workflow_app.extensions import db
from workflow_app.workflow import revisions as rv
from workflow_app.workflow.models import IndicatorReview
from workflow_app.workflow.operations import fire


@pytest.mark.parametrize("who", ["finance", "preparer", "leader", "member1", "member2"])
def test_recheck_is_shown_on_the_detail_page(world, login, who):
    e = world.go(S.FINANCE_ACCEPTANCE)
    fire(e, "accept", world.finance,
         reviews={"1.2": {"score": "35", "opinion": "佐证不足，扣3分"}})
    db.session.commit()
    page = login(getattr(world, who)).get(f"/evaluations/{e.id}").get_data(as_text=True)
    section = page.split('id="recheck"', 1)[1].split("</section>", 1)[0]
    assert "财政复核" in page
    assert "质量指标" in section and "35" in section and "佐证不足，扣3分" in section
    assert "38" in section  # the self-score beside it, never overwritten
    assert world.finance.name in section


def test_a_bad_recheck_value_keeps_everything_typed(world, login):
    e = world.go(S.FINANCE_ACCEPTANCE)
    db.session.commit()
    response = login(world.finance).post(f"/evaluations/{e.id}/transitions/accept", data={
        "review_score_1.1": "61", "review_opinion_1.1": "超出分值了",
        "review_score_1.2": "35", "review_opinion_1.2": "佐证不足",
        "comment": "我写了很长的验收意见"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'value="61"' in page and 'value="超出分值了"' in page
    assert 'value="35"' in page and 'value="佐证不足"' in page
    assert "我写了很长的验收意见" in page
    assert 'id="err-review_score_1.1"' in page and "超出 0–60 分的范围" in page
    assert 'open' in page.split('data-pop="accept"', 1)[1].split(">", 1)[0]  # still open
    db.session.expire_all()
    assert db.session.get(type(e), e.id).state == S.FINANCE_ACCEPTANCE
    assert db.session.query(IndicatorReview).count() == 0
    assert rv.current_revision(e) is not None
