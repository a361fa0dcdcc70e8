"""The 基本信息 tab: the evaluation's header fields (also read when creating a draft)."""

from __future__ import annotations

import re
from typing import Any

from workflow_app.auth.models import User
from workflow_app.evaluations.models import (
    Evaluation,
    EvaluationKind,
    EvaluationMethod,
    EvaluationTiming,
    GradeScheme,
    ReportTitleWord,
)
from workflow_app.evaluations.operations.common import (
    ValidationFailed,
    _begin,
    _Check,
    _done,
    _touch,
)
from workflow_app.evaluations.schemes import usable_by
from workflow_app.extensions import db

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


def check_scheme_scope(values: dict[str, Any], unit: Any) -> None:
    """A grade scheme chosen by id must be national or of the unit's own finance bureau."""
    scheme = values.get("grade_scheme")
    if scheme is not None and not usable_by(scheme, unit):
        raise ValidationFailed({"grade_scheme_id": "请选择有效的评价等级方案"})


def update_header(evaluation: Evaluation, actor: User, expected_version: Any,
                  data: dict[str, Any], *, partial: bool = False) -> Evaluation:
    """基本信息: name, department, leader, period, timing, method, preparer, dates, goal,
    problems, measures and the grade scheme. Form values are strings."""
    _begin(evaluation, actor, expected_version)
    values = _parse_header(data, partial=partial)
    check_scheme_scope(values, evaluation.unit)
    _touch(evaluation)
    changed = sorted(k for k, v in values.items() if getattr(evaluation, k) != v)
    for key, value in values.items():
        setattr(evaluation, key, value)
    _done(evaluation, actor, "header", fields=changed)
    return evaluation
