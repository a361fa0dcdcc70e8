"""The content document: every problem of a bad one is reported, and nothing is changed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from workflow_app.evaluations.document import (
    DocumentError,
    apply_document,
    content_hash,
    to_document,
)

SEED = Path(__file__).resolve().parents[2] / "workflow_app/evaluations/seed_examples/seed001.json"


def _seed() -> dict:
    return json.loads(SEED.read_text(encoding="utf-8"))


def test_a_bad_document_lists_every_problem_and_changes_nothing(make, db_session):
    evaluation = make.evaluation()
    before = content_hash(to_document(evaluation))
    doc = _seed()
    doc["funding"] = "1308.05"
    doc["expenses"] = [{"category": "办公费", "planned": 1.5, "actual": "x"}]
    doc["sections"] = [doc["sections"][1], doc["sections"][1]]
    doc["team"] = [{"username": "nobody", "role": "leader"}]
    with pytest.raises(DocumentError) as caught:
        apply_document(evaluation, doc, users_by_username={})
    problems = caught.value.problems
    assert "“funding”应为列表" in problems
    assert any("支出明细第 1 行“planned”应为数字文本" in p for p in problems)
    assert any("支出明细第 1 行“actual”不是有效的数字" in p for p in problems)
    assert any("报告章节第 2 节" in p and "重复" in p for p in problems)
    assert any("评价工作组第 1 人" in p and "nobody" in p for p in problems)
    assert content_hash(to_document(evaluation)) == before


def test_the_seed_document_applies_and_reads_back_equal(make, db_session):
    unit = make.unit()
    users = {m["username"]: make.user(unit, username=m["username"], name=m["name"])
             for m in _seed()["team"]}
    evaluation = make.evaluation(unit)
    evaluation.grade_scheme.name = _seed()["grade_scheme"]["name"]
    apply_document(evaluation, _seed(), users_by_username=users)
    db_session.flush()
    back = to_document(evaluation)
    seed = _seed()
    for key in ("funding", "sub_projects", "sections", "indicators", "problems", "measures"):
        assert back[key] == seed[key], key
    assert [m["username"] for m in back["team"]] == [m["username"] for m in seed["team"]]
