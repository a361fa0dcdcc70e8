"""Operations on an evaluation's content. They change rows, flush and audit; never commit.

Edits take the ``expected_version`` the form was based on and refuse a stale one
(StaleVersion), refuse anything but a draft (EditNotAllowed), and validate every field before
changing anything (ValidationFailed, with one Chinese message per form field).
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from workflow_app.audit import trail
from workflow_app.auth.models import User
from workflow_app.dbtypes import utcnow
from workflow_app.evaluations.document import (
    SCHEMA_NAME,
    SCHEMA_VERSION,
    DocumentError,
    apply_document,
)
from workflow_app.evaluations.models import (
    Evaluation,
    EvaluationKind,
    EvaluationMethod,
    EvaluationTiming,
    Evidence,
    ExpenseLine,
    FundingSource,
    FundingSourceKind,
    GradeBand,
    GradeScheme,
    Indicator,
    IndicatorTemplate,
    ReportTitleWord,
    RuleType,
    Section,
    SubProject,
    TeamMember,
)
from workflow_app.evaluations.scoring import ScoringError, validate_rule, validate_tree
from workflow_app.extensions import db
from workflow_app.units.models import Unit
from workflow_app.workflow.states import EvaluationState, TeamRole


class OperationError(ValueError):
    """An operation was refused; the message is shown to the user as it is (Chinese)."""


def team_candidates(unit: Unit) -> list[User]:
    """Who may sit on a team of this unit: its active users, then the active users of the other
    budget units under the same finance bureau (an expert of a 绩效评估中心, say)."""
    own = list(db.session.scalars(select(User).where(User.unit_id == unit.id, User.active)
                                  .order_by(User.id)))
    if unit.bureau_id is None:
        return own
    others = db.session.scalars(
        select(User).join(Unit, User.unit_id == Unit.id)
        .where(Unit.bureau_id == unit.bureau_id, Unit.id != unit.id, User.active)
        .order_by(Unit.name, User.id))
    return own + list(others)


def unit_users_by_username(unit_id: int) -> dict[str, User]:
    """The unit's team candidates (``team_candidates``) keyed by username."""
    unit = db.session.get(Unit, unit_id)
    return {u.username: u for u in team_candidates(unit)} if unit is not None else {}


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
    from workflow_app.evaluations import derived

    derived.store_from_working_copy(evaluation)
    trail.record(
        "create", preparer, evaluation_id=evaluation.id, role="preparer",
        to_state=evaluation.state.value,
        detail={"template": template_key} if template_key else {},
    )
    return evaluation


# =========================================================================== editing
#
# Every edit follows one pattern: `_begin` refuses a non-draft evaluation, a user who may not
# edit it and a stale form (the version it was based on is not the current one); the input is
# validated completely; `_touch` then bumps the evaluation's version, so a concurrent editor
# who passed the same check loses at flush instead of overwriting silently; the change is
# applied; `_done` flushes and writes the audit event. Nothing is half-saved.

STALE_MESSAGE = (
    "该评价已被他人修改（您打开的是第 {expected} 版，当前为第 {current} 版），"
    "您的修改未保存。请刷新页面后重新填写。"
)


