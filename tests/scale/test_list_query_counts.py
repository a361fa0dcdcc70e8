"""The public portal and the API list send as many queries at 1,000 evaluations as at 10."""

from __future__ import annotations

from tests.scale.bulk import bulk_evaluations
from tests.scale.test_query_counts import _queries
from workflow_app.auth.models import User
from workflow_app.evaluations.document import to_document
from workflow_app.evaluations.models import GradeScheme
from workflow_app.extensions import db
from workflow_app.units.models import Unit
from workflow_app.workflow.states import EvaluationState

S = EvaluationState


def _measure_lists(client, count_queries, headers, published_id: int) -> dict[str, int]:
    urls = {
        "public list": ("/public/", {}),
        "public list, year": ("/public/?year=2024", {}),
        "public list, grade": ("/public/?grade=优秀", {}),
        "public detail": (f"/public/reports/{published_id}", {}),
        "api list": ("/api/v1/evaluations", {"headers": headers}),
        "api detail": (f"/api/v1/evaluations/{published_id}", {"headers": headers}),
    }
    return {name: _queries(count_queries, client, "get", url, **kw).count
            for name, (url, kw) in urls.items()}


def test_lists_are_constant_in_evaluations(build, office, client, bearer, count_queries):
    published = build(5, S.PUBLISHED)
    doc, published_id = to_document(published), published.id
    headers = bearer(office.ids['finance'])
    client.get("/api/v1/me", headers=headers)

    def add(count: int) -> None:
        bulk_evaluations(db.session.get(Unit, office.unit_id),
                         db.session.get(User, office.preparer_id),
                         db.session.get(GradeScheme, office.scheme_id), count,
                         state=S.PUBLISHED, doc=doc)
        db.session.commit()

    add(9)
    few = _measure_lists(client, count_queries, headers, published_id)
    add(990)
    many = _measure_lists(client, count_queries, headers, published_id)
    assert few == many, (few, many)
