"""Reading the audit trail: filters (who, what, when, evaluation), in SQL, for the audit page and
its exports; the Chinese names of the actions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Any

from sqlalchemy import Select, or_, select

from workflow_app.audit.models import AuditEvent
from workflow_app.auth.models import User

CST = timezone(timedelta(hours=8))
MAX_EVALUATION_ID = 2**31 - 1

ACTION_LABELS = {
    "login": "登录", "logout": "退出", "login_failed": "登录失败", "account_locked": "账号锁定",
    "account_unlocked": "账号解锁", "address_throttled": "地址限流",
    "password_changed": "修改密码", "password_reset": "重置密码", "roles_changed": "角色变更",
    "token_issued": "签发令牌", "token_used": "使用令牌", "token_revoked": "吊销令牌",
    "token_refused": "令牌被拒", "refused": "拒绝访问", "download": "下载/导出",
    "cli": "命令行", "admin": "系统管理", "audit_exported": "导出审计日志",
    "integrity_checked": "完整性校验", "integrity_key_rotated": "轮换完整性密钥",
    "transition": "流程操作", "create": "新建", "edit": "编辑",
}


def action_label(action: str) -> str:
    """The Chinese name of an action (the code itself when there is none)."""
    return ACTION_LABELS.get(action, action)


@dataclass(frozen=True)
class AuditFilter:
    """Who (username or name, part of it), what (action), when (dates, Beijing time, both
    inclusive) and which evaluation."""

    who: str = ""
    action: str = ""
    since: date | None = None
    until: date | None = None
    evaluation_id: int | None = None

    def as_args(self) -> dict[str, str]:
        """The filter as query-string arguments (for links and exports)."""
        args = {"who": self.who, "action": self.action,
                "since": self.since.isoformat() if self.since else "",
                "until": self.until.isoformat() if self.until else "",
                "evaluation": str(self.evaluation_id) if self.evaluation_id else ""}
        return {k: v for k, v in args.items() if v}


def parse_filter(args: Any) -> tuple[AuditFilter, dict[str, str]]:
    """The filter from request arguments, and a Chinese message per argument that was bad
    (a bad argument is ignored, never a 500)."""
    errors: dict[str, str] = {}

    def day(name: str) -> date | None:
        raw = (args.get(name) or "").strip()
        if not raw:
            return None
        try:
            return date.fromisoformat(raw)
        except ValueError:
            errors[name] = "日期格式应为 YYYY-MM-DD"
            return None

    evaluation_id = None
    raw_id = (args.get("evaluation") or "").strip()
    if raw_id:
        if raw_id.isdigit() and 0 < int(raw_id) <= MAX_EVALUATION_ID:
            evaluation_id = int(raw_id)
        else:
            errors["evaluation"] = "自评编号应为正整数"
    since, until = day("since"), day("until")
    if since and until and since > until:
        errors["until"] = "结束日期不能早于开始日期"
        until = None
    who = (args.get("who") or "").replace("\x00", "").strip()[:64]
    action = (args.get("action") or "").replace("\x00", "").strip()[:40]
    return AuditFilter(who, action, since, until, evaluation_id), errors


def _utc_start(day: date) -> datetime:
    return datetime.combine(day, time.min, CST).astimezone(UTC)


def filtered(f: AuditFilter) -> Select:
    """The events matching the filter, newest first (LIMIT/OFFSET are added by the caller)."""
    query = select(AuditEvent).order_by(AuditEvent.id.desc())
    if f.who:
        like = f"%{f.who}%"
        actors = select(User.id).where(or_(User.username.ilike(like), User.name.ilike(like)))
        query = query.where(AuditEvent.actor_id.in_(actors))
    if f.action:
        query = query.where(AuditEvent.action == f.action)
    if f.since:
        query = query.where(AuditEvent.created_at >= _utc_start(f.since))
    if f.until:
        query = query.where(AuditEvent.created_at < _utc_start(f.until + timedelta(days=1)))
    if f.evaluation_id:
        query = query.where(AuditEvent.evaluation_id == f.evaluation_id)
    return query


EXPORT_COLUMNS = ["编号", "时间（北京时间）", "操作人", "用户名", "角色", "操作", "操作代码",
                  "自评编号", "原状态", "新状态", "理由", "详情", "哈希"]


def export_row(event: AuditEvent) -> list[Any]:
    """One event as the exports write it."""
    import json

    actor = event.actor
    return [
        event.id, event.created_at.astimezone(CST).strftime("%Y-%m-%d %H:%M:%S"),
        actor.name if actor else "", actor.username if actor else "", event.actor_role,
        action_label(event.action), event.action, event.evaluation_id or "", event.from_state,
        event.to_state, event.reason, json.dumps(event.detail or {}, ensure_ascii=False),
        event.hash,
    ]
