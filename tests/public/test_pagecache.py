"""The portal's list for visitors without cookies: remembered until the next publication."""

from __future__ import annotations

import re

from tests.public.helpers import team_evaluation
from workflow_app.extensions import db
from workflow_app.workflow.states import EvaluationState


def _ids(html: str) -> set[int]:
    return {int(x) for x in re.findall(r'data-evaluation-id="(\d+)"', html)}


def test_a_publication_shows_at_once_and_repeats_cost_one_lookup(
        app, make, db_session, fast_render, count_queries):
    unit = make.unit()
    first = team_evaluation(make, unit=unit, state=EvaluationState.PUBLISHED, name="营养改善项目")
    db.session.commit()
    client = app.test_client(use_cookies=False)
    page = client.get("/public/?year=&kind=")
    assert page.status_code == 200 and "Set-Cookie" not in page.headers
    assert _ids(page.text) == {first.id}
    with count_queries() as again:
        repeat = client.get("/public/?year=&kind=")
    assert repeat.text == page.text
    assert len(again.statements) == 1 and "published_reports" in again.statements[0]
    # Every answer still gets the app's own headers.
    assert repeat.headers["Content-Security-Policy"] == page.headers["Content-Security-Policy"]
    assert repeat.headers["X-Request-Id"] != page.headers["X-Request-Id"]

    second = team_evaluation(make, unit=unit, state=EvaluationState.PUBLISHED, name="校舍维修项目")
    db.session.commit()
    assert _ids(client.get("/public/?year=&kind=").text) == {first.id, second.id}


def test_another_query_or_a_cookie_is_rendered_afresh(app, make, db_session, fast_render,
                                                      count_queries):
    unit = make.unit()
    team_evaluation(make, unit=unit, state=EvaluationState.PUBLISHED, name="营养改善项目")
    db.session.commit()
    client = app.test_client(use_cookies=False)
    client.get("/public/")
    with count_queries() as other:
        assert "营养改善项目" not in client.get("/public/?q=不存在的项目").text
    assert len(other.statements) > 1
    with count_queries() as with_cookie:
        client.get("/public/", headers={"Cookie": "session=anything"})
    assert len(with_cookie.statements) > 1


def test_a_reports_page_is_remembered_per_report(app, make, db_session, fast_render,
                                                 count_queries):
    unit = make.unit()
    one = team_evaluation(make, unit=unit, state=EvaluationState.PUBLISHED, name="营养改善项目")
    two = team_evaluation(make, unit=unit, state=EvaluationState.PUBLISHED, name="校舍维修项目")
    db.session.commit()
    client = app.test_client(use_cookies=False)
    first = client.get(f"/public/reports/{one.id}").text
    assert "营养改善项目" in first and "校舍维修项目" not in first
    assert "校舍维修项目" in client.get(f"/public/reports/{two.id}").text
    with count_queries() as again:
        assert client.get(f"/public/reports/{one.id}").text == first
    assert len(again.statements) == 1
    assert client.get("/public/reports/999999").status_code == 404
    assert client.get("/public/reports/999999").status_code == 404  # not remembered as a page
