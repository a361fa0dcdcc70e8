"""Grade schemes are the system administrator's, per bureau (issue 9): an import names a stored
scheme and never creates one. Before the fix a preparer's JSON import created a global scheme
"人人都优" in which every total is 优."""

from __future__ import annotations

import copy
import io
import json
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from tests.api.conftest import token_for  # noqa: F401
from workflow_app.evaluations import operations as ops
from workflow_app.evaluations.document import DocumentError
from workflow_app.evaluations.models import Evaluation, GradeBand, GradeScheme
from workflow_app.exchange.json_io import export_document, import_document
from workflow_app.extensions import db
from workflow_app.units.models import Unit, UnitKind

EVERYONE_EXCELLENT = {"name": "人人都优", "bands": [{"name": "优", "min": "0"}]}


def _count(model) -> int:  # noqa: ANN001
    return db.session.scalar(select(func.count()).select_from(model))


def _doc(demo, scheme) -> dict:  # noqa: ANN001
    doc = copy.deepcopy(export_document(demo.seed001))
    doc["grade_scheme"] = scheme
    doc["team"] = []
    return doc


def _other_bureau_scheme() -> GradeScheme:
    other = Unit(name="别市财政局", kind=UnitKind.FINANCE_BUREAU)
    scheme = GradeScheme(name="别市方案", bureau=other, bands=[
        GradeBand(name="优", min_score=Decimal(0))])
    db.session.add_all([other, scheme])
    db.session.commit()
    return scheme


def test_a_preparers_json_import_cannot_create_a_scheme(login, demo):
    schemes, evaluations = _count(GradeScheme), _count(Evaluation)
    body = json.dumps(_doc(demo, EVERYONE_EXCELLENT), ensure_ascii=False).encode()
    response = login(demo.users["preparer"]).post(
        "/evaluations/import", data={"file": (io.BytesIO(body), "攻击.json")})
    assert response.status_code == 400
    assert "系统中没有评价等级方案“人人都优”" in response.get_data(as_text=True)
    db.session.expire_all()
    assert (_count(GradeScheme), _count(Evaluation)) == (schemes, evaluations)
    assert db.session.scalar(select(GradeScheme).where(GradeScheme.name == "人人都优")) is None


def test_the_api_cannot_create_a_scheme_nor_switch_a_draft_to_one(demo, token_for, client,  # noqa: F811
                                                                  draft001):
    headers = {"Authorization": f"Bearer {token_for(demo.users['preparer'])}"}
    schemes = _count(GradeScheme)
    response = client.post("/api/v1/evaluations", json=_doc(demo, EVERYONE_EXCELLENT),
                           headers=headers)
    assert response.status_code == 400
    assert "导入不能新建方案" in response.get_json()["error"]["message"]
    version = draft001.version
    response = client.put(f"/api/v1/evaluations/{draft001.id}", headers=headers,
                          json={"version": version, "document": _doc(demo, EVERYONE_EXCELLENT)})
    assert response.status_code == 400
    db.session.expire_all()
    assert _count(GradeScheme) == schemes
    assert db.session.get(Evaluation, draft001.id).version == version


def test_a_stored_schemes_name_with_other_bands_is_refused(demo):
    scheme = copy.deepcopy(export_document(demo.seed001)["grade_scheme"])
    for band in scheme["bands"]:
        band["min"] = "0" if band is scheme["bands"][0] else band["min"]
    scheme["bands"] = [scheme["bands"][0]]
    with pytest.raises(DocumentError, match="分档不同"):
        import_document(_doc(demo, scheme), preparer=demo.users["preparer"])


def test_another_bureaus_scheme_is_refused(demo):
    other = _other_bureau_scheme()
    with pytest.raises(DocumentError, match="属于其他财政局"):
        import_document(_doc(demo, other.as_dict()), preparer=demo.users["preparer"])


def test_the_bureaus_own_scheme_is_used(demo):
    bureau_id = demo.users["preparer"].unit.bureau_id
    own = GradeScheme(name="本市方案", bureau_id=bureau_id, bands=[
        GradeBand(name="好", min_score=Decimal(60)), GradeBand(name="差", min_score=Decimal(0))])
    db.session.add(own)
    db.session.commit()
    schemes = _count(GradeScheme)
    evaluation = import_document(_doc(demo, own.as_dict()), preparer=demo.users["preparer"])
    assert evaluation.grade_scheme is own and _count(GradeScheme) == schemes


def test_the_header_cannot_pick_another_bureaus_scheme(demo, draft001):
    other = _other_bureau_scheme()
    before = (draft001.version, draft001.grade_scheme_id)
    with pytest.raises(ops.ValidationFailed):
        ops.update_header(draft001, demo.users["preparer"], draft001.version,
                          {"grade_scheme_id": str(other.id)}, partial=True)
    db.session.rollback()
    db.session.expire_all()
    fresh = db.session.get(Evaluation, draft001.id)
    assert (fresh.version, fresh.grade_scheme_id) == before


def test_a_band_minimum_past_the_column_is_a_refusal_not_a_500(demo, token_for, client):  # noqa: F811
    # Found by schemathesis on PostgreSQL: the import created a scheme whose band minimum
    # overflowed NUMERIC(7,2) (a 500). Imports no longer create schemes at all.
    headers = {"Authorization": f"Bearer {token_for(demo.users['preparer'])}"}
    scheme = {"name": "url", "bands": [{"name": "0", "min": "99999999"}]}
    response = client.post("/api/v1/evaluations", json=_doc(demo, scheme), headers=headers)
    assert response.status_code == 400
    assert "系统中没有评价等级方案“url”" in response.get_json()["error"]["message"]


def test_a_scheme_created_in_this_session_lists_its_bands_highest_first(db_session):
    """A national scheme stored during an import is hashed into the revision's snapshot in the
    same session: its bands must come out in the same order as when loaded later."""
    from decimal import Decimal

    from workflow_app.evaluations.models import GradeBand, GradeScheme

    scheme = GradeScheme(name="排序测试", bands=[
        GradeBand(name=n, min_score=Decimal(m)) for n, m in
        (("中", "60"), ("优秀", "90"), ("差", "0"), ("良好", "80"))])
    db_session.add(scheme)
    db_session.flush()
    fresh = [b["name"] for b in scheme.as_dict()["bands"]]
    db_session.expire_all()
    loaded = [b["name"] for b in db_session.get(GradeScheme, scheme.id).as_dict()["bands"]]
    assert fresh == loaded == ["优秀", "良好", "中", "差"]
