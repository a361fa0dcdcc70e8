"""Operations on an evaluation's content. They change rows, flush and audit; never commit.

Edits take the ``expected_version`` the form was based on and refuse a stale one
(StaleVersion), refuse anything but a draft (EditNotAllowed), and validate every field before
changing anything (ValidationFailed, with one Chinese message per form field).

One module per editor tab, plus what they share and creation:

- ``common``: the errors and the edit pattern (``_begin`` / ``_touch`` / ``_done``, ``_Check``);
- ``header`` (基本信息), ``funding`` (资金与支出), ``sub_projects`` (分项绩效项目清单),
  ``sections`` (报告正文), ``team`` (评价工作组), ``indicators`` (指标体系 and the scoring
  table), ``evidence`` (佐证材料);
- ``creation``: a new draft from a content document or from an indicator template.

Callers import from this package (``from workflow_app.evaluations.operations import X``);
the names below are its public surface.
"""

from workflow_app.evaluations.operations.common import (
    STALE_MESSAGE,
    EditNotAllowed,
    OperationError,
    StaleVersion,
    ValidationFailed,
)
from workflow_app.evaluations.operations.creation import (
    PROJECT_OUTLINE,
    UNIT_WHOLE_OUTLINE,
    active_templates,
    blank_tree,
    create_from_document,
    create_from_template,
    ensure_grade_scheme,
    install_standard_templates,
)
from workflow_app.evaluations.operations.evidence import (
    EVIDENCE_ACCEPT,
    EVIDENCE_TYPES,
    add_evidence,
    find_evidence,
    remove_evidence,
)
from workflow_app.evaluations.operations.funding import (
    FUNDING_AMOUNTS,
    funding_rates,
    set_expenses,
    set_funding,
    set_funding_and_expenses,
)
from workflow_app.evaluations.operations.header import (
    HEADER_LONG_TEXT,
    HEADER_TEXT,
    PHONE_RE,
    POSTCODE_RE,
    update_header,
)
from workflow_app.evaluations.operations.indicators import (
    LEAF_VALUE_FIELDS,
    add_indicator,
    move_indicator,
    remove_indicator,
    rename_indicator,
    reorder_indicator,
    set_indicator_values,
    update_indicator,
)
from workflow_app.evaluations.operations.sections import SECTION_KEY_RE, set_sections
from workflow_app.evaluations.operations.sub_projects import set_sub_projects
from workflow_app.evaluations.operations.team import (
    set_team,
    team_candidates,
    unit_users_by_username,
)

__all__ = [
    "EVIDENCE_ACCEPT",
    "EVIDENCE_TYPES",
    "FUNDING_AMOUNTS",
    "HEADER_LONG_TEXT",
    "HEADER_TEXT",
    "LEAF_VALUE_FIELDS",
    "PHONE_RE",
    "POSTCODE_RE",
    "PROJECT_OUTLINE",
    "SECTION_KEY_RE",
    "STALE_MESSAGE",
    "UNIT_WHOLE_OUTLINE",
    "EditNotAllowed",
    "OperationError",
    "StaleVersion",
    "ValidationFailed",
    "active_templates",
    "add_evidence",
    "add_indicator",
    "blank_tree",
    "create_from_document",
    "create_from_template",
    "ensure_grade_scheme",
    "find_evidence",
    "funding_rates",
    "install_standard_templates",
    "move_indicator",
    "remove_evidence",
    "remove_indicator",
    "rename_indicator",
    "reorder_indicator",
    "set_expenses",
    "set_funding",
    "set_funding_and_expenses",
    "set_indicator_values",
    "set_sections",
    "set_sub_projects",
    "set_team",
    "team_candidates",
    "unit_users_by_username",
    "update_header",
    "update_indicator",
]
