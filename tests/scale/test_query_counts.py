"""Each page's query count is the same for a small and a large evaluation (no N+1): the detail
page, the API detail and ``sign`` through the API, at 5 and 300 indicators."""

from __future__ import annotations

from sqlalchemy import func, select

from tests.querycount import patterns
from workflow_app.extensions import db
from workflow_app.workflow.models import Revision, Signature
from workflow_app.workflow.states import EvaluationState

S = EvaluationState


def _queries(count_queries, client, method: str, url: str, **kwargs) -> int:
    """The statements one request sends, with nothing of the test's own rows in the session's
    identity map (the request shares the test's app context, hence its session)."""
    db.session.expunge_all()
    with count_queries() as counter:
        response = getattr(client, method)(url, **kwargs)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return counter


def test_detail_page_is_constant_in_indicators(build, office, login, count_queries):
    small, large = build(5, S.FINANCE_ACCEPTANCE).id, build(300, S.FINANCE_ACCEPTANCE).id
    for name in ("finance", "preparer", "leader"):
        client = login(office.ids[name])
        client.get("/")  # warm-up: the session's first request
        few = _queries(count_queries, client, "get", f"/evaluations/{small}")
        many = _queries(count_queries, client, "get", f"/evaluations/{large}")
        assert few.count == many.count, (name, few.report(), many.report())


def test_api_detail_is_constant_in_indicators(build, office, client, bearer, count_queries):
    small, large = build(5).id, build(300).id
    headers = bearer(office.ids['member1'])
    client.get("/api/v1/me", headers=headers)
    few = _queries(count_queries, client, "get", f"/api/v1/evaluations/{small}",
                   headers=headers)
    many = _queries(count_queries, client, "get", f"/api/v1/evaluations/{large}",
                    headers=headers)
    assert few.count == many.count, patterns(many)


def test_sign_is_constant_in_indicators(build, office, client, bearer, count_queries):
    small, large = build(5).id, build(300).id
    headers = bearer(office.ids['member1'])
    client.get("/api/v1/me", headers=headers)
    counts = []
    for evaluation_id in (small, large):
        counter = _queries(count_queries, client, "post",
                           f"/api/v1/evaluations/{evaluation_id}/transitions/sign",
                           headers=headers, json={})
        counts.append(counter)
        signed = db.session.scalar(select(func.count()).select_from(Signature).join(Revision)
                                   .where(Revision.evaluation_id == evaluation_id))
        assert signed == 1
    few, many = counts
    assert few.count == many.count, patterns(many)
