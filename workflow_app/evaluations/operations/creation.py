"""Creating a draft: from a content document (import, demo) or from an indicator template,
and installing the standard templates."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import select

from workflow_app.audit import trail
from workflow_app.auth.models import User
from workflow_app.evaluations.document import (
    SCHEMA_NAME,
    SCHEMA_VERSION,
    DocumentError,
    apply_document,
)
from workflow_app.evaluations.models import (
    Evaluation,
    EvaluationKind,
    GradeBand,
    GradeScheme,
    IndicatorTemplate,
)
from workflow_app.evaluations.operations.common import EditNotAllowed, ValidationFailed
from workflow_app.evaluations.operations.header import _parse_header, check_scheme_scope
from workflow_app.evaluations.operations.team import unit_users_by_username
from workflow_app.evaluations.schemes import resolve_grade_scheme
from workflow_app.evaluations.scoring import validate_tree
from workflow_app.extensions import db
from workflow_app.units.models import Unit


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
    # Imports never create a grade scheme: they name a stored one the bureau may use.
    scheme = resolve_grade_scheme(doc.get("grade_scheme"), db.session.get(Unit, unit_id))
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
    from workflow_app.evaluations import derived

    derived.store_from_working_copy(evaluation)
    trail.record(
        "create", preparer, evaluation_id=evaluation.id, role="preparer",
        to_state=evaluation.state.value,
        detail={"template": template_key} if template_key else {},
    )
    return evaluation



PROJECT_OUTLINE = [
    ("basic", "一、基本情况"),
    ("work", "二、绩效评价工作开展情况"),
    ("conclusion", "三、综合评价情况及评价结论"),
    ("analysis", "四、绩效评价指标分析"),
    ("experience", "五、主要经验及做法、存在的问题及原因分析"),
    ("suggestions", "六、有关建议"),
    ("other", "七、其他需要说明的问题"),
]
UNIT_WHOLE_OUTLINE = [
    ("basic", "一、部门基本情况"),
    ("self_evaluation", "二、自评工作开展情况"),
    ("goal_achievement", "三、部门整体支出绩效目标实现情况及指标分析"),
    ("conclusion", "四、评价结论和评价等级"),
    ("deviation", "五、绩效目标执行出现的偏差和采取的措施"),
]

_LEAF_DEFAULTS = {"description": "", "standard": "", "target": "", "actual": "", "score": None,
                  "score_reason": "", "deviation_reason": "", "not_applicable": False,
                  "evidence": []}


def blank_tree(nodes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The template's tree with the per-evaluation fields emptied."""
    out = []
    for node in nodes:
        copy_ = {"name": node.get("name", ""), "weight": node.get("weight")}
        if node.get("children"):
            copy_["children"] = blank_tree(node["children"])
        else:
            copy_.update(_LEAF_DEFAULTS)
            for key in ("description", "standard", "target"):
                copy_[key] = node.get(key) or ""
            copy_["rule"] = node.get("rule") or {"type": "manual", "params": {}}
        out.append(copy_)
    return out


def active_templates() -> list[IndicatorTemplate]:
    """Templates offered to preparers, in the administrator's order."""
    return list(db.session.scalars(
        select(IndicatorTemplate).where(IndicatorTemplate.active)
        .order_by(IndicatorTemplate.position, IndicatorTemplate.id)))


def create_from_template(template: IndicatorTemplate | None, unit: Any, preparer: User,
                         header: dict[str, Any]) -> Evaluation:
    """A new draft from a template: the template's tree, total and grade scheme, the header
    fields given (strings from the form), the report outline of the kind, and the preparer
    as 填报人. Field errors are keyed by header field name (and ``template``)."""
    from workflow_app.evaluations.access import can_create

    if not can_create(preparer) or preparer.unit_id != getattr(unit, "id", None):
        raise EditNotAllowed("只有预算单位的填报人可以在本单位新建绩效自评。")
    if template is None or not template.active:
        raise ValidationFailed({"template": "请选择一个指标模板"})
    data = {"kind": template.kind.value, "timing": "ex_post", "method": "self",
            "preparer_name": preparer.name, "preparer_phone": preparer.phone,
            "supervising_department": unit.supervising_department, **header}
    values = _parse_header(data)
    check_scheme_scope(values, unit)
    problems = validate_tree(blank_tree(template.tree), template.total_weight)
    structural = [p for p in problems if p.kind in ("weight_sum", "node_weight", "weight",
                                                    "depth", "rule", "empty")]
    if structural:
        message = f"模板“{template.name}”的指标体系有误：{structural[0].message}"
        raise ValidationFailed({"template": message})
    outline = UNIT_WHOLE_OUTLINE if values["kind"] == EvaluationKind.UNIT_WHOLE \
        else PROJECT_OUTLINE
    doc = {
        "schema": SCHEMA_NAME, "version": SCHEMA_VERSION, "kind": values["kind"].value,
        "fiscal_year": values["fiscal_year"],
        "unit": {"name": unit.name, "supervising_department": values["supervising_department"]},
        "project_name": values["project_name"],
        "total_weight": f"{template.total_weight.normalize():f}",
        "grade_scheme": template.grade_scheme.as_dict(),
        "indicators": blank_tree(template.tree),
        "sections": [{"key": k, "title": t, "body": ""} for k, t in outline],
        "team": [],
    }
    evaluation = create_from_document(doc, unit_id=unit.id, preparer=preparer,
                                      template_key=template.key)
    for key, value in values.items():
        setattr(evaluation, key, value)
    evaluation.grade_scheme = values.get("grade_scheme", template.grade_scheme)
    from workflow_app.evaluations import derived

    derived.store_from_working_copy(evaluation)  # the header may change the scheme
    db.session.flush()
    return evaluation


def install_standard_templates() -> list[IndicatorTemplate]:
    """Create the standard frameworks (10号 自评表, 10号 评价体系, 部门整体 seed 001) as
    IndicatorTemplate rows when absent; returns the rows created."""
    from workflow_app.evaluations.frameworks import FRAMEWORKS, load_framework

    have = set(db.session.scalars(select(IndicatorTemplate.key)))
    created = []
    for position, key in enumerate(FRAMEWORKS, 1):
        if key in have:
            continue
        framework = load_framework(key)
        template = IndicatorTemplate(
            key=key, name=framework["name"], kind=EvaluationKind(framework["kind"]),
            total_weight=Decimal(framework["total_weight"]),
            grade_scheme=ensure_grade_scheme(framework["grade_scheme"]),
            tree=framework["indicators"], position=position, active=True)
        db.session.add(template)
        created.append(template)
    db.session.flush()
    return created
