"""Many rows fast, for the query-count tests: Core ``INSERT``s of whole batches.

TEST SETUP ONLY, like tests/public/helpers.py: rows that the workflow would write (revisions,
published reports, the state) are inserted directly so that 1,000 evaluations take a fraction
of a second. The one evaluation a test measures is built through the real operations.
"""

from __future__ import annotations

import hashlib
import uuid
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from sqlalchemy import insert

from tests.factories import walk_states
from workflow_app.auth.models import User
from workflow_app.dbtypes import utcnow
from workflow_app.evaluations.document import canonical_json, content_hash
from workflow_app.evaluations.models import Evaluation, EvaluationKind, GradeScheme
from workflow_app.extensions import db
from workflow_app.integrity import hashing, keys, macs
from workflow_app.public.models import PublishedReport
from workflow_app.units.models import Unit
from workflow_app.workflow.models import Revision
from workflow_app.workflow.states import EvaluationState


def bulk_evaluations(unit: Unit, preparer: User, scheme: GradeScheme, count: int, *,
                     state: EvaluationState = EvaluationState.DRAFT,
                     doc: dict[str, Any] | None = None) -> list[int]:
    """``count`` header-only evaluations of ``unit`` in ``state``; submitted ones get a
    revision (snapshot: ``doc``, e.g. ``to_document(evaluation)``), published ones a report."""
    now = utcnow()
    rows = [{
        "kind": EvaluationKind.PROJECT, "fiscal_year": 2020 + i % 5, "unit_id": unit.id,
        "project_name": f"批量项目{i:05d}", "preparer_id": preparer.id,
        "preparer_name": preparer.name, "grade_scheme_id": scheme.id,
        "total_weight": Decimal(100), "state": EvaluationState.DRAFT, "revision_number": 1,
        "version": 1, "created_at": now, "updated_at": now,
    } for i in range(count)]
    ids = [r[0] for r in db.session.execute(
        insert(Evaluation).returning(Evaluation.id, sort_by_parameter_order=True), rows)]
    # Inserted as drafts, then moved along the workflow (the database refuses a new
    # evaluation past draft and a jump between states).
    walk_states(dict.fromkeys(ids, state))
    if state != EvaluationState.DRAFT:
        _bulk_revisions(ids, rows, preparer, doc or {"indicators": []},
                        published=state == EvaluationState.PUBLISHED)
    db.session.flush()
    return ids


def _bulk_revisions(ids: list[int], rows: list[dict[str, Any]], preparer: User,
                    doc: dict[str, Any], *, published: bool) -> None:
    snapshot, digest = canonical_json(doc), content_hash(doc)
    now = utcnow()
    revision_rows = [{"evaluation_id": e, "number": 1, "snapshot": snapshot,
                      "content_hash": digest, "hash_algorithm": hashing.current(),
                      "submitted_at": now, "submitted_by_id": preparer.id, "approved_at": now,
                      "approved_by_id": None, "return_reason": ""} for e in ids]
    for row in revision_rows:  # core inserts skip the model's signing events
        row["mac_key_id"], row["mac"] = keys.mac(macs.of_revision(SimpleNamespace(**row)))
        row["approval_mac_key_id"], row["approval_mac"] = keys.mac(
            macs.of_approval(SimpleNamespace(**row)))
    revision_ids = [r[0] for r in db.session.execute(
        insert(Revision).returning(Revision.id, sort_by_parameter_order=True), revision_rows)]
    if not published:
        return
    reports = []
    salt = uuid.uuid4().hex  # distinct bytes per call: the portal keys its memo on the newest hash
    for evaluation_id, revision_id, row in zip(ids, revision_ids, rows, strict=True):
        pdf = b"%PDF-1.4\n% bulk " + f"{evaluation_id} {salt}".encode() + b"\n%%EOF\n"
        reports.append({
            "evaluation_id": evaluation_id, "revision_id": revision_id,
            "verification_code": f"B{evaluation_id:07d}", "pdf": pdf,
            "sha256": hashlib.sha256(pdf).hexdigest(), "published_at": now,
            "fiscal_year": row["fiscal_year"], "kind": row["kind"], "unit_id": row["unit_id"],
            **_summary_columns(evaluation_id),
        })
    db.session.execute(insert(PublishedReport), reports)


def _summary_columns(i: int) -> dict[str, Any]:
    """The stored score columns of a published report (spread over the four grades)."""
    score = Decimal(55 + i % 45)
    grade = "优秀" if score >= 85 else "良好" if score >= 75 else "一般" if score >= 60 else "较差"
    return {"total_score": score, "computed_total_score": score, "grade": grade}
