"""Each page's query count is the same for a small and a large evaluation (no N+1): the detail
page, the API detail, ``sign`` through the API and the page's button, and the editor's
score preview, at 5 and 300 indicators."""

from __future__ import annotations

from sqlalchemy import func, select

from tests.querycount import patterns
from workflow_app.extensions import db
from workflow_app.workflow.models import Revision, Signature
from workflow_app.workflow.states import EvaluationState

S = EvaluationState


def _queries(count_queries, client, method: str, url: str, **kwargs) -> int:
    """The statements one request sends, with nothing of the test's own rows in the session's
    identity map (the request shares the test's app context, hence its session) and nothing
    remembered by the process (``memo``): a read nobody made before, the costliest."""
    from workflow_app.memo import forget_all

    db.session.expunge_all()
    forget_all()
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


def test_score_preview_is_constant_in_indicators(build, office, login, count_queries):
    """The editor's live preview re-scores the unsaved table: the tree, evidence and team
    come in a fixed number of queries, whatever the number of indicators."""
    from workflow_app.evaluations.models import Indicator

    built = [build(leaves, S.DRAFT).id for leaves in (5, 300)]
    client = login(office.ids["preparer"])
    client.get("/")
    counts = []
    for leaves, evaluation_id in zip((5, 300), built, strict=True):
        leaf_ids = db.session.scalars(select(Indicator.id).where(
            Indicator.evaluation_id == evaluation_id, Indicator.level == 2)).all()
        counter = _queries(count_queries, client, "post",
                           f"/evaluations/{evaluation_id}/score-preview",
                           data={f"ind-{i}-score": "0.5" for i in leaf_ids})
        assert len(leaf_ids) == leaves
        counts.append(counter)
    few, many = counts
    assert few.count == many.count, patterns(many)


def test_sign_through_the_page_is_constant_in_indicators(build, office, login, count_queries):
    """The evaluation page's 签字 button: the same statements at 5 and 300 indicators, and
    the signature is stored."""
    built = [build(leaves).id for leaves in (5, 300)]
    client = login(office.ids["member1"])
    client.get("/")
    counts = []
    for evaluation_id in built:
        db.session.expunge_all()
        with count_queries() as counter:
            response = client.post(f"/evaluations/{evaluation_id}/transitions/sign")
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        signed = db.session.scalar(select(func.count()).select_from(Signature).join(Revision)
                                   .where(Revision.evaluation_id == evaluation_id))
        assert signed == 1
        counts.append(counter)
    few, many = counts
    assert few.count == many.count, patterns(many)
