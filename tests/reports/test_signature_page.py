"""The PDF's signature page: a signer added by 加签 is listed with their signature, and every
signature time is printed in Beijing time with its zone."""

from __future__ import annotations

import io
import re
import subprocess
from datetime import UTC, datetime

from pypdf import PdfReader

from tests.workflow.helpers import S, build_world
from workflow_app.public.publication import report_document, report_record
from workflow_app.reports.render import render_report
from workflow_app.reports.values import fmt_datetime
from workflow_app.workflow import revisions as rv
from workflow_app.workflow.operations import add_signer, fire


def _text(pdf: bytes) -> str:
    """The PDF's text by poppler's pdftotext (pypdf drops the table's CJK glyphs)."""
    assert PdfReader(io.BytesIO(pdf)).pages  # a well-formed PDF
    return subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True,
                          check=True).stdout.decode("utf-8")


def test_signature_times_print_in_beijing_time_with_the_zone():
    assert fmt_datetime("2026-12-01T06:05:00+00:00") == "2026-12-01 14:05 (北京时间)"
    assert fmt_datetime("2026-12-01T06:05:00") == "2026-12-01 14:05 (北京时间)"  # naive = UTC
    assert fmt_datetime("2026-12-31T20:30:00+00:00") == "2027-01-01 04:30 (北京时间)"


def test_added_signer_is_on_the_signature_page_in_beijing_time(make, db_session):
    world = build_world(make)
    e = world.go(S.TEAM_REVIEW)
    add_signer(e, world.leader, world.colleague.id)
    for member in (world.member1, world.member2, world.colleague):
        fire(e, "sign", member)
    fire(e, "approve", world.leader)
    revision = rv.current_revision(e)
    record = report_record(e, revision, draft=False)
    fixed = datetime(2026, 12, 1, 6, 5, tzinfo=UTC).isoformat()
    for sig in record["signatures"]:
        sig["signed_at"] = fixed  # a known UTC time (the rows themselves are append-only)
    text = _text(render_report(report_document(e, revision), record=record))
    # The added signer is in no snapshot (加签 comes after submission): only the signature page
    # can name them.
    assert world.colleague.name in text and "加签成员" in text
    assert text.count("2026-12-01 14:05 (北京时间)") == 4  # three signatures and the approval
    assert not re.search(r"2026-12-01 06:05", text)
