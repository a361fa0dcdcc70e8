"""The content document (docs/evaluation-schema.md): build it from an evaluation, hash it,
and create or replace an evaluation's content from one.

The same document is the exchange format, the revision snapshot signatures are bound to, and
the report renderer's input, so what is exported, signed and printed is one thing.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from workflow_app.auth.models import User
from workflow_app.evaluations.models import (
    Evaluation,
    EvaluationKind,
    EvaluationMethod,
    EvaluationTiming,
    ExpenseLine,
    FundingSource,
    FundingSourceKind,
    Indicator,
    ReportTitleWord,
    RuleType,
    Section,
    SubProject,
    TeamMember,
)
from workflow_app.integrity import hashing
from workflow_app.workflow.states import TeamRole

SCHEMA_NAME = "jixiao-ziping/evaluation"
SCHEMA_VERSION = 1


class DocumentError(ValueError):
    """The document cannot be applied; `problems` lists every reason, in Chinese."""

    def __init__(self, problems: list[str]):
        super().__init__("；".join(problems))
        self.problems = problems


# --------------------------------------------------------------------------- building


def _dec(value: Decimal | None) -> str | None:
    if value is None:
        return None
    return f"{Decimal(value).normalize():f}"


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def indicator_node(indicator: Indicator, code: str) -> dict[str, Any]:
    """One indicator (and its subtree) in document form."""
    node: dict[str, Any] = {"code": code, "name": indicator.name}
    children = list(indicator.children)
    if children:
        kids = [indicator_node(c, f"{code}.{i}") for i, c in enumerate(children, 1)]
        node["weight"] = _dec(sum((Decimal(k["weight"]) for k in kids), Decimal(0)))
        node["children"] = kids
        return node
    node.update(
        {
            "description": indicator.description or "",
            "standard": indicator.standard or "",
            "weight": _dec(indicator.weight),
            "target": indicator.target or "",
            "actual": indicator.actual or "",
            "score": _dec(indicator.score),
            "score_reason": indicator.score_reason or "",
            "deviation_reason": indicator.deviation_reason or "",
            "not_applicable": bool(indicator.not_applicable),
            "rule": {
                "type": indicator.rule_type.value,
                "params": dict(indicator.rule_params or {}),
            },
            "evidence": [
                {
                    "filename": e.filename,
                    "content_type": e.content_type,
                    "size": e.size,
                    "sha256": e.sha256,
                }
                for e in indicator.evidence
            ],
        }
    )
    return node


def to_document(evaluation: Evaluation) -> dict[str, Any]:
    """The evaluation's content as a document (decimal strings, display order). In a read
    request it is built once per content version and process (``readcache``; once per request
    for an object with unsaved changes): read-only for the caller then."""
    from workflow_app.evaluations.readcache import remembered_document
    from workflow_app.requestmemo import once_per_read

    return remembered_document(evaluation, lambda: once_per_read(
        ("document", evaluation.id, evaluation.version), lambda: _build_document(evaluation)))


def _build_document(evaluation: Evaluation) -> dict[str, Any]:
    from workflow_app.evaluations.scorecard import load_tree

    load_tree(evaluation)
    roots = [i for i in evaluation.indicators if i.parent_id is None]
    roots.sort(key=lambda i: (i.position, i.id or 0))
    return {
        "schema": SCHEMA_NAME,
        "version": SCHEMA_VERSION,
        "kind": evaluation.kind.value,
        "fiscal_year": evaluation.fiscal_year,
        "unit": {
            "name": evaluation.unit.name,
            "supervising_department": evaluation.supervising_department or "",
        },
        "project_name": evaluation.project_name,
        "project_leader": evaluation.project_leader or "",
        "project_leader_phone": evaluation.project_leader_phone or "",
        "period_start": _day(evaluation.period_start),
        "period_end": _day(evaluation.period_end),
        "timing": evaluation.timing.value,
        "method": evaluation.method.value,
        "preparer_name": evaluation.preparer_name or "",
        "preparer_phone": evaluation.preparer_phone or "",
        "report_date": _day(evaluation.report_date),
        "address": evaluation.address or "",
        "postcode": evaluation.postcode or "",
        "title_word": (evaluation.title_word or ReportTitleWord.SELF_EVALUATION).value,
        "total_weight": _dec(evaluation.total_weight),
        "grade_scheme": evaluation.grade_scheme.as_dict(),
        "funding": [
            {
                "source": f.source.value,
                "initial": _dec(f.initial),
                "planned": _dec(f.planned),
                "arrived": _dec(f.arrived),
                "spent": _dec(f.spent),
            }
            for f in evaluation.funding
        ],
        "expenses": [
            {"category": x.category, "planned": _dec(x.planned), "actual": _dec(x.actual)}
            for x in evaluation.expenses
        ],
        "sub_projects": [
            {
                "name": s.name,
                "budget": _dec(s.budget),
                "executed": _dec(s.executed),
                "returned": _dec(s.returned),
                "self_score": _dec(s.self_score),
                "target": s.target or "",
                "achieved": s.achieved or "",
            }
            for s in evaluation.sub_projects
        ],
        "overall_goal": evaluation.overall_goal or "",
        "indicators": [indicator_node(r, str(i)) for i, r in enumerate(roots, 1)],
        "sections": [
            {"key": s.key, "title": s.title, "body": s.body or ""} for s in evaluation.sections
        ],
        "problems": evaluation.problems or "",
        "measures": evaluation.measures or "",
        "team": [
            {
                "username": m.user.username,
                "name": m.user.name,
                "unit": m.user.unit.display_short_name,
                "position": m.user.position or "",
                "title": m.user.title or "",
                "role": m.role.value,
            }
            for m in evaluation.team
        ],
    }


def canonical_json(doc: dict[str, Any]) -> str:
    """The one serialisation whose hash is signed: sorted keys, no spaces, UTF-8 text."""
    return json.dumps(doc, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def content_hash(doc: dict[str, Any], algorithm: str | None = None) -> str:
    """The hex digest of the canonical JSON, under ``algorithm`` or the configured
    ``HASH_ALGORITHM`` (a draft's "hash if submitted now" is what a submission would record)."""
    return hashing.hexdigest(canonical_json(doc).encode("utf-8"), algorithm)


# --------------------------------------------------------------------------- reading


class _Reader:
    """Collects every problem of a document instead of stopping at the first."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def fail(self, message: str) -> None:
        self.problems.append(message)

    def text(self, obj: dict, key: str, where: str, *, required: bool = False,
             max_len: int | None = None) -> str:
        value = obj.get(key, "")
        if value is None:
            value = ""
        if not isinstance(value, str):
            self.fail(f"{where}“{key}”应为文本")
            return ""
        if max_len:  # single-line fields: surrounding blanks are typing noise
            value = value.strip()
        if required and not value.strip():
            self.fail(f"{where}“{key}”不能为空")
        if max_len and len(value) > max_len:
            self.fail(f"{where}“{key}”不能超过 {max_len} 个字")
        return value

    def decimal(self, obj: dict, key: str, where: str, *, required: bool = True,
                minimum: Decimal | None = Decimal(0), places: int = 4) -> Decimal | None:
        value = obj.get(key)
        if value is None or value == "":
            if required:
                self.fail(f"{where}“{key}”不能为空")
            return None
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            self.fail(f"{where}“{key}”应为数字文本（如 \"12.5\"），不接受浮点数")
            return None
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            self.fail(f"{where}“{key}”不是有效的数字：{value}")
            return None
        if not number.is_finite():
            self.fail(f"{where}“{key}”不是有效的数字：{value}")
            return None
        if minimum is not None and number < minimum:
            self.fail(f"{where}“{key}”不能小于 {minimum}")
        if number.as_tuple().exponent < -places:
            self.fail(f"{where}“{key}”最多保留 {places} 位小数")
        if abs(number) >= Decimal(10) ** 10:
            self.fail(f"{where}“{key}”数值过大")
        return number

    def rows(self, doc: dict, key: str, label: str, counter: str = "行"):
        """Yield (position, where, row) for each object of the list `doc[key]`."""
        items = doc.get(key) or []
        if not isinstance(items, list):
            self.fail(f"“{key}”应为列表")
            return
        for i, row in enumerate(items, 1):
            where = f"{label}第 {i} {counter}"
            if not isinstance(row, dict):
                self.fail(f"{where}格式不正确")
                continue
            yield i, where, row

    def day(self, obj: dict, key: str, where: str) -> date | None:
        value = obj.get(key)
        if value in (None, ""):
            return None
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            self.fail(f"{where}“{key}”不是有效日期（格式 YYYY-MM-DD）：{value}")
            return None

    def choice(self, obj: dict, key: str, enum_cls, where: str, default=None):  # noqa: ANN001
        value = obj.get(key, default.value if default is not None else None)
        try:
            return enum_cls(value)
        except ValueError:
            allowed = "、".join(m.value for m in enum_cls)
            self.fail(f"{where}“{key}”的值 {value!r} 无效，应为：{allowed}")
            return default


def _build_indicators(reader: _Reader, nodes: Any, level: int, prefix: str,
                      parent: Indicator | None) -> list[Indicator]:
    if not isinstance(nodes, list):
        reader.fail(f"指标 {prefix or '体系'} 的下级指标应为列表")
        return []
    built = []
    for position, node in enumerate(nodes, 1):
        code = f"{prefix}.{position}" if prefix else str(position)
        where = f"指标 {code} "
        if not isinstance(node, dict):
            reader.fail(f"{where}格式不正确")
            continue
        if level > 3:
            reader.fail(f"{where}超过三级，指标体系最多三级")
            continue
        name = reader.text(node, "name", where, required=True, max_len=200)
        indicator = Indicator(parent=parent, level=level, position=position, name=name)
        children = node.get("children") or []
        if children:
            kids = _build_indicators(reader, children, level + 1, code, indicator)
            indicator.weight = sum((k.weight or Decimal(0) for k in kids), Decimal(0))
            stated = reader.decimal(node, "weight", where, required=False, places=2)
            if stated is not None and stated != indicator.weight:
                reader.fail(
                    f"{where}“{name}”的分值 {stated} 与下级指标分值之和 "
                    f"{indicator.weight.normalize():f} 不一致"
                )
        else:
            indicator.weight = reader.decimal(node, "weight", where, places=2) or Decimal(0)
            indicator.description = reader.text(node, "description", where)
            indicator.standard = reader.text(node, "standard", where)
            indicator.target = reader.text(node, "target", where, max_len=200)
            indicator.actual = reader.text(node, "actual", where, max_len=200)
            indicator.score = reader.decimal(node, "score", where, required=False, places=2)
            if indicator.score is not None and indicator.score > indicator.weight:
                reader.fail(
                    f"{where}“{name}”的得分 {indicator.score.normalize():f} 超过分值 "
                    f"{indicator.weight.normalize():f}"
                )
            indicator.score_reason = reader.text(node, "score_reason", where)
            indicator.deviation_reason = reader.text(node, "deviation_reason", where)
            indicator.not_applicable = bool(node.get("not_applicable", False))
            rule = node.get("rule") or {"type": "manual", "params": {}}
            if not isinstance(rule, dict):
                reader.fail(f"{where}评分规则格式不正确")
                rule = {"type": "manual", "params": {}}
            indicator.rule_type = reader.choice(rule, "type", RuleType, where + "评分规则",
                                                RuleType.MANUAL)
            params = rule.get("params") or {}
            if not isinstance(params, dict):
                reader.fail(f"{where}评分规则参数应为对象")
                params = {}
            indicator.rule_params = params
        built.append(indicator)
    return built


def apply_document(evaluation: Evaluation, doc: Any, *, users_by_username: dict[str, User],
                   grade_scheme=None) -> None:  # noqa: ANN001
    """Replace the evaluation's content with the document's, or raise DocumentError.

    Evidence *metadata* in the document is not turned into files (the bytes are not in it);
    the team is resolved by username among `users_by_username`. Nothing is changed when the
    document has problems.
    """
    reader = _Reader()
    if not isinstance(doc, dict):
        raise DocumentError(["文件内容不是一个评价对象（JSON 对象）"])
    if doc.get("schema") != SCHEMA_NAME:
        reader.fail(f"不是本系统的评价文件（schema 应为 {SCHEMA_NAME}）")
    if doc.get("version") != SCHEMA_VERSION:
        reader.fail(f"不支持的文件版本 {doc.get('version')!r}，本系统支持版本 {SCHEMA_VERSION}")
    if reader.problems:
        raise DocumentError(reader.problems)

    header = {}
    header["kind"] = reader.choice(doc, "kind", EvaluationKind, "")
    year = doc.get("fiscal_year")
    if not isinstance(year, int) or isinstance(year, bool) or not 2000 <= year <= 2100:
        reader.fail("“fiscal_year”应为 2000 至 2100 之间的年度")
    header["fiscal_year"] = year
    unit = doc.get("unit") if isinstance(doc.get("unit"), dict) else {}
    header["supervising_department"] = reader.text(unit, "supervising_department", "单位",
                                                   max_len=200)
    header["project_name"] = reader.text(doc, "project_name", "", required=True, max_len=200)
    header["project_leader"] = reader.text(doc, "project_leader", "", max_len=64)
    header["project_leader_phone"] = reader.text(doc, "project_leader_phone", "", max_len=32)
    header["period_start"] = reader.day(doc, "period_start", "")
    header["period_end"] = reader.day(doc, "period_end", "")
    if header["period_start"] and header["period_end"] and (
        header["period_start"] > header["period_end"]
    ):
        reader.fail("实施期开始日期不能晚于结束日期")
    header["timing"] = reader.choice(doc, "timing", EvaluationTiming, "", EvaluationTiming.EX_POST)
    header["method"] = reader.choice(doc, "method", EvaluationMethod, "", EvaluationMethod.SELF)
    header["preparer_name"] = reader.text(doc, "preparer_name", "", max_len=64)
    header["preparer_phone"] = reader.text(doc, "preparer_phone", "", max_len=32)
    header["report_date"] = reader.day(doc, "report_date", "")
    header["address"] = reader.text(doc, "address", "", max_len=200)
    header["postcode"] = reader.text(doc, "postcode", "", max_len=6)
    if header["postcode"] and not (header["postcode"].isascii() and header["postcode"].isdigit()
                                   and len(header["postcode"]) == 6):
        reader.fail(f"“postcode”应为 6 位数字邮政编码：{header['postcode']}")
    header["title_word"] = reader.choice(doc, "title_word", ReportTitleWord, "",
                                         ReportTitleWord.SELF_EVALUATION)
    header["total_weight"] = reader.decimal(doc, "total_weight", "", places=2) or Decimal(100)
    if header["total_weight"] <= 0:
        reader.fail("总分必须大于 0")
    header["overall_goal"] = reader.text(doc, "overall_goal", "")
    header["problems"] = reader.text(doc, "problems", "")
    header["measures"] = reader.text(doc, "measures", "")

    funding, seen_sources = [], set()
    for _i, where, row in reader.rows(doc, "funding", "资金来源"):
        source = reader.choice(row, "source", FundingSourceKind, where)
        if source in seen_sources:
            reader.fail(f"{where}：资金来源“{source.label}”重复")
        seen_sources.add(source)
        funding.append(FundingSource(
            source=source,
            initial=reader.decimal(row, "initial", where, required=False),
            planned=reader.decimal(row, "planned", where) or Decimal(0),
            arrived=reader.decimal(row, "arrived", where) or Decimal(0),
            spent=reader.decimal(row, "spent", where) or Decimal(0),
        ))

    expenses = []
    for i, where, row in reader.rows(doc, "expenses", "支出明细"):
        expenses.append(ExpenseLine(
            position=i,
            category=reader.text(row, "category", where, required=True, max_len=100),
            # A blank plan stays blank (NULL), never 0.
            planned=reader.decimal(row, "planned", where, required=False),
            actual=reader.decimal(row, "actual", where) or Decimal(0),
        ))

    subs = []
    for i, where, row in reader.rows(doc, "sub_projects", "分项项目"):
        score = reader.decimal(row, "self_score", where, required=False, places=2)
        if score is not None and score > 100:
            reader.fail(f"{where}“self_score”不能超过 100")
        subs.append(SubProject(
            position=i,
            name=reader.text(row, "name", where, required=True, max_len=200),
            budget=reader.decimal(row, "budget", where) or Decimal(0),
            executed=reader.decimal(row, "executed", where) or Decimal(0),
            returned=reader.decimal(row, "returned", where, required=False) or Decimal(0),
            self_score=score,
            target=reader.text(row, "target", where),
            achieved=reader.text(row, "achieved", where),
        ))

    sections, keys = [], set()
    for i, where, row in reader.rows(doc, "sections", "报告章节", "节"):
        key = reader.text(row, "key", where, required=True, max_len=40)
        if key in keys:
            reader.fail(f"{where}：章节标识“{key}”重复")
        keys.add(key)
        sections.append(Section(
            key=key, position=i,
            title=reader.text(row, "title", where, max_len=200),  # a preface has none
            body=reader.text(row, "body", where),
        ))

    team, seen_users, leaders = [], set(), 0
    for i, where, row in reader.rows(doc, "team", "评价工作组", "人"):
        username = row.get("username")
        user = users_by_username.get(username) if isinstance(username, str) else None
        if user is None:
            reader.fail(f"{where}：找不到用户名为“{username}”的本单位（或同一财政局所属单位）用户")
            continue
        if user.id in seen_users:
            reader.fail(f"{where}：用户“{user.name}”重复")
            continue
        seen_users.add(user.id)
        role = reader.choice(row, "role", TeamRole, where, TeamRole.MEMBER)
        leaders += role == TeamRole.LEADER
        team.append(TeamMember(user=user, role=role, position=i))
    if leaders > 1:
        reader.fail("评价工作组只能有一名组长")

    # The tree is built detached first so that a bad document changes nothing.
    roots = _build_indicators(reader, doc.get("indicators") or [], 1, "", None)
    if reader.problems:
        raise DocumentError(reader.problems)

    for key, value in header.items():
        setattr(evaluation, key, value)
    if grade_scheme is not None:
        evaluation.grade_scheme = grade_scheme
    evaluation.funding = funding
    evaluation.expenses = expenses
    evaluation.sub_projects = subs
    evaluation.sections = sections
    evaluation.team = team
    evaluation.indicators = list(_walk(roots))


def _walk(nodes: list[Indicator]):
    for node in nodes:
        yield node
        yield from _walk(list(node.children))
