"""JSON exchange in the domain layer: round trips of the seeds, and refusals that change nothing."""

from __future__ import annotations

import copy
import json

import pytest
from sqlalchemy import func, select

from workflow_app.evaluations.document import DocumentError, to_document
from workflow_app.evaluations.models import Evaluation, GradeScheme
from workflow_app.exchange.json_io import (
    dumps,
    export_document,
    import_bytes,
    import_document,
    parse_bytes,
    schema_problems,
)
from workflow_app.extensions import db
from workflow_app.workflow.states import EvaluationState


def _count(model=Evaluation) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _without_unit(doc):
    return doc


@pytest.mark.parametrize("which, preparer", [("seed001", "preparer"), ("seed000", "he_bh")])
def test_export_then_import_creates_an_equal_draft(demo, which, preparer):
    original = getattr(demo, which)
    exported = export_document(original)
    data = dumps(exported).encode("utf-8")
    assert schema_problems(json.loads(data)) == []

    copy_ = import_bytes(data, preparer=demo.users[preparer])
    db.session.commit()

    assert copy_.id != original.id
    assert copy_.state == EvaluationState.DRAFT
    assert copy_.unit_id == original.unit_id
    assert to_document(copy_) == to_document(original)


def test_team_is_named_by_username(demo):
    doc = export_document(demo.seed001)
    assert [m["username"] for m in doc["team"]][:3] == ["leader", "member1", "member2"]
    assert doc["team"][0]["role"] == "leader"


def test_every_seed_export_satisfies_the_json_schema(demo):
    for evaluation in (demo.seed001, demo.seed000, demo.website):
        assert schema_problems(export_document(evaluation)) == []


BAD_DOCUMENTS = [
    (lambda d: d.update(total_weight=100.0), "不接受 JSON 数字"),
    (lambda d: d["funding"][0].update(planned=1308.05), "funding[0].planned"),
    (lambda d: d.update(colour="red"), "未知字段“colour”"),
    (lambda d: d.pop("indicators"), "缺少必填字段“indicators”"),
    (lambda d: d.update(kind="whole"), "kind"),
    (lambda d: d.update(fiscal_year="2021"), "fiscal_year"),
    (lambda d: d.update(version=2), "不支持的文件版本"),
    (lambda d: d["indicators"][0]["children"][0]["children"][0].update(score="9"), "超过分值"),
    (lambda d: d["indicators"][0].update(weight="21"), "不一致"),
    (lambda d: d["team"][0].update(username="nobody"), "找不到用户名为“nobody”"),
    (lambda d: d.update(period_start="2021-13-01"), "日期"),
]


@pytest.mark.parametrize("spoil, message", BAD_DOCUMENTS)
def test_bad_documents_are_refused_with_a_chinese_message_and_nothing_is_created(
        demo, spoil, message):
    doc = copy.deepcopy(export_document(demo.seed001))
    spoil(doc)
    before, schemes = _count(), _count(GradeScheme)
    with pytest.raises(DocumentError) as info:
        import_document(doc, preparer=demo.users["preparer"])
    db.session.rollback()  # what every face does on an error
    assert message in str(info.value), info.value.problems
    assert _count() == before and _count(GradeScheme) == schemes


def test_every_problem_is_reported_at_once(demo):
    doc = copy.deepcopy(export_document(demo.seed001))
    doc["total_weight"] = 100
    doc["extra"] = 1
    doc["funding"][0]["spent"] = "abc"
    with pytest.raises(DocumentError) as info:
        import_document(doc, preparer=demo.users["preparer"])
    assert len(info.value.problems) == 3


@pytest.mark.parametrize("data, message", [
    (b"", "文件为空"),
    (b"{not json", "不是有效的 JSON"),
    (b"\xff\xfe\x00", "UTF-8"),
    (b'{"total": 1.5}', "浮点数 1.5"),
    (b"[1, 2]", "不是一个评价对象"),
])
def test_unreadable_files_are_refused(demo, data, message):
    before = _count()
    with pytest.raises(DocumentError) as info:
        import_bytes(data, preparer=demo.users["preparer"])
    assert message in str(info.value)
    assert _count() == before


def test_parse_bytes_accepts_a_bom():
    assert parse_bytes('\ufeff{"a": "1"}'.encode()) == {"a": "1"}


def test_a_team_member_of_another_unit_of_the_same_bureau_is_kept(demo):
    # Real teams include members of other units under the same finance bureau (issue 8).
    doc = export_document(demo.seed000)  # 考核办's team
    evaluation = import_document(doc, preparer=demo.users["preparer"])  # 政府办's preparer
    assert {m.user.username for m in evaluation.team} >= {"zhang_zj", "wang_wq"}


def test_an_unknown_team_member_is_refused(demo):
    doc = export_document(demo.seed000)
    doc["team"][0]["username"] = "nobody_here"
    with pytest.raises(DocumentError) as info:
        import_document(doc, preparer=demo.users["preparer"])
    assert "找不到用户名为“nobody_here”的本单位（或同一财政局所属单位）用户" in str(info.value)