class ValidationFailed(OperationError):
    """Input refused; `errors` maps each form field name to its Chinese message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("；".join(errors.values()))
        self.errors = errors


class StaleVersion(OperationError):
    """The form was based on an older version of the evaluation."""


class EditNotAllowed(OperationError):
    """The evaluation is not in draft, or the user may not edit it."""


def _begin(evaluation: Evaluation, actor: User, expected_version: Any) -> None:
    from workflow_app.evaluations.access import can_edit_content

    if evaluation.state != EvaluationState.DRAFT:
        raise EditNotAllowed(
            f"该评价当前处于“{evaluation.state.label}”状态，只有草稿可以修改内容。"
        )
    if not can_edit_content(actor, evaluation):
        raise EditNotAllowed("您无权修改该评价的内容（仅本单位的填报人可以修改草稿）。")
    try:
        expected = int(expected_version)
    except (TypeError, ValueError):
        expected = -1
    if expected != evaluation.version:
        raise StaleVersion(STALE_MESSAGE.format(expected=expected if expected > 0 else "?",
                                                current=evaluation.version))


def _touch(evaluation: Evaluation) -> None:
    """Called once the input is valid: writing the row takes its lock (PostgreSQL) and bumps
    `version`, so a concurrent save based on the same version fails here (StaleDataError)
    instead of overwriting; before this point a refused edit has changed nothing."""
    evaluation.updated_at = utcnow()
    try:
        db.session.flush()
    except StaleDataError:
        db.session.rollback()
        raise StaleVersion(STALE_MESSAGE.format(expected="?", current="更新的版本")) from None


def _done(evaluation: Evaluation, actor: User, part: str, **detail: Any) -> None:
    from workflow_app.evaluations import derived

    if part not in derived.UNSCORED_PARTS:
        derived.store_from_working_copy(evaluation)  # the lists show the draft's score
    try:
        db.session.flush()
    except StaleDataError:
        db.session.rollback()
        raise StaleVersion(STALE_MESSAGE.format(expected="?", current="更新的版本")) from None
    trail.record("edit", actor, evaluation_id=evaluation.id, role="preparer",
                 from_state=evaluation.state.value, to_state=evaluation.state.value,
                 detail={"part": part, "revision": evaluation.revision_number, **detail})


class _Check:
    """Parses form values (strings) and collects one Chinese message per bad field."""

    def __init__(self) -> None:
        self.errors: dict[str, str] = {}

    def fail(self, field: str, message: str) -> None:
        self.errors.setdefault(field, message)

    def raise_if_failed(self) -> None:
        if self.errors:
            raise ValidationFailed(self.errors)

    def text(self, data: dict, key: str, label: str, *, field: str | None = None,
             required: bool = False, max_len: int | None = None, multiline: bool = False) -> str:
        field = field or key
        value = data.get(key)
        if value is None:
            value = ""
        if not isinstance(value, str):
            self.fail(field, f"“{label}”应为文本")
            return ""
        value = value.replace("\r\n", "\n") if multiline else value.strip()
        if required and not value.strip():
            self.fail(field, f"请填写{label}")
        if max_len and len(value) > max_len:
            self.fail(field, f"“{label}”不能超过 {max_len} 个字（现有 {len(value)} 个字）")
        return value

    def decimal(self, data: dict, key: str, label: str, *, field: str | None = None,
                required: bool = False, places: int = 4,
                maximum: Decimal | None = None) -> Decimal | None:
        field = field or key
        value = data.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.fail(field, f"请填写{label}")
            return None
        if isinstance(value, bool | float):
            self.fail(field, f"“{label}”须为十进制数字")
            return None
        text = str(value).strip().replace(",", "").replace("，", "")
        try:
            number = Decimal(text)
        except InvalidOperation:
            self.fail(field, f"“{label}”不是有效的数字：{value}")
            return None
        if not number.is_finite():
            self.fail(field, f"“{label}”不是有效的数字：{value}")
            return None
        if number < 0:
            self.fail(field, f"“{label}”不能为负数")
        elif number.as_tuple().exponent < -places:
            self.fail(field, f"“{label}”最多保留 {places} 位小数")
        elif abs(number) >= Decimal(10) ** (12 if places == 4 else 5):
            self.fail(field, f"“{label}”数值过大")
        elif maximum is not None and number > maximum:
            self.fail(field, f"“{label}” {number.normalize():f} 超过上限 "
                             f"{maximum.normalize():f}")
        return number

    def day(self, data: dict, key: str, label: str, *, field: str | None = None) -> date | None:
        field = field or key
        value = data.get(key)
        if value in (None, ""):
            return None
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value).strip())
        except ValueError:
            self.fail(field, f"“{label}”不是有效日期（格式 年-月-日，如 2024-12-31）")
            return None

    def choice(self, data: dict, key: str, label: str, enum_cls: type, *,
               field: str | None = None):  # noqa: ANN201
        field = field or key
        value = data.get(key)
        try:
            return enum_cls(value)
        except ValueError:
            self.fail(field, f"请选择{label}")
            return None


HEADER_TEXT = {  # field: (label, max length)
    "project_name": ("项目名称", 200),
    "supervising_department": ("主管部门", 200),
    "project_leader": ("项目负责人", 64),
    "project_leader_phone": ("负责人电话", 32),
    "preparer_name": ("填报人", 64),
    "preparer_phone": ("填报人电话", 32),
    "address": ("地址", 200),
    "postcode": ("邮政编码", 6),
}
HEADER_LONG_TEXT = {"overall_goal": "总体绩效目标", "problems": "存在问题", "measures": "改进措施"}
PHONE_RE = re.compile(r"^[0-9+\-() 转]*$")
POSTCODE_RE = re.compile(r"^[0-9]{6}$")


def _parse_header(data: dict[str, Any], *, partial: bool = False) -> dict[str, Any]:
    """Validated header values from form data; raises ValidationFailed.

    With ``partial`` only the keys present in ``data`` are read (the API patches a few).
    """
    check = _Check()
    values: dict[str, Any] = {}

    def wanted(key: str) -> bool:
        return not partial or key in data

    for key, (label, max_len) in HEADER_TEXT.items():
        if wanted(key):
            values[key] = check.text(data, key, label, required=key == "project_name",
                                     max_len=max_len)
            if key.endswith("_phone") and values[key] and not PHONE_RE.match(values[key]):
                check.fail(key, f"“{label}”只能包含数字、空格和 + - ( )")
            if key == "postcode" and values[key] and not POSTCODE_RE.match(values[key]):
                check.fail(key, "邮政编码应为 6 位数字")
    for key, label in HEADER_LONG_TEXT.items():
        if wanted(key):
            values[key] = check.text(data, key, label, multiline=True, max_len=20000)
    if wanted("kind"):
        values["kind"] = check.choice(data, "kind", "评价类型", EvaluationKind)
    if wanted("timing"):
        values["timing"] = check.choice(data, "timing", "评价时点", EvaluationTiming)
    if wanted("method"):
        values["method"] = check.choice(data, "method", "评价方式", EvaluationMethod)
    if wanted("title_word") and data.get("title_word") not in (None, ""):
        values["title_word"] = check.choice(data, "title_word", "报告名称", ReportTitleWord)
    if wanted("fiscal_year"):
        raw = str(data.get("fiscal_year") or "").strip()
        if not raw:
            check.fail("fiscal_year", "请填写年度")
        elif not raw.isdigit() or not 2000 <= int(raw) <= 2100:
            check.fail("fiscal_year", "年度应为 2000 至 2100 之间的四位数字")
        else:
            values["fiscal_year"] = int(raw)
    for key, label in (("period_start", "实施期开始"), ("period_end", "实施期结束"),
                       ("report_date", "报告日期")):
        if wanted(key):
            values[key] = check.day(data, key, label)
    start, end = values.get("period_start"), values.get("period_end")
    if start and end and start > end:
        check.fail("period_end", "实施期结束日期不能早于开始日期")
    if wanted("grade_scheme_id") and data.get("grade_scheme_id") not in (None, ""):
        try:
            scheme = db.session.get(GradeScheme, int(data["grade_scheme_id"]))
        except (TypeError, ValueError):
            scheme = None
        if scheme is None:
            check.fail("grade_scheme_id", "请选择有效的评价等级方案")
        else:
            values["grade_scheme"] = scheme
    check.raise_if_failed()
    return values


def update_header(evaluation: Evaluation, actor: User, expected_version: Any,
                  data: dict[str, Any], *, partial: bool = False) -> Evaluation:
    """基本信息: name, department, leader, period, timing, method, preparer, dates, goal,
    problems, measures and the grade scheme. Form values are strings."""
    _begin(evaluation, actor, expected_version)
    values = _parse_header(data, partial=partial)
    _touch(evaluation)
    changed = sorted(k for k, v in values.items() if getattr(evaluation, k) != v)
    for key, value in values.items():
        setattr(evaluation, key, value)
    _done(evaluation, actor, "header", fields=changed)
    return evaluation


# --------------------------------------------------------------------------- tables


def _rows(rows: Any) -> list[dict[str, Any]]:
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise ValidationFailed({"rows": "提交的表格格式不正确"})
    # A row left completely empty in the form is not a row.
    return [r for r in rows if any(str(v or "").strip() for k, v in r.items() if k != "id")]


FUNDING_AMOUNTS = (("initial", "年初预算数"), ("planned", "全年预算数"), ("arrived", "到位数"),
                   ("spent", "执行数"))


def _parse_funding(check: _Check, rows: Any) -> list[tuple[FundingSourceKind, dict]]:
    """Validated funding rows: (source, amounts) in form order; errors go to ``check``."""
    parsed, seen = [], set()
    for i, row in enumerate(_rows(rows)):
        f = f"funding-{i}-"
        source = check.choice(row, "source", "资金来源", FundingSourceKind, field=f + "source")
        if source is not None and source in seen:
            check.fail(f + "source", f"资金来源“{source.label}”重复，每种来源只填一行")
        seen.add(source)
        amounts = {key: check.decimal(row, key, label, field=f + key, required=key != "initial")
                   for key, label in FUNDING_AMOUNTS}
        if amounts["planned"] is not None and amounts["arrived"] is not None and \
                amounts["arrived"] > amounts["planned"]:
            check.fail(f + "arrived", "到位数不能大于全年预算数")
        if amounts["arrived"] is not None and amounts["spent"] is not None and \
                amounts["spent"] > amounts["arrived"]:
            check.fail(f + "spent", "执行数不能大于到位数")
        parsed.append((source, {k: v if v is not None or k == "initial" else Decimal(0)
                                for k, v in amounts.items()}))
    return parsed


def _apply_funding(evaluation: Evaluation, parsed: list[tuple[FundingSourceKind, dict]]) -> None:
    """Upsert by source: a kept source updates its row in place, a dropped one is deleted
    (and flushed) before a new one is inserted, so UNIQUE (evaluation, source) always holds —
    the unit of work would otherwise insert the new row before deleting the old one."""
    existing = {f.source: f for f in evaluation.funding}
    wanted = {source for source, _ in parsed}
    dropped = [f for source, f in existing.items() if source not in wanted]
    if dropped:
        evaluation.funding = [f for f in evaluation.funding if f not in dropped]
        db.session.flush()
    rows = []
    for source, amounts in parsed:
        row = existing.get(source) or FundingSource(source=source)
        for key, value in amounts.items():
            if getattr(row, key) != value:
                setattr(row, key, value)
        rows.append(row)
    evaluation.funding = rows


def _parse_expenses(check: _Check, rows: Any) -> list[ExpenseLine]:
    """Validated expense lines (not yet attached); errors go to ``check``."""
    built = []
    for i, row in enumerate(_rows(rows)):
        f = f"expenses-{i}-"
        built.append(ExpenseLine(
            position=i + 1,
            category=check.text(row, "category", "经济分类", field=f + "category",
                                required=True, max_len=100),
            # Real reports often give no plan per category: blank stays blank, not 0.
            planned=check.decimal(row, "planned", "预算数", field=f + "planned"),
            actual=check.decimal(row, "actual", "实际支出", field=f + "actual", required=True),
        ))
    return built


def set_funding(evaluation: Evaluation, actor: User, expected_version: Any,
                rows: list[dict[str, Any]]) -> Evaluation:
    """资金来源: one row per source with 年初预算数, 全年预算数, 到位数, 执行数 (万元)."""
    _begin(evaluation, actor, expected_version)
    check = _Check()
    parsed = _parse_funding(check, rows)
    check.raise_if_failed()
    _touch(evaluation)
    _apply_funding(evaluation, parsed)
    _done(evaluation, actor, "funding", rows=len(parsed))
    return evaluation


def set_funding_and_expenses(evaluation: Evaluation, actor: User, expected_version: Any,
                             funding: list[dict[str, Any]],
                             expenses: list[dict[str, Any]]) -> Evaluation:
    """The editor's 资金与支出 tab in one step: both tables are validated together (every
    error at its field) and saved together, or neither is."""
    _begin(evaluation, actor, expected_version)
    check = _Check()
    parsed = _parse_funding(check, funding)
    lines = _parse_expenses(check, expenses)
    check.raise_if_failed()
    _touch(evaluation)
    _apply_funding(evaluation, parsed)
    evaluation.expenses = lines
    _done(evaluation, actor, "funding", rows=len(parsed), expenses=len(lines))
    return evaluation


def funding_rates(evaluation: Evaluation) -> dict[str, Decimal | None]:
    """Totals and the two rates: 资金到位率 = arrived ÷ planned, 预算执行率 = spent ÷ planned."""
    planned = sum((f.planned for f in evaluation.funding), Decimal(0))
    arrived = sum((f.arrived for f in evaluation.funding), Decimal(0))
    spent = sum((f.spent for f in evaluation.funding), Decimal(0))
    initial = [f.initial for f in evaluation.funding if f.initial is not None]
    return {
        "initial": sum(initial, Decimal(0)) if initial else None,
        "planned": planned, "arrived": arrived, "spent": spent,
        "arrival_rate": arrived / planned if planned else None,
        "execution_rate": spent / planned if planned else None,
    }


def set_expenses(evaluation: Evaluation, actor: User, expected_version: Any,
                 rows: list[dict[str, Any]]) -> Evaluation:
    """支出明细: category, planned and actual amounts (万元), in display order."""
    _begin(evaluation, actor, expected_version)
    check = _Check()
    built = _parse_expenses(check, rows)
    check.raise_if_failed()
    _touch(evaluation)
    evaluation.expenses = built
    _done(evaluation, actor, "expenses", rows=len(built))
    return evaluation


def set_sub_projects(evaluation: Evaluation, actor: User, expected_version: Any,
                     rows: list[dict[str, Any]]) -> Evaluation:
    """分项绩效项目清单: name, budget, executed, returned, self-score (0–100), target, achieved."""
    _begin(evaluation, actor, expected_version)
    check, built = _Check(), []
    for i, row in enumerate(_rows(rows)):
        f = f"subs-{i}-"
        sub = SubProject(
            position=i + 1,
            name=check.text(row, "name", "项目名称", field=f + "name", required=True,
                            max_len=200),
            budget=check.decimal(row, "budget", "预算数", field=f + "budget", required=True),
            executed=check.decimal(row, "executed", "执行数", field=f + "executed",
                                   required=True),
            returned=check.decimal(row, "returned", "结余交回", field=f + "returned")
            or Decimal(0),
            self_score=check.decimal(row, "self_score", "自评得分", field=f + "self_score",
                                     places=2, maximum=Decimal(100)),
            target=check.text(row, "target", "绩效目标", field=f + "target", multiline=True),
            achieved=check.text(row, "achieved", "完成情况", field=f + "achieved",
                                multiline=True),
        )
        if sub.budget is not None and sub.executed is not None and sub.executed > sub.budget:
            check.fail(f + "executed", "执行数不能大于预算数")
        built.append(sub)
    check.raise_if_failed()
    _touch(evaluation)
    evaluation.sub_projects = built
    _done(evaluation, actor, "sub_projects", rows=len(built))
    return evaluation


SECTION_KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


def set_sections(evaluation: Evaluation, actor: User, expected_version: Any,
                 rows: list[dict[str, Any]]) -> Evaluation:
    """报告正文: the narrative sections in order (key, title, body); a new row gets a key."""
    _begin(evaluation, actor, expected_version)
    check, built, keys = _Check(), [], set()
    for i, row in enumerate(_rows(rows)):
        f = f"sections-{i}-"
        key = str(row.get("key") or "").strip() or f"section_{i + 1}"
        if not SECTION_KEY_RE.match(key):
            check.fail(f + "key", "章节标识只能使用小写字母、数字和下划线")
        if key in keys:
            key = f"{key}_{i + 1}"
        keys.add(key)
        title = check.text(row, "title", "章节标题", field=f + "title", max_len=200)
        body = check.text(row, "body", "正文", field=f + "body", multiline=True, max_len=100000)
        if not title and key != "preface":  # only the preface (引言) is printed untitled
            check.fail(f + "title", "请填写章节标题")
        built.append(Section(key=key, position=i + 1, title=title, body=body))
    check.raise_if_failed()
    _touch(evaluation)
    # Unique (evaluation, key): delete the old rows before the new ones are inserted.
    evaluation.sections = []
    db.session.flush()
    evaluation.sections = built
    _done(evaluation, actor, "sections", rows=len(built))
    return evaluation


def set_team(evaluation: Evaluation, actor: User, expected_version: Any,
             rows: list[dict[str, Any]]) -> Evaluation:
    """评价工作组: users of the evaluation's unit with a team role; exactly one 组长."""
    _begin(evaluation, actor, expected_version)
    check, built, seen = _Check(), [], set()
    users = {u.id: u for u in team_candidates(evaluation.unit)}
    rows = [r for r in _rows(rows) if str(r.get("user_id") or "").strip()]
    for i, row in enumerate(rows):
        f = f"team-{i}-"
        try:
            user = users.get(int(row.get("user_id")))
        except (TypeError, ValueError):
            user = None
        if user is None:
            check.fail(f + "user_id", "请选择本单位或同一财政局所属单位的在职用户")
            continue
        if user.id in seen:
            check.fail(f + "user_id", f"“{user.name}”已在工作组中，不能重复添加")
            continue
        seen.add(user.id)
        role = check.choice(row, "role", "组内职务", TeamRole, field=f + "role")
        built.append(TeamMember(user=user, role=role, position=i + 1))
    leaders = [m for m in built if m.role == TeamRole.LEADER]
    if len(leaders) > 1:
        check.fail("team", "评价工作组只能有一名组长")
    elif built and not leaders:
        check.fail("team", "请指定一名组长（通常为单位主要负责人）")
    check.raise_if_failed()
    _touch(evaluation)
    # Leader first, as printed; then in the order given.
    built.sort(key=lambda m: (m.role != TeamRole.LEADER, m.role != TeamRole.DEPUTY,
                              m.position))
    for position, member in enumerate(built, 1):
        member.position = position
    # Unique (evaluation, user) and one leader: remove old rows before inserting new ones.
    evaluation.team = []
    db.session.flush()
    evaluation.team = built
    _done(evaluation, actor, "team", members=[m.user.username for m in built])
    return evaluation


