"""The administrator's changes: units, users, grade schemes, indicator templates.

Like every operation they validate, change rows, flush and audit; never commit. Problems are
raised as ValidationFailed with one Chinese message per form field.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from workflow_app.admin.template_tree import row_of_code, rows_to_tree
from workflow_app.audit import trail
from workflow_app.auth.models import User
from workflow_app.auth.passwords import policy_problems, set_password
from workflow_app.auth.roles import set_business_roles
from workflow_app.auth.sessions import end_all_sessions
from workflow_app.evaluations.models import (
    Evaluation,
    EvaluationKind,
    GradeBand,
    GradeScheme,
    IndicatorTemplate,
)
from workflow_app.evaluations.operations import ValidationFailed, blank_tree
from workflow_app.evaluations.scoring import Problem, ScoringError, validate_tree
from workflow_app.extensions import db
from workflow_app.units.models import Unit, UnitKind


def _row(model: type, raw: Any) -> Any:
    """The row a form's select field names, or None when empty, not a number, or missing.

    The selects skip WTForms' choice check (their choices are loaded per request), so a
    hand-made POST can carry anything here: it must become a field error, never a 500.
    """
    try:
        return db.session.get(model, int(raw)) if raw not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _bureau(raw: Any, errors: dict[str, str], message: str) -> Unit | None:
    """The finance bureau chosen in a form's `bureau_id`, recording `message` if it is not one."""
    if raw in (None, ""):
        return None
    bureau = _row(Unit, raw)
    if bureau is None or not bureau.is_bureau:
        errors["bureau_id"] = message
        return None
    return bureau


def _audit(actor: User, what: str, action: str, obj_id: int, **detail: Any) -> None:
    trail.record("admin", actor, role="admin",
                 detail={"object": what, "action": action, "id": obj_id, **detail})


# --------------------------------------------------------------------------- units


def save_unit(actor: User, unit: Unit | None, data: dict[str, Any]) -> Unit:
    """Create (unit None) or update a unit. A budget unit is overseen by a finance bureau."""
    errors: dict[str, str] = {}
    name = (data.get("name") or "").strip()
    kind = UnitKind(data.get("kind"))
    clash = db.session.scalar(select(Unit).where(Unit.name == name))
    if clash is not None and clash is not unit:
        errors["name"] = "已有同名单位"
    bureau = _bureau(data.get("bureau_id"), errors, "请选择一个财政局")
    if kind == UnitKind.FINANCE_BUREAU and bureau is not None:
        errors["bureau_id"] = "财政局本身不受其他财政局监管，请留空"
    if kind == UnitKind.BUDGET_UNIT and bureau is None:
        errors["bureau_id"] = "预算单位须选择监管它的财政局"
    if unit is not None and kind != unit.kind:
        if unit.kind == UnitKind.FINANCE_BUREAU and unit.overseen:
            errors["kind"] = "该财政局仍监管预算单位，不能改为预算单位"
        has_evaluations = db.session.scalar(
            select(func.count()).select_from(Evaluation).where(Evaluation.unit_id == unit.id))
        if has_evaluations:
            errors["kind"] = "该单位已有绩效自评，不能改为财政局"
    if errors:
        raise ValidationFailed(errors)
    created = unit is None
    if created:
        unit = Unit(name=name, kind=kind)
        db.session.add(unit)
    unit.name, unit.kind = name, kind
    unit.short_name = (data.get("short_name") or "").strip()
    unit.supervising_department = (data.get("supervising_department") or "").strip()
    unit.bureau = bureau
    db.session.flush()
    _audit(actor, "unit", "create" if created else "update", unit.id, name=name)
    return unit


# --------------------------------------------------------------------------- users


