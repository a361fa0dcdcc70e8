"""Imports every model so that metadata (and Alembic) sees the whole schema."""

from workflow_app.audit.models import AuditEvent
from workflow_app.auth.models import ApiToken, User
from workflow_app.evaluations.models import (
    Evaluation,
    Evidence,
    ExpenseLine,
    FundingSource,
    GradeBand,
    GradeScheme,
    Indicator,
    IndicatorTemplate,
    Section,
    SubProject,
    TeamMember,
)
from workflow_app.jobs.models import ExportJob
from workflow_app.notifications.models import DueDate, IndicatorComment, Notification
from workflow_app.overview.models import SpotCheck, SpotCheckItem
from workflow_app.public.models import PublishedReport
from workflow_app.units.models import Unit
from workflow_app.workflow.models import (
    IndicatorReview,
    Revision,
    Signature,
    SignatureDelegation,
)

__all__ = [
    "ApiToken", "AuditEvent", "DueDate", "Evaluation", "Evidence", "ExpenseLine", "ExportJob",
    "FundingSource", "GradeBand", "GradeScheme", "Indicator", "IndicatorComment",
    "IndicatorReview", "IndicatorTemplate", "Notification", "PublishedReport", "Revision",
    "Section", "Signature", "SignatureDelegation", "SubProject", "TeamMember", "Unit", "User",
    "SpotCheck", "SpotCheckItem",
]