# --------------------------------------------------------------------------- indicators


def _indicator_of(evaluation: Evaluation, indicator_id: Any) -> Indicator:
    try:
        wanted = int(indicator_id)
    except (TypeError, ValueError):
        wanted = -1
    for indicator in evaluation.indicators:
        if indicator.id == wanted:
            return indicator
    raise OperationError("找不到该指标，可能已被删除。请刷新页面。")


def _siblings(evaluation: Evaluation, parent: Indicator | None) -> list[Indicator]:
    if parent is not None:
        return list(parent.children)
    roots = [i for i in evaluation.indicators if i.parent is None]
    return sorted(roots, key=lambda i: (i.position, i.id or 0))


def _renumber(nodes: list[Indicator]) -> None:
    for position, node in enumerate(nodes, 1):
        node.position = position


def _subtree_depth(indicator: Indicator) -> int:
    return 1 + max((_subtree_depth(c) for c in indicator.children), default=0)


def _set_levels(indicator: Indicator, level: int) -> None:
    indicator.level = level
    for child in indicator.children:
        _set_levels(child, level + 1)


def _sync_weights(evaluation: Evaluation) -> None:
    """A non-leaf's stored weight is the sum of its children (bottom-up); it has no score."""
    def visit(node: Indicator) -> Decimal:
        if not node.children:
            return node.weight or Decimal(0)
        node.score = None
        node.weight = sum((visit(c) for c in node.children), Decimal(0))
        return node.weight

    for root in _siblings(evaluation, None):
        visit(root)


