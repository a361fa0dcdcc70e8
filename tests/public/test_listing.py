"""The portal's list at scale: stored totals and grade, SQL filters, keyset pages, cheap
drop-downs and a remembered count (issue 10)."""

from __future__ import annotations

import re
from decimal import Decimal

from tests.public.helpers import published_report, team_evaluation
from workflow_app.evaluations.scoring import score_document
from workflow_app.extensions import db
from workflow_app.public.publication import latest_revision
from workflow_app.workflow.states import EvaluationState

P = EvaluationState.PUBLISHED


def _ids(html: str) -> list[int]:
    return [int(x) for x in re.findall(r'data-evaluation-id="(\d+)"', html)]


def _link(html: str, rel: str) -> str | None:
    found = re.search(rf'<a rel="{rel}" href="([^"]+)"', html)
    return found.group(1).replace("&amp;", "&") if found else None


def test_publication_stores_what_the_list_shows(make, db_session, fast_render):
    evaluation = team_evaluation(make, state=P, year=2023,
                                 leaves=[("产出", "60", "50"), ("效益", "40", "30")])
    report = published_report(evaluation)
    import json

    expected = score_document(json.loads(latest_revision(evaluation).snapshot))
    assert (report.fiscal_year, report.kind, report.unit_id) == (
        2023, evaluation.kind, evaluation.unit_id)
    assert report.total_score == expected.entered_total == Decimal("80")
    assert report.computed_total_score == expected.computed_total
    assert report.grade == expected.entered_grade == "良好"


def test_grade_filter_never_rescores(client, make, db_session, fast_render, monkeypatch):
    good = team_evaluation(make, state=P, leaves=[("产出", "60", "50"), ("效益", "40", "30")])
    team_evaluation(make, state=P, leaves=[("产出", "60", "40"), ("效益", "40", "20")])
    db.session.commit()

    def refuse(*_args, **_kwargs):
        raise AssertionError("the portal re-scored a published document")

    monkeypatch.setattr("workflow_app.evaluations.scoring.score_document", refuse)
    monkeypatch.setattr("workflow_app.public.publication.score_document", refuse)
    html = client.get("/public/?grade=良好").text
    assert _ids(html) == [good.id]
    assert "80" in html and "共 1 份公开报告" in html


def test_next_and_previous_links_are_keyset_pages(client, make, db_session, fast_render,
                                                  monkeypatch):
    monkeypatch.setattr("workflow_app.public.queries.PAGE_SIZE", 2)
    unit = make.unit()
    for i in range(5):
        team_evaluation(make, unit=unit, state=P, year=2020 + i % 2, name=f"翻页项目{i}")
    db.session.commit()
    by_offset = [_ids(client.get(f"/public/?page={n}").text) for n in (1, 2, 3)]
    html = client.get("/public/?page=1").text
    followed = [_ids(html)]
    for _ in range(2):
        nxt = _link(html, "next")
        assert nxt is not None and "after=" in nxt
        html = client.get(nxt).text
        followed.append(_ids(html))
    assert followed == by_offset
    assert _link(html, "next") is None
    back = _link(html, "prev")
    assert "before=" in back
    assert _ids(client.get(back).text) == by_offset[1]
    # A malformed position is ignored (offset paging), never an error.
    assert _ids(client.get("/public/?page=2&after=x.y.z").text) == by_offset[1]


def test_unit_filter_is_a_search_box_not_a_list(client, make, db_session, fast_render):
    school = make.unit("甲县教育局")
    clinic = make.unit("乙县卫生健康局")
    a = team_evaluation(make, unit=school, state=P)
    b = team_evaluation(make, unit=clinic, state=P)
    db.session.commit()
    html = client.get("/public/").text
    assert '<select name="unit"' not in html and 'name="unit_name"' in html
    assert _ids(client.get("/public/?unit_name=教育").text) == [a.id]
    assert _ids(client.get("/public/?unit_name=县").text) == [b.id, a.id]
    chosen = client.get(f"/public/?unit={clinic.id}").text
    assert _ids(chosen) == [b.id] and "已选单位：乙县卫生健康局" in chosen


def test_count_has_no_order_by_and_waits_for_the_next_publication(
        client, make, db_session, fast_render, count_queries):
    unit = make.unit()
    team_evaluation(make, unit=unit, state=P)
    db.session.commit()
    with count_queries() as first:
        assert "共 1 份公开报告" in client.get("/public/?year=2024").text
    counts = [s for s in first.statements if "count(" in s.lower()]
    assert len(counts) == 1 and "ORDER BY" not in counts[0]
    with count_queries() as again:
        client.get("/public/?year=2024")
    assert not [s for s in again.statements if "count(" in s.lower()]
    team_evaluation(make, unit=unit, state=P)
    db.session.commit()
    assert "共 2 份公开报告" in client.get("/public/?year=2024").text


def test_public_detail_scores_a_published_snapshot_once(client, make, db_session, fast_render,
                                                        monkeypatch):
    from workflow_app.evaluations import scoring

    evaluation = team_evaluation(make, state=P, leaves=[("产出", "60", "50"), ("效益", "40", "30")])
    db.session.commit()
    calls = []
    real = scoring.score_document

    def counting(doc, *args, **kwargs):
        calls.append(doc)
        return real(doc, *args, **kwargs)

    monkeypatch.setattr(scoring, "score_document", counting)
    pages = [client.get(f"/public/reports/{evaluation.id}") for _ in range(3)]
    assert all(p.status_code == 200 and "80" in p.text for p in pages)
    assert len(calls) == 1
