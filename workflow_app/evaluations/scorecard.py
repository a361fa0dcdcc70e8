"""The scores of an evaluation as the scoring engine sees them (derived, never stored)."""

from __future__ import annotations

from workflow_app.evaluations.document import to_document
from workflow_app.evaluations.models import Evaluation
from workflow_app.evaluations.scoring import TreeResult, score_document


def score_evaluation(evaluation: Evaluation) -> TreeResult:
    """Entered and computed scores, totals, grades, flags and problems of the working copy."""
    return score_document(to_document(evaluation))