def _code_of(evaluation: Evaluation, indicator: Indicator) -> str:
    parts, node = [], indicator
    while node is not None:
        parts.append(str(_siblings(evaluation, node.parent).index(node) + 1))
        node = node.parent
    return ".".join(reversed(parts))


def _check_name(check: _Check, name: Any, field: str = "name") -> str:
    return check.text({"name": name}, "name", "指标名称", field=field, required=True,
                      max_len=200)


def add_indicator(evaluation: Evaluation, actor: User, expected_version: Any, *,
                  parent_id: Any = None, name: Any = "", weight: Any = "0") -> Indicator:
    """Add an indicator at the end of ``parent_id``'s children (None: a first-level one)."""
    _begin(evaluation, actor, expected_version)
    parent = None if parent_id in (None, "") else _indicator_of(evaluation, parent_id)
    check = _Check()
    name = _check_name(check, name)
    weight = check.decimal({"weight": weight}, "weight", "分值", places=2) or Decimal(0)
    level = 1 if parent is None else parent.level + 1
    if level > 3:
        check.fail("parent_id", "指标体系最多三级，三级指标下不能再添加下级指标")
    if parent is not None and parent.evidence:
        check.fail("parent_id", f"指标“{parent.name}”已附佐证材料，请先删除佐证材料再添加下级指标")
    check.raise_if_failed()
    _touch(evaluation)
    indicator = Indicator(evaluation=evaluation, parent=parent, level=level, name=name,
                          weight=weight, position=len(_siblings(evaluation, parent)) + 1,
                          rule_type=RuleType.MANUAL, rule_params={})
    if parent is not None:
        # The parent stops being a leaf: its own target, actual and score no longer count.
        parent.score = None
    db.session.add(indicator)
    db.session.flush()
    _sync_weights(evaluation)
    _done(evaluation, actor, "indicator_add", indicator=_code_of(evaluation, indicator),
          name=name)
    return indicator