def save_user(actor: User, user: User | None, data: dict[str, Any]) -> User:
    """Create (user None) or update a user account; the password only when given."""
    errors: dict[str, str] = {}
    username = (data.get("username") or "").strip()
    clash = db.session.scalar(select(User).where(User.username == username))
    if clash is not None and clash is not user:
        errors["username"] = "该用户名已被使用"
    unit = _row(Unit, data.get("unit_id"))
    if unit is None:
        errors["unit_id"] = "请选择所属单位"
    else:
        if data.get("is_finance_officer") and not unit.is_bureau:
            errors["is_finance_officer"] = "财政局审核员须属于财政局"
        if data.get("is_preparer") and unit.is_bureau:
            errors["is_preparer"] = "填报人须属于预算单位"
    password = data.get("password") or ""
    if user is None:
        problems = policy_problems(password, username) if password else [
            "新用户须设置初始密码（至少 8 位）"]
        if problems:
            errors["password"] = "；".join(problems)
    elif password:
        errors["password"] = "已有账号的密码由用户本人修改，或由安全管理员重置"
    if user is not None and user.id == actor.id and not data.get("active"):
        errors["active"] = "不能停用自己的账号"
    if errors:
        raise ValidationFailed(errors)
    created = user is None
    if created:
        user = User(username=username)
        db.session.add(user)
    user.username = username
    user.name = (data.get("name") or "").strip()
    user.unit = unit
    for key in ("position", "title", "phone", "email"):
        setattr(user, key, (data.get(key) or "").strip())
    deactivated = user.active and not data.get("active") and not created
    user.active = bool(data.get("active"))
    if created:
        set_password(user, password, must_change=True)
    db.session.flush()
    set_business_roles(actor, user, {"preparer": bool(data.get("is_preparer")),
                                     "finance_officer": bool(data.get("is_finance_officer"))})
    if deactivated:  # a disabled account keeps no session or token
        end_all_sessions(user, reason="deactivated")
    _audit(actor, "user", "create" if created else "update", user.id, username=username,
           active=user.active)
    return user


# --------------------------------------------------------------------------- grade schemes


def scheme_in_use(scheme: GradeScheme) -> int:
    """How many evaluations and templates use the scheme."""
    evaluations = db.session.scalar(select(func.count()).select_from(Evaluation)
                                    .where(Evaluation.grade_scheme_id == scheme.id))
    templates = db.session.scalar(select(func.count()).select_from(IndicatorTemplate)
                                  .where(IndicatorTemplate.grade_scheme_id == scheme.id))
    return (evaluations or 0) + (templates or 0)


def save_scheme(actor: User, scheme: GradeScheme | None, data: dict[str, Any]) -> GradeScheme:
    """Create or update a grade scheme. A scheme in use is not changed: that would silently
    re-grade evaluations; create a new scheme instead."""
    errors: dict[str, str] = {}
    if scheme is not None and scheme_in_use(scheme):
        raise ValidationFailed({"name": "该方案已被评价或模板使用，不能修改"
                                        "（以免改变已有评价的等级）；请新建一个方案"})
    name = (data.get("name") or "").strip()
    clash = db.session.scalar(select(GradeScheme).where(GradeScheme.name == name))
    if clash is not None and clash is not scheme:
        errors["name"] = "已有同名的评价等级方案"
    # A scheme belongs to one finance bureau; national ones come only with the product.
    bureau = _bureau(data.get("bureau_id"), errors, "请选择该方案适用的财政局")
    if bureau is None and "bureau_id" not in errors:
        errors["bureau_id"] = "请选择该方案适用的财政局（全国通用的方案随系统提供，不能新建）"
    bands: list[tuple[str, Decimal]] = []
    for i, band in enumerate(data.get("bands") or []):
        band_name = (band.get("name") or "").strip()
        minimum = band.get("min_score")
        if not band_name and minimum in (None, ""):
            continue
        key = f"bands-{i}"
        if not band_name:
            errors[f"{key}-name"] = "请填写等级名称"
            continue
        if minimum in (None, ""):
            errors[f"{key}-min_score"] = "请填写该等级的最低分"
            continue
        minimum = Decimal(str(minimum))
        if not Decimal(0) <= minimum <= Decimal(1000) or minimum.as_tuple().exponent < -2:
            errors[f"{key}-min_score"] = "最低分应为 0–1000 之间、最多两位小数的数"
            continue
        if any(b[0] == band_name for b in bands):
            errors[f"{key}-name"] = f"等级名称“{band_name}”重复"
        if any(b[1] == minimum for b in bands):
            errors[f"{key}-min_score"] = f"最低分 {minimum.normalize():f} 重复"
        bands.append((band_name, minimum))
    if not errors:
        if len(bands) < 2:
            errors["bands"] = "至少需要两个等级"
        elif min(b[1] for b in bands) != 0:
            errors["bands"] = "最低的等级最低分须为 0，使任何总分都有等级"
    if errors:
        raise ValidationFailed(errors)
    created = scheme is None
    if created:
        scheme = GradeScheme(name=name)
        db.session.add(scheme)
    scheme.name, scheme.bureau = name, bureau
    scheme.bands = []
    db.session.flush()
    scheme.bands = [GradeBand(name=n, min_score=m) for n, m in bands]
    db.session.flush()
    _audit(actor, "grade_scheme", "create" if created else "update", scheme.id, name=name,
           bands=[[n, str(m)] for n, m in bands])
    return scheme


