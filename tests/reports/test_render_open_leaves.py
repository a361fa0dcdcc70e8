"""The PDF says how many leaves the computed total leaves to a person, never a silent total."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

from pypdf import PdfReader

from tests.reports.fixtures import sample_record, seed001_doc
from workflow_app.public.publication import _totals
from workflow_app.reports.render import render_report

SEED001 = (Path(__file__).resolve().parents[2] / "workflow_app" / "evaluations"
           / "seed_examples" / "seed001.json")


def _text(pdf: bytes) -> str:
    pages = PdfReader(io.BytesIO(pdf)).pages
    return re.sub(r"\s+", "", "".join(page.extract_text() or "" for page in pages))


def test_pdf_prints_the_open_count_beside_the_computed_total():
    doc = seed001_doc()
    record = sample_record(doc, computed_total_score="84", computed_open_count=3)
    text = _text(render_report(doc, record=record))
    assert "84（另有3项需人工判断）" in text
    assert "另有3项需人工判断、未计入" in text


def test_pdf_without_open_leaves_prints_no_open_note():
    doc = seed001_doc()
    text = _text(render_report(doc, record=sample_record(doc)))
    assert "需人工判断" not in text


def test_the_published_record_carries_the_open_count():
    doc = json.loads(SEED001.read_text(encoding="utf-8"))
    assert _totals(doc)["computed_open_count"] == 0
    leaf = doc["indicators"][0]["children"][0]["children"][0]
    leaf["actual"], leaf["rule"] = "无法判断", {"type": "manual"}
    assert _totals(doc)["computed_open_count"] == 1