def remove_indicator(evaluation: Evaluation, actor: User, expected_version: Any,
                     indicator_id: Any) -> None:
    """Remove an indicator with its subtree and evidence; siblings close the gap."""
    _begin(evaluation, actor, expected_version)
    indicator = _indicator_of(evaluation, indicator_id)
    code = _code_of(evaluation, indicator)
    parent = indicator.parent
    doomed = set()

    def collect(node: Indicator) -> None:
        doomed.add(node)
        for child in node.children:
            collect(child)

    collect(indicator)
    _touch(evaluation)
    if parent is not None:
        parent.children.remove(indicator)
    for node in doomed:
        if node in evaluation.indicators:
            evaluation.indicators.remove(node)
    db.session.flush()
    _renumber(_siblings(evaluation, parent))
    _sync_weights(evaluation)
    _done(evaluation, actor, "indicator_remove", indicator=code, name=indicator.name)


def rename_indicator(evaluation: Evaluation, actor: User, expected_version: Any,
                     indicator_id: Any, name: Any) -> Indicator:
    """Rename an indicator."""
    _begin(evaluation, actor, expected_version)
    indicator = _indicator_of(evaluation, indicator_id)
    check = _Check()
    new_name = _check_name(check, name)
    check.raise_if_failed()
    _touch(evaluation)
    old, indicator.name = indicator.name, new_name
    _done(evaluation, actor, "indicator_rename", indicator=_code_of(evaluation, indicator),
          old=old, new=new_name)
    return indicator


