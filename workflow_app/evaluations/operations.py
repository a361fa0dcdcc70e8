"""Operations on an evaluation's content. They change rows, flush and audit; never commit."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import select

from workflow_app.audit import trail
from workflow_app.auth.models import User
from workflow_app.evaluations.document import DocumentError, apply_document
from workflow_app.evaluations.models import (
    Evaluation,
    EvaluationKind,
    GradeBand,
    GradeScheme,
)
from workflow_app.extensions import db


class OperationError(ValueError):
    """An operation was refused; the message is shown to the user as it is (Chinese)."""


def unit_users_by_username(unit_id: int) -> dict[str, User]:
    """Active users of a unit keyed by username (team members come from the unit)."""
    users = db.session.scalars(select(User).where(User.unit_id == unit_id, User.active))
    return {u.username: u for u in users}


def ensure_grade_scheme(scheme: dict[str, Any]) -> GradeScheme:
    """The stored scheme with this name, created from the document's bands if absent.

    A stored scheme whose bands differ from the document's is a different scheme: the import
    is refused rather than silently re-grading.
    """
    name = str(scheme.get("name") or "").strip()
    bands = scheme.get("bands") or []
    if not name or not isinstance(bands, list) or not bands:
        raise DocumentError(["评价等级方案缺少名称或等级"])
    wanted = []
    for band in bands:
        try:
            wanted.append((str(band["name"]), Decimal(str(band["min"]))))
        except (KeyError, TypeError, ArithmeticError, ValueError):
            raise DocumentError([f"评价等级方案“{name}”的等级格式不正确"]) from None
    existing = db.session.scalar(select(GradeScheme).where(GradeScheme.name == name))
    if existing is not None:
        have = sorted((b.name, b.min_score) for b in existing.bands)
        if have != sorted(wanted):
            raise DocumentError([f"系统中已有同名但分档不同的评价等级方案“{name}”"])
        return existing
    if len({w[0] for w in wanted}) != len(wanted) or len({w[1] for w in wanted}) != len(wanted):
        raise DocumentError([f"评价等级方案“{name}”中等级名称或分数线重复"])
    created = GradeScheme(name=name, bands=[GradeBand(name=n, min_score=m) for n, m in wanted])
    db.session.add(created)
    return created


def create_from_document(doc: dict[str, Any], *, unit_id: int, preparer: User,
                         template_key: str = "") -> Evaluation:
    """A new draft in the preparer's unit whose content is the document's."""
    if not isinstance(doc, dict):
        raise DocumentError(["文件内容不是一个评价对象（JSON 对象）"])
    scheme = ensure_grade_scheme(doc.get("grade_scheme") or {})
    evaluation = Evaluation(
        unit_id=unit_id,
        preparer=preparer,
        kind=EvaluationKind.PROJECT,
        fiscal_year=2000,
        project_name="-",
        template_key=template_key,
    )
    evaluation.grade_scheme = scheme
    apply_document(evaluation, doc, users_by_username=unit_users_by_username(unit_id))
    db.session.add(evaluation)
    db.session.flush()
    trail.record(
        "create", preparer, evaluation_id=evaluation.id, role="preparer",
        to_state=evaluation.state.value,
        detail={"template": template_key} if template_key else {},
    )
    return evaluation
