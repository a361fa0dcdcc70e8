"""The target grammar over the corpus of real rows in tests/evaluations/data/target_corpus.json.

Each row was transcribed from a public report (the file's ``sources`` say which); ``expect`` is
how a person reads its target, and for rows with a printed score, ``expect_status`` /
``expect_score`` are what the engine must compute. The corpus grows as real reports are read.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from workflow_app.evaluations.scoring import parse_actual, parse_target, score_indicator

CORPUS = json.loads((Path(__file__).parent / "data" / "target_corpus.json")
                    .read_text(encoding="utf-8"))
ROWS = CORPUS["rows"]


def _id(row: dict) -> str:
    return f"{row['source']}:{row['name']}:{row['target']}"


def test_every_row_cites_a_known_source_and_the_corpus_is_not_truncated():
    assert len(ROWS) >= 333
    assert {row["source"] for row in ROWS} <= set(CORPUS["sources"])
    assert all(CORPUS["sources"][s]["where"] for s in CORPUS["sources"])
    provinces = {CORPUS["sources"][row["source"]]["province"] for row in ROWS}
    assert len(provinces) >= 4


READ = [r for r in ROWS if r["expect"].get("reads", True)]
UNREAD = [r for r in ROWS if not r["expect"].get("reads", True)]


@pytest.mark.parametrize("row", UNREAD, ids=_id)
def test_a_target_the_grammar_does_not_read_stays_open_never_wrong(row):
    # Known gaps (listed in the corpus with "reads": false): the leaf must need a person.
    assert parse_target(row["target"], row["name"]).kind == "text"
    leaf = {"name": row["name"], "weight": "10", "target": row["target"], "actual": "1000元/人",
            "score": "10", "rule": {"type": "target_ratio"}}
    assert score_indicator(leaf).status == "needs_judgement"


@pytest.mark.parametrize("row", READ, ids=_id)
def test_target_reads_as_a_person_reads_it(row):
    expect = row["expect"]
    target = parse_target(row["target"], row["name"], row.get("context", ""))
    assert target.kind == expect["kind"]
    if expect["kind"] == "compare":
        assert (target.op, target.value, target.unit, target.direction) == (
            expect["op"], Decimal(expect["value"]), expect["unit"], expect["direction"])
    if expect["kind"] == "yes_no":
        assert target.expect_yes is expect["expect_yes"]
    if expect["kind"] == "deadline":
        assert target.deadline is not None and target.deadline.month == expect["month"]


@pytest.mark.parametrize("row", [r for r in ROWS if r.get("expect_status")], ids=_id)
def test_printed_rows_score_as_their_rule_says(row):
    leaf = {"name": row["name"], "weight": row["weight"], "target": row["target"],
            "actual": row["actual"], "score": row["printed_score"], "rule": row.get("rule"),
            "_context": row.get("context", "")}
    result = score_indicator(leaf)
    assert result.status == row["expect_status"], result.explanation
    assert result.computed == Decimal(row["expect_score"]), result.explanation


@pytest.mark.parametrize("row", [r for r in ROWS if r.get("actual")], ids=_id)
def test_actual_values_are_read(row):
    assert parse_actual(row["actual"], row["name"]).kind in ("number", "yes", "no", "date",
                                                             "text")


def _printed_sources() -> list[str]:
    """Sources whose every row has a printed score: whole tables as the reports print them."""
    sources: dict[str, list[dict]] = {}
    for row in ROWS:
        sources.setdefault(row["source"], []).append(row)
    return sorted(s for s, rows in sources.items()
                  if all(r.get("expect_status") for r in rows) and len(rows) >= 3)


@pytest.mark.parametrize("source", _printed_sources())
def test_a_printed_table_computes_its_printed_total_or_flags_each_difference(source):
    from workflow_app.evaluations.scoring import PROJECT_2020, score_tree

    rows = [r for r in ROWS if r["source"] == source]
    leaves = [{"name": r["name"], "weight": r["weight"], "target": r["target"],
               "actual": r["actual"], "score": r["printed_score"], "rule": r.get("rule")}
              for r in rows]
    total = sum(Decimal(r["weight"]) for r in rows)
    tree = [{"name": "指标", "weight": str(total), "children": [
        {"name": "三级指标", "weight": str(total), "children": leaves}]}]
    result = score_tree(tree, str(total), PROJECT_2020)
    assert result.open == []  # every printed row is read: nothing silently open or 0
    differing = {f"1.1.{i}" for i, r in enumerate(rows, 1)
                 if Decimal(r["expect_score"]) != Decimal(r["printed_score"])}
    assert set(result.flagged) == differing
    expected_total = sum(Decimal(r["expect_score"]) for r in rows)
    assert result.computed_total == expected_total.quantize(Decimal("0.01"))