def reorder_indicator(evaluation: Evaluation, actor: User, expected_version: Any,
                      indicator_id: Any, delta: int) -> Indicator:
    """Move an indicator up (delta −1) or down (+1) among its siblings."""
    _begin(evaluation, actor, expected_version)
    indicator = _indicator_of(evaluation, indicator_id)
    siblings = _siblings(evaluation, indicator.parent)
    index = siblings.index(indicator)
    target = min(max(index + int(delta), 0), len(siblings) - 1)
    if target == index:
        raise OperationError("该指标已在最前（或最后），无法继续移动。")
    _touch(evaluation)
    siblings.insert(target, siblings.pop(index))
    _renumber(siblings)
    if indicator.parent is not None:
        indicator.parent.children.sort(key=lambda i: i.position)
    _done(evaluation, actor, "indicator_reorder", indicator=_code_of(evaluation, indicator))
    return indicator


def move_indicator(evaluation: Evaluation, actor: User, expected_version: Any,
                   indicator_id: Any, new_parent_id: Any) -> Indicator:
    """Move an indicator (with its subtree) to the end of another parent's children."""
    _begin(evaluation, actor, expected_version)
    indicator = _indicator_of(evaluation, indicator_id)
    new_parent = None if new_parent_id in (None, "") else _indicator_of(evaluation, new_parent_id)
    node = new_parent
    while node is not None:
        if node is indicator:
            raise ValidationFailed({"parent_id": "不能把指标移到它自己或它的下级指标之下"})
        node = node.parent
    level = 1 if new_parent is None else new_parent.level + 1
    if level + _subtree_depth(indicator) - 1 > 3:
        raise ValidationFailed({"parent_id": "移动后将超过三级，指标体系最多三级"})
    if new_parent is not None and new_parent.evidence:
        raise ValidationFailed(
            {"parent_id": f"指标“{new_parent.name}”已附佐证材料，不能作为上级指标"})
    old_parent, old_code = indicator.parent, _code_of(evaluation, indicator)
    if old_parent is new_parent:
        raise OperationError("该指标已在所选上级指标之下。")
    _touch(evaluation)
    if old_parent is not None:
        old_parent.children.remove(indicator)
    indicator.position = len(_siblings(evaluation, new_parent)) + 1
    indicator.parent = new_parent
    if new_parent is not None:
        new_parent.score = None
        if indicator not in new_parent.children:
            new_parent.children.append(indicator)
    _set_levels(indicator, level)
    db.session.flush()
    _renumber(_siblings(evaluation, old_parent))
    _sync_weights(evaluation)
    _done(evaluation, actor, "indicator_move", indicator=old_code,
          to=_code_of(evaluation, indicator))
    return indicator


