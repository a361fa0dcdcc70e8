"""The evaluation's history as the page tells it: Chinese sentences with people's names, and
consecutive saves of the editor by one person folded into one line ("田伟鑫 编辑了 3 次")."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from workflow_app.audit.models import AuditEvent
from workflow_app.auth.models import User
from workflow_app.extensions import db
from workflow_app.workflow.states import EvaluationState

ROLE_LABELS = {"preparer": "填报人", "leader": "组长", "deputy": "副组长", "member": "成员",
               "finance_officer": "财政局", "delegate": "代签人", "admin": "管理员",
               "system": "系统"}
# What an editor save changed ("part" of the audit detail).
PART_LABELS = {
    "header": "基本信息", "funding": "资金与支出", "expenses": "支出明细",
    "sub_projects": "分项项目", "sections": "报告正文", "team": "评价工作组",
    "indicator_values": "指标评分", "indicator_add": "新增指标", "indicator_rename": "指标名称",
    "indicator_move": "指标位置", "indicator_reorder": "指标顺序",
    "indicator_remove": "删除指标", "indicator_update": "指标定义", "evidence_add": "佐证材料",
    "evidence_remove": "佐证材料",
}


# Security events (issue 9's audit coverage) belong to the audit log, not the evaluation's story.
NOT_SHOWN = frozenset({"refused", "download", "token_refused", "login", "logout",
                       "login_failed"})


@dataclass
class Entry:
    """One line of the timeline."""

    at: datetime
    actor: str
    role: str
    text: str
    action: str
    event_id: int
    reason: str = ""
    comment: str = ""
    count: int = 1
    parts: list[str] = field(default_factory=list)
    change: str = ""  # "草稿 → 工作组会签"


def _state(value: str | None) -> str:
    try:
        return EvaluationState(value).label if value else ""
    except ValueError:
        return ""


def _sentence(event: AuditEvent, names: dict[str, str]) -> str:
    d: dict[str, Any] = event.detail or {}
    revision = f"第 {d['revision']} 版" if d.get("revision") else ""

    def who(key: str) -> str:
        return names.get(d.get(key) or "", d.get(key) or "")

    action = event.action
    if action == "sign":
        if d.get("signed_by") and d.get("member"):
            return f"代 {who('member')} 会签了{revision}"
        return f"会签了{revision}"
    return {
        "create": "创建了草稿",
        "submit": f"提交会签（{revision}）" if revision else "提交会签",
        "withdraw": f"撤回了{revision}",
        "approve": f"审定通过{revision}，得分锁定",
        "return": f"退回了{revision}",
        "accept": "验收通过",
        "publish": "公开了报告",
        "delegate": f"将{revision}的签字转交给 {who('delegate')}",
        "add_signer": f"加签 {who('member')}",
        "comment": f"在指标 {d.get('indicator', '')} 下发表意见",
        "import": "导入了内容",
    }.get(action, "进行了操作")


def timeline(evaluation_id: int) -> list[Entry]:
    """The evaluation's audit events, oldest first, as timeline entries."""
    events = list(db.session.scalars(select(AuditEvent).where(
        AuditEvent.evaluation_id == evaluation_id, AuditEvent.action.not_in(NOT_SHOWN))
        .options(joinedload(AuditEvent.actor)).order_by(AuditEvent.id)))
    usernames = {v for e in events for k, v in (e.detail or {}).items()
                 if k in ("member", "delegate", "signed_by") and isinstance(v, str)}
    names = {u: n for u, n in db.session.execute(select(User.username, User.name).where(
        User.username.in_(usernames)))} if usernames else {}
    entries: list[Entry] = []
    for event in events:
        actor = event.actor.name if event.actor else "系统"
        last = entries[-1] if entries else None
        part = PART_LABELS.get((event.detail or {}).get("part", ""), "")
        if event.action == "edit":
            if last is not None and last.action == "edit" and last.actor == actor:
                last.count += 1
                last.at = event.created_at
                if part and part not in last.parts:
                    last.parts.append(part)
                last.text = f"编辑了 {last.count} 次"
                continue
            entries.append(Entry(event.created_at, actor, ROLE_LABELS.get(event.actor_role, ""),
                                 "编辑了 1 次", "edit", event.id, parts=[part] if part else []))
            continue
        change = ""
        if event.from_state and event.to_state and event.from_state != event.to_state:
            change = f"{_state(event.from_state)} → {_state(event.to_state)}"
        entries.append(Entry(event.created_at, actor, ROLE_LABELS.get(event.actor_role, ""),
                             _sentence(event, names), event.action, event.id,
                             reason=event.reason or "",
                             comment=(event.detail or {}).get("comment", ""), change=change))
    return entries
