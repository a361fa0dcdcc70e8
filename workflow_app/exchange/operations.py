"""Operations of the exchange area: replace a draft's content from a document.

Like every operation: change rows, flush, audit; never commit. Errors are `OperationError`
(Chinese, shown as is) or `DocumentError` (a list of problems); the face rolls back.
"""

from __future__ import annotations

from typing import Any

from workflow_app.audit import trail
from workflow_app.auth.models import User
from workflow_app.dbtypes import utcnow
from workflow_app.evaluations.document import apply_document
from workflow_app.evaluations.models import Evaluation, Evidence, Indicator
from workflow_app.evaluations.operations import (
    OperationError,
    unit_users_by_username,
)
from workflow_app.evaluations.schemes import resolve_grade_scheme
from workflow_app.exchange.json_io import validate_document
from workflow_app.extensions import db
from workflow_app.workflow.states import EvaluationState


class StaleVersion(OperationError):
    """The caller edited an older version of the evaluation than the stored one."""

    def __init__(self, current: int):
        super().__init__(f"该评价已被他人修改（当前版本 {current}），请重新读取后再提交")
        self.current = current


class NotDraft(OperationError):
    """Content changes only in draft."""


def check_version(evaluation: Evaluation, expected_version: int | None) -> None:
    """Raise StaleVersion unless `expected_version` is the evaluation's current version."""
    if expected_version is None or expected_version != evaluation.version:
        raise StaleVersion(evaluation.version)


def _leaf_codes(evaluation: Evaluation) -> dict[str, Indicator]:
    """Leaves of the stored tree keyed by position code ("2.1.4")."""
    roots = sorted((i for i in evaluation.indicators if i.parent_id is None and i.parent is None),
                   key=lambda i: (i.position, i.id or 0))
    found: dict[str, Indicator] = {}

    def walk(nodes: list[Indicator], prefix: str) -> None:
        for n, node in enumerate(nodes, 1):
            code = f"{prefix}.{n}" if prefix else str(n)
            children = list(node.children)
            if children:
                walk(children, code)
            else:
                found[code] = node

    walk(roots, "")
    return found


def _doc_evidence(doc: dict[str, Any]) -> dict[str, set[str]]:
    """{leaf code: {sha256, …}} named by the document."""
    wanted: dict[str, set[str]] = {}

    def walk(nodes: Any, prefix: str) -> None:
        for n, node in enumerate(nodes or [], 1):
            code = f"{prefix}.{n}" if prefix else str(n)
            if node.get("children"):
                walk(node["children"], code)
            else:
                wanted[code] = {e.get("sha256") for e in node.get("evidence") or []}

    walk(doc.get("indicators"), "")
    return wanted


def replace_content(evaluation: Evaluation, doc: Any, actor: User, expected_version: int | None,
                    *, source: str = "api") -> Evaluation:
    """Replace a draft's content with the document's (the draft keeps its id, unit, state).

    Refuses a non-draft (NotDraft) and a stale `expected_version` (StaleVersion); raises
    DocumentError listing every problem of an invalid document. Evidence files stay attached
    to the indicator at the same position when the document still lists them (by SHA-256);
    evidence the document no longer lists is removed; the JSON cannot add files.
    """
    if evaluation.state != EvaluationState.DRAFT:
        raise NotDraft(f"该评价当前状态为“{evaluation.state.label}”，只有草稿可以修改内容")
    check_version(evaluation, expected_version)
    validate_document(doc)
    # Never creates a scheme: the document names a stored one the bureau may use.
    scheme = resolve_grade_scheme(doc.get("grade_scheme"), evaluation.unit)

    old_leaves = _leaf_codes(evaluation)
    kept: dict[tuple[str, str], Evidence] = {}
    for code, shas in _doc_evidence(doc).items():
        leaf = old_leaves.get(code)
        for evidence in list(leaf.evidence) if leaf is not None else []:
            if evidence.sha256 in shas:
                kept[(code, evidence.sha256)] = evidence

    users = unit_users_by_username(evaluation.unit_id)
    _dry_run(evaluation, doc, users)
    # Rows under unique constraints (one per source / key / member, one leader) must be gone
    # before their replacements are inserted: the unit of work inserts before it deletes.
    evaluation.funding = []
    evaluation.sections = []
    evaluation.team = []
    db.session.flush()
    apply_document(evaluation, doc, users_by_username=users, grade_scheme=scheme)
    new_leaves = {}
    for code, leaf in _leaf_codes_unflushed(evaluation).items():
        new_leaves[code] = leaf
    for (code, _sha), evidence in kept.items():
        evidence.indicator.evidence.remove(evidence)
        new_leaves[code].evidence.append(evidence)
    # Children-only edits would not touch the evaluation row: bump it so `version` moves on.
    evaluation.updated_at = utcnow()
    db.session.flush()
    trail.record(
        "edit", actor, evaluation_id=evaluation.id, role="preparer",
        from_state=evaluation.state.value, to_state=evaluation.state.value,
        detail={"source": source, "version": evaluation.version},
    )
    return evaluation


def _dry_run(evaluation: Evaluation, doc: dict[str, Any], users: dict[str, User]) -> None:
    """Apply the document to a scratch evaluation: raises DocumentError, changes nothing."""
    scratch = Evaluation(unit_id=evaluation.unit_id, kind=evaluation.kind,
                         fiscal_year=evaluation.fiscal_year, project_name="-")
    try:
        apply_document(scratch, doc, users_by_username=users)
    finally:
        if scratch in db.session:
            db.session.expunge(scratch)


def _leaf_codes_unflushed(evaluation: Evaluation) -> dict[str, Indicator]:
    """Leaves of a freshly applied (not yet flushed) tree keyed by position code."""
    roots = [i for i in evaluation.indicators if i.parent is None]
    roots.sort(key=lambda i: i.position)
    found: dict[str, Indicator] = {}

    def walk(nodes: list[Indicator], prefix: str) -> None:
        for node in sorted(nodes, key=lambda i: i.position):
            code = f"{prefix}.{node.position}" if prefix else str(node.position)
            if node.children:
                walk(list(node.children), code)
            else:
                found[code] = node

    walk(roots, "")
    return found