def update_indicator(evaluation: Evaluation, actor: User, expected_version: Any,
                     indicator_id: Any, data: dict[str, Any]) -> Indicator:
    """The definition of an indicator: name, and for a leaf description, standard, weight,
    target and the scoring rule (type + params, checked by the scoring engine)."""
    _begin(evaluation, actor, expected_version)
    indicator = _indicator_of(evaluation, indicator_id)
    check = _Check()
    name = _check_name(check, data.get("name"))
    values: dict[str, Any] = {"name": name}
    if indicator.is_leaf:
        values["description"] = check.text(data, "description", "指标解释", multiline=True,
                                           max_len=5000)
        values["standard"] = check.text(data, "standard", "评分标准", multiline=True,
                                        max_len=5000)
        values["target"] = check.text(data, "target", "年度指标值", max_len=200)
        values["weight"] = check.decimal(data, "weight", "分值", required=True, places=2)
        rule_type = check.choice(data, "rule_type", "评分规则", RuleType)
        params = _parse_params(check, data.get("rule_params"))
        if rule_type is not None and params is not None:
            try:
                validate_rule({"type": rule_type.value, "params": params})
            except ScoringError as exc:
                check.fail("rule_params", str(exc))
        values["rule_type"], values["rule_params"] = rule_type, params
        score = indicator.score
        if values["weight"] is not None and score is not None and score > values["weight"]:
            check.fail("weight", f"分值不能小于已填报的得分 {score.normalize():f}；"
                                 "请先修改得分")
    check.raise_if_failed()
    _touch(evaluation)
    for key, value in values.items():
        setattr(indicator, key, value)
    _sync_weights(evaluation)
    _done(evaluation, actor, "indicator_update", indicator=_code_of(evaluation, indicator))
    return indicator


def _parse_params(check: _Check, raw: Any) -> dict[str, Any] | None:
    """Rule params from the form: a JSON object, or "name=value" lines; values stay strings."""
    if isinstance(raw, dict):
        return raw
    text = str(raw or "").strip()
    if not text:
        return {}
    if text.startswith("{"):
        try:
            parsed = json.loads(text, parse_float=str, parse_int=str)
        except ValueError:
            check.fail("rule_params", "评分规则参数不是有效的 JSON 对象")
            return None
        if not isinstance(parsed, dict):
            check.fail("rule_params", "评分规则参数应为 JSON 对象")
            return None
        return parsed
    params = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        key, sep, value = line.partition("=")
        if not sep or not key.strip():
            check.fail("rule_params", f"无法识别的参数行“{line.strip()}”，应写作 名称=值")
            return None
        params[key.strip()] = value.strip()
    return params


LEAF_VALUE_FIELDS = ("target", "actual", "score", "score_reason", "deviation_reason",
                     "not_applicable")


def _tier_params(check: _Check, indicator: Indicator, raw: Any,
                 field: str) -> dict[str, Any] | None:
    """The rule params of a 定性 leaf with its chosen tier (达成 / 部分达成 / 未达成); blank
    lets the engine infer the tier from the actual. None when nothing changes or it is wrong."""
    tier = str(raw or "").strip()
    if indicator.rule_type != RuleType.MANUAL:
        if tier:
            check.fail(field, "只有定性评价指标可以选择达成档次")
        return None
    params = {k: v for k, v in dict(indicator.rule_params or {}).items() if k != "tier"}
    if tier:
        params["tier"] = tier
    try:
        validate_rule({"type": RuleType.MANUAL.value, "params": params})
    except ScoringError as exc:
        check.fail(field, str(exc))
        return None
    return params


def set_indicator_values(evaluation: Evaluation, actor: User, expected_version: Any,
                         values: dict[Any, dict[str, Any]]) -> Evaluation:
    """The scoring table in one save: per leaf id, target, actual, score, score_reason,
    deviation_reason and not_applicable. Errors are keyed ``ind-<id>-<field>``.

    Completeness problems (a manual score below the weight without a reason, a missed target
    without a deviation reason, a missing score) do not block saving a draft: the editor shows
    them at the field and submission refuses them. Format and range errors block.
    """
    _begin(evaluation, actor, expected_version)
    check, parsed = _Check(), {}
    for key, row in values.items():
        indicator = _indicator_of(evaluation, key)
        if not indicator.is_leaf:
            continue
        f = f"ind-{indicator.id}-"
        row = dict(row or {})
        new: dict[str, Any] = {}
        if "target" in row:
            new["target"] = check.text(row, "target", "年度指标值", field=f + "target",
                                       max_len=200)
        if "actual" in row:
            new["actual"] = check.text(row, "actual", "实际完成值", field=f + "actual",
                                       max_len=200)
        if "score" in row:
            score = check.decimal(row, "score", "得分", field=f + "score", places=2)
            if score is not None and score > indicator.weight:
                check.fail(f + "score", f"得分 {score.normalize():f} 超过分值 "
                                        f"{indicator.weight.normalize():f}")
            new["score"] = score
        for key_, label in (("score_reason", "扣分理由"), ("deviation_reason", "偏差原因")):
            if key_ in row:
                new[key_] = check.text(row, key_, label, field=f + key_, multiline=True,
                                       max_len=5000)
        if "not_applicable" in row:
            new["not_applicable"] = str(row["not_applicable"]).lower() in (
                "1", "true", "on", "yes", "y")
        if "tier" in row:
            params = _tier_params(check, indicator, row.get("tier"), f + "tier")
            if params is not None:
                new["rule_params"] = params
        parsed[indicator] = new
    check.raise_if_failed()
    _touch(evaluation)
    changed = []
    for indicator, new in parsed.items():
        if any(getattr(indicator, k) != v for k, v in new.items()):
            changed.append(_code_of(evaluation, indicator))
        for key, value in new.items():
            setattr(indicator, key, value)
    _done(evaluation, actor, "indicator_values", indicators=changed)
    return evaluation


