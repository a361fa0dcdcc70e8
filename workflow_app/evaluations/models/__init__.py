"""The evaluation and its content: funding, expenses, sub-projects, indicators, team, schemes."""

from workflow_app.evaluations.models.content import (
    ExpenseLine,
    FundingSource,
    FundingSourceKind,
    Section,
    SubProject,
    TeamMember,
)
from workflow_app.evaluations.models.evaluation import (
    Evaluation,
    EvaluationKind,
    EvaluationMethod,
    EvaluationTiming,
    ReportTitleWord,
)
from workflow_app.evaluations.models.indicators import Evidence, Indicator, RuleType
from workflow_app.evaluations.models.schemes import GradeBand, GradeScheme, IndicatorTemplate

__all__ = [
    "Evaluation",
    "EvaluationKind",
    "EvaluationMethod",
    "EvaluationTiming",
    "Evidence",
    "ExpenseLine",
    "FundingSource",
    "FundingSourceKind",
    "GradeBand",
    "GradeScheme",
    "Indicator",
    "IndicatorTemplate",
    "ReportTitleWord",
    "RuleType",
    "Section",
    "SubProject",
    "TeamMember",
]
