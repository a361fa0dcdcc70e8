"""Fixtures of the editor's tests: an editable draft, seed 001 as a draft, the templates."""

from __future__ import annotations

import json

import pytest

from workflow_app.evaluations.operations import create_from_document, install_standard_templates

SEED001 = "workflow_app/evaluations/seed_examples/seed001.json"


@pytest.fixture
def draft(make):
    """(evaluation, preparer): a draft with two manual leaves of 60 and 40 under 产出指标."""
    unit = make.unit()
    preparer = make.user(unit, is_preparer=True, name="填报人甲")
    evaluation = make.evaluation(unit, preparer=preparer)
    return evaluation, preparer


@pytest.fixture
def templates(make):
    """The three standard templates as IndicatorTemplate rows, by key."""
    return {t.key: t for t in install_standard_templates()}


@pytest.fixture
def seed001(make):
    """(evaluation, preparer): seed 001 (高邑县政府办 2021 整体支出) as an editable draft."""
    unit = make.unit(name="高邑县人民政府办公室")
    preparer = make.user(unit, username="preparer", name="田伟鑫", is_preparer=True)
    for username in ("leader", "member1", "member2", "ma_lf", "yang_xg", "guo_sg"):
        make.user(unit, username=username)
    with open(SEED001, encoding="utf-8") as handle:
        doc = json.load(handle)
    for member in doc["team"]:
        if member["username"] == "tian_wx":
            member["username"] = "preparer"
    evaluation = create_from_document(doc, unit_id=unit.id, preparer=preparer)
    return evaluation, preparer
