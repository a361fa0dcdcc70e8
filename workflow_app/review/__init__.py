"""The consistency review (审查): pure functions over the content document
(docs/evaluation-schema.md) that find where a report contradicts itself — the text against
the tables, the tables against each other, dates against dates.

No Flask, no database session: ``review_document(doc)`` takes the plain document and returns
:class:`Finding` objects ``{code, severity, message, where: {part, path}}``. Only ``error``
findings block submission (``workflow.machine``'s ``rule_review_has_no_errors``).
"""

from workflow_app.review.engine import CHECKS, has_errors, review_document
from workflow_app.review.findings import Finding, Severity

__all__ = ["CHECKS", "Finding", "Severity", "has_errors", "review_document"]
