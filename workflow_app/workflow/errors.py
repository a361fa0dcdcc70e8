"""Errors of the workflow. Every message is Chinese and shown to the user as it is.

The faces map them: PermissionDenied → 403, TransitionNotAllowed → 409, WorkflowError → 422.
All are OperationError, so a face that only knows the content operations still shows them.
"""

from __future__ import annotations

from workflow_app.evaluations.operations import OperationError


class WorkflowError(OperationError):
    """The step is refused because of the evaluation's content or the input (HTTP 422)."""

    status = 422


class PermissionDenied(WorkflowError):
    """The caller's role may not fire this trigger on this evaluation (HTTP 403)."""

    status = 403


class TransitionNotAllowed(WorkflowError):
    """The evaluation's state does not allow the trigger (HTTP 409)."""

    status = 409


class ConcurrentChange(TransitionNotAllowed):
    """Somebody else changed the evaluation at the same moment; nothing was saved (HTTP 409)."""


class LockedContent(OperationError):
    """A write to content that the workflow has frozen (the model-layer guard, guards.py)."""

    status = 409