# --------------------------------------------------------------------------- evidence

# Extension → (content type, accepted leading bytes). The type is decided here, never taken
# from the browser; the leading bytes catch a renamed executable or a truncated upload.
EVIDENCE_TYPES: dict[str, tuple[str, tuple[bytes, ...]]] = {
    "pdf": ("application/pdf", (b"%PDF-",)),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "doc": ("application/msword", (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",
             (b"PK\x03\x04",)),
    "xls": ("application/vnd.ms-excel", (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
             (b"PK\x03\x04",)),
    "ofd": ("application/ofd", (b"PK\x03\x04",)),
}
EVIDENCE_ACCEPT = ",".join(f".{ext}" for ext in EVIDENCE_TYPES)


def _human_size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / 1024 / 1024:.1f} MB"
    return f"{max(size // 1024, 1)} KB"


def add_evidence(evaluation: Evaluation, actor: User, expected_version: Any,
                 indicator_id: Any, filename: str, data: bytes) -> Evidence:
    """Attach a file to a third-level indicator: type by extension and content, size capped
    by ``EVIDENCE_MAX_BYTES``, SHA-256 stored (the content document and signatures cover it)."""
    _begin(evaluation, actor, expected_version)
    indicator = _indicator_of(evaluation, indicator_id)
    if not indicator.is_leaf:
        raise ValidationFailed({"file": "佐证材料只能附在末级指标（填写得分的指标）上"})
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    if not name:
        raise ValidationFailed({"file": "请选择要上传的文件"})
    if len(name) > 200:
        stem, _, ext = name.rpartition(".")
        name = f"{stem[:190]}.{ext}" if stem else name[:200]
    ext = name.rpartition(".")[2].lower() if "." in name else ""
    if ext not in EVIDENCE_TYPES:
        raise ValidationFailed({"file": "不支持的文件类型“{}”；可上传 PDF、JPG/PNG 图片、Word、"
                                        "Excel 或 OFD 文件".format(ext or "无扩展名")})
    limit = int(current_app.config.get("EVIDENCE_MAX_BYTES", 10 * 1024 * 1024))
    if not data:
        raise ValidationFailed({"file": "文件为空，请重新选择"})
    if len(data) > limit:
        raise ValidationFailed({"file": f"文件过大（{_human_size(len(data))}），"
                                        f"单个佐证材料不能超过 {_human_size(limit)}"})
    content_type, magics = EVIDENCE_TYPES[ext]
    if not data.startswith(magics):
        raise ValidationFailed({"file": f"文件内容与扩展名“.{ext}”不符，请确认文件未损坏"})
    digest = hashlib.sha256(data).hexdigest()
    if any(e.sha256 == digest for e in indicator.evidence):
        raise ValidationFailed({"file": "该指标已附有内容完全相同的文件"})
    _touch(evaluation)
    evidence = Evidence(indicator=indicator, filename=name, content_type=content_type,
                        size=len(data), sha256=digest, data=data, uploaded_by_id=actor.id)
    db.session.add(evidence)
    _done(evaluation, actor, "evidence_add", indicator=_code_of(evaluation, indicator),
          filename=name, sha256=digest, size=len(data))
    return evidence


def remove_evidence(evaluation: Evaluation, actor: User, expected_version: Any,
                    evidence_id: Any) -> None:
    """Detach a file from its indicator."""
    _begin(evaluation, actor, expected_version)
    evidence = find_evidence(evaluation, evidence_id)
    if evidence is None:
        raise OperationError("找不到该佐证材料，可能已被删除。请刷新页面。")
    _touch(evaluation)
    indicator = evidence.indicator
    indicator.evidence.remove(evidence)
    _done(evaluation, actor, "evidence_remove", indicator=_code_of(evaluation, indicator),
          filename=evidence.filename, sha256=evidence.sha256)


def find_evidence(evaluation: Evaluation, evidence_id: Any) -> Evidence | None:
    """The evidence row with this id if it belongs to the evaluation."""
    try:
        wanted = int(evidence_id)
    except (TypeError, ValueError):
        return None
    evidence = db.session.get(Evidence, wanted)
    if evidence is None or evidence.indicator.evaluation_id != evaluation.id:
        return None
    return evidence


# --------------------------------------------------------------------------- templates

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
