"""The derived scores stored on an evaluation (self total, computed total, open leaves, grade).

Lists, inboxes, the finance overview and the portal show these columns instead of re-scoring a
document per row. They are written only here, by the operations:

- submit / approve / accept (``workflow.steps.record_step``): from the frozen revision's
  snapshot, the very document the team signed, so the stored grade is the signed one;
- a draft's save (``evaluations.operations.common._done``) and creation: from the working copy.

A document the engine cannot score leaves the columns NULL ("未计算"), never 0.
``check_stored`` recomputes them for the integrity check and the CLI.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from workflow_app.evaluations.models import Evaluation
from workflow_app.evaluations.scoring import ScoringError, TreeResult, score_document
from workflow_app.extensions import db

COLUMNS = ("self_total", "computed_total", "open_leaves", "grade")
# Editor parts whose save cannot change a score (text, team, evidence files).
UNSCORED_PARTS = frozenset({"sections", "team", "sub_projects", "evidence_add",
                            "evidence_remove"})


@dataclass(frozen=True)
class Derived:
    """The four stored values (all None when the document cannot be scored)."""

    self_total: Decimal | None
    computed_total: Decimal | None
    open_leaves: int | None
    grade: str | None

    @classmethod
    def of(cls, result: TreeResult | None) -> Derived:
        """The values of an engine result (None → nothing computed)."""
        if result is None:
            return cls(None, None, None, None)
        return cls(result.entered_total, result.computed_total, len(result.uncomputed),
                   result.entered_grade or None)


def _score(doc: dict[str, Any]) -> TreeResult | None:
    try:
        return score_document(doc)
    except (ScoringError, ValueError, TypeError, KeyError):
        return None


def _apply(evaluation: Evaluation, values: Derived) -> None:
    for column in COLUMNS:
        if getattr(evaluation, column) != getattr(values, column):
            setattr(evaluation, column, getattr(values, column))


def of_snapshot(snapshot: str) -> Derived:
    """What a revision's canonical JSON snapshot scores to."""
    try:
        doc = json.loads(snapshot)
    except ValueError:
        return Derived.of(None)
    return Derived.of(_score(doc))


def of_working_copy(evaluation: Evaluation) -> Derived:
    """What the evaluation's current content (its rows) scores to."""
    from workflow_app.evaluations.document import to_document

    return Derived.of(_score(to_document(evaluation)))


def store_from_revision(evaluation: Evaluation, revision: Any) -> None:
    """Store the scores of the revision under review (submit, approve, accept)."""
    if revision is None:
        return
    _apply(evaluation, of_snapshot(revision.snapshot))


def store_from_working_copy(evaluation: Evaluation) -> None:
    """Store the scores of a draft's working copy (after a save or at creation)."""
    _apply(evaluation, of_working_copy(evaluation))


def expected(evaluation: Evaluation) -> Derived:
    """What the stored values should be: the current revision's snapshot outside draft, the
    working copy in draft."""
    from workflow_app.workflow.models import Revision
    from workflow_app.workflow.states import EvaluationState

    if evaluation.state != EvaluationState.DRAFT:
        snapshot = db.session.scalar(select(Revision.snapshot).where(
            Revision.evaluation_id == evaluation.id,
            Revision.number == evaluation.revision_number))
        if snapshot is not None:
            return of_snapshot(snapshot)
    return of_working_copy(evaluation)


def stored(evaluation: Evaluation) -> Derived:
    """The values stored on the row."""
    return Derived(*(getattr(evaluation, c) for c in COLUMNS))


def check_stored(batch: int = 200) -> Iterator[tuple[int, Derived, Derived]]:
    """(evaluation id, stored, expected) of every evaluation whose stored scores are wrong,
    read in batches of ``batch`` rows so memory stays flat."""
    last = 0
    while True:
        rows = list(db.session.scalars(select(Evaluation).where(Evaluation.id > last)
                                       .order_by(Evaluation.id).limit(batch)))
        if not rows:
            return
        for evaluation in rows:
            want, have = expected(evaluation), stored(evaluation)
            if want != have:
                yield evaluation.id, have, want
        last = rows[-1].id
        db.session.expire_all()


def refresh_all(batch: int = 200) -> int:
    """Recompute and store every evaluation's scores (after an engine change); returns how
    many rows changed. Flushes; the caller commits."""
    changed = 0
    for evaluation_id, _have, want in list(check_stored(batch)):
        evaluation = db.session.get(Evaluation, evaluation_id)
        _apply(evaluation, want)
        changed += 1
    db.session.flush()
    return changed