# --------------------------------------------------------------------------- templates


def parse_tree(text: str, total_weight: Any) -> tuple[list[dict[str, Any]], list[str]]:
    """The tree from the JSON text and its structural problems (Chinese), checked with the
    scoring engine: three levels, names, weights adding up to the total, a valid rule on every
    leaf."""
    try:
        tree = json.loads(text, parse_float=str)
    except ValueError as exc:
        return [], [f"不是有效的 JSON：第 {getattr(exc, 'lineno', '?')} 行附近有误"]
    if isinstance(tree, dict) and "indicators" in tree:
        tree = tree["indicators"]  # a whole framework or content document pasted in
    if not isinstance(tree, list) or not all(isinstance(n, dict) for n in tree):
        return [], ["指标体系应为指标对象的列表（JSON 数组）"]
    problems: list[str] = []

    def names(nodes: list[dict[str, Any]], prefix: str) -> None:
        for i, node in enumerate(nodes, 1):
            code = f"{prefix}{i}"
            if not str(node.get("name") or "").strip():
                problems.append(f"指标 {code} 缺少名称")
            children = node.get("children")
            if children is not None and not isinstance(children, list):
                problems.append(f"指标 {code} 的 children 应为列表")
            elif children:
                names(children, f"{code}.")

    names(tree, "")
    if problems:
        return tree, problems
    return tree, [p.message for p in structural_problems(tree, total_weight)]


_STRUCTURAL = ("weight_sum", "node_weight", "weight", "depth", "rule", "empty")


def structural_problems(tree: list[dict[str, Any]], total_weight: Any) -> list[Problem]:
    """What the scoring engine finds wrong with a template's tree as a framework (three
    levels, weights adding up to the parent and to the total, valid rules), each with the
    positional code of its indicator ("" for the whole tree)."""
    try:
        found = validate_tree(blank_tree(tree), str(total_weight))
    except ScoringError as exc:
        return [Problem("", "weight_sum", str(exc))]
    return [p for p in found if p.kind in _STRUCTURAL]


def _tree_from_rows(rows: list[dict[str, Any]], total: Decimal,
                    errors: dict[str, str]) -> list[dict[str, Any]]:
    """The tree of the editor's rows; problems go to ``errors`` at the row they concern."""
    if not rows:
        errors["tree"] = "请至少添加一个指标"
        return []
    tree, row_errors = rows_to_tree(rows)
    errors.update(row_errors)
    if row_errors:
        return tree
    for problem in structural_problems(tree, total):
        index = row_of_code(rows, problem.code) if problem.code else None
        key = f"nodes-{index}-weight" if index is not None else "tree"
        errors[key] = f"{errors[key]}；{problem.message}" if key in errors else problem.message
    return tree


def save_template(actor: User, template: IndicatorTemplate | None,
                  data: dict[str, Any]) -> IndicatorTemplate:
    """Create or update an indicator template. Existing evaluations keep their own copy of the
    tree, so editing a template changes only evaluations created afterwards."""
    errors: dict[str, str] = {}
    key = (data.get("key") or "").strip()
    clash = db.session.scalar(select(IndicatorTemplate).where(IndicatorTemplate.key == key))
    if clash is not None and clash is not template:
        errors["key"] = "已有相同标识的模板"
    scheme = _row(GradeScheme, data.get("grade_scheme_id"))
    if scheme is None:
        errors["grade_scheme_id"] = "请选择评价等级方案"
    total = Decimal(str(data.get("total_weight") or 0))
    if data.get("rows") is not None:  # the tree editor's rows
        tree = _tree_from_rows(data["rows"], total, errors)
    else:  # the tree as JSON (a framework pasted in, or a program)
        tree, problems = parse_tree(data.get("tree") or "", total)
        if problems:
            errors["tree"] = "；".join(problems[:8]) + (
                f"……（共 {len(problems)} 处）" if len(problems) > 8 else "")
    if errors:
        raise ValidationFailed(errors)
    created = template is None
    if created:
        template = IndicatorTemplate(key=key)
        db.session.add(template)
    template.key, template.name = key, (data.get("name") or "").strip()
    template.kind = EvaluationKind(data.get("kind"))
    template.total_weight = total
    template.grade_scheme = scheme
    template.position = int(data.get("position") or 0)
    template.active = bool(data.get("active"))
    template.tree = tree
    db.session.flush()
    _audit(actor, "indicator_template", "create" if created else "update", template.id,
           key=key, active=template.active)
    return template
