"""Where two content documents differ, said in Chinese (for the integrity check's messages).

``first_difference(snapshot, live)`` walks both documents in document order and names the first
field that differs — "指标 2.1.3「群众满意度」的实际完成值：快照为 '≥95%'，现为 '80%'" — so the
audit administrator knows which row was changed behind the application.

``align_reference_data(snapshot, live)`` copies into the live document what is not the
evaluation's own content but reference data it quotes (a team member's name, unit, position and
title from the user's profile; the unit's name; the grade scheme): those change legitimately
after a submission (a promotion, a renamed unit) and the signed snapshot keeps what was true.
A member the leader added during the review (加签, ``added_in_review``) is not in the snapshot
either; the caller drops them from the live team.
"""

from __future__ import annotations

from typing import Any

from workflow_app.workflow import diff

# The words the signer's "what changed" page uses (workflow/diff.py), plus the few keys only
# a whole-document walk meets, so both places name a field alike.
FIELD_LABELS = {
    **diff.FIELD_LABELS, **diff.SECTION_LABELS,
    "unit": "单位", "address": "地址", "postcode": "邮编", "title_word": "报告标题",
    "source": "资金来源", "children": "下级指标", "filename": "文件名",
    "content_type": "文件类型", "size": "文件大小", "sha256": "文件哈希", "key": "章节",
    "username": "用户名", "schema": "格式", "version": "格式版本",
}
TEAM_PROFILE = ("name", "unit", "position", "title")
SOURCES = {"central": "中央财政", "provincial": "省级(自治区)财政", "local": "市县财政",
           "other": "其他"}
MISSING = object()


def _short(value: Any) -> str:
    if value is MISSING:
        return "（无）"
    text = repr(value) if not isinstance(value, str) else f"'{value}'"
    return text if len(text) <= 40 else text[:37] + "…'"


def align_reference_data(snapshot: dict[str, Any], live: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``live`` with the snapshot's reference data (see the module docstring)."""
    out = dict(live)
    if isinstance(snapshot.get("unit"), dict) and isinstance(live.get("unit"), dict):
        out["unit"] = {**live["unit"], "name": snapshot["unit"].get("name")}
    if "grade_scheme" in snapshot:
        out["grade_scheme"] = snapshot["grade_scheme"]
    old_team = {m.get("username"): m for m in snapshot.get("team") or []}
    team = []
    for member in live.get("team") or []:
        was = old_team.get(member.get("username"))
        if was is not None:
            member = {**member, **{k: was.get(k) for k in TEAM_PROFILE if k in was}}
        team.append(member)
    out["team"] = team
    return out


def _where(path: list[Any], snapshot: dict[str, Any]) -> str:
    """A path such as ['indicators', 1, 'children', 0, 'actual'] in words."""
    words: list[str] = []
    node: Any = snapshot
    i = 0
    while i < len(path):
        key = path[i]
        nxt = path[i + 1] if i + 1 < len(path) else None
        child = node.get(key, MISSING) if isinstance(node, dict) else MISSING
        if key in ("indicators", "children") and isinstance(nxt, int):
            item = child[nxt] if isinstance(child, list) and nxt < len(child) else {}
            words = [w for w in words if not w.startswith("指标")]
            code = item.get("code") if isinstance(item, dict) else None
            name = item.get("name") if isinstance(item, dict) else None
            words.append(f"指标 {code or nxt + 1}「{name or ''}」")
            node, i = item, i + 2
            continue
        if isinstance(nxt, int) and key in FIELD_LABELS:
            item = child[nxt] if isinstance(child, list) and nxt < len(child) else {}
            label = FIELD_LABELS[key]
            hint = ""
            if isinstance(item, dict):
                source = item.get("source")
                hint = str(item.get("name") or item.get("category")
                           or SOURCES.get(source, source) or item.get("title")
                           or item.get("username") or "")
            words.append(f"{label}第 {nxt + 1} 项" + (f"「{hint}」" if hint else ""))
            node, i = item, i + 2
            continue
        words.append(FIELD_LABELS.get(key, str(key)) if isinstance(key, str)
                     else f"第 {key + 1} 项")
        node, i = child, i + 1
    return "的".join(words) if words else "内容"


def _walk(a: Any, b: Any, path: list[Any]) -> list[Any] | None:
    if isinstance(a, dict) and isinstance(b, dict):
        for key in list(a) + [k for k in b if k not in a]:
            found = _walk(a.get(key, MISSING), b.get(key, MISSING), [*path, key])
            if found is not None:
                return found
        return None
    if isinstance(a, list) and isinstance(b, list):
        for index in range(max(len(a), len(b))):
            found = _walk(a[index] if index < len(a) else MISSING,
                          b[index] if index < len(b) else MISSING, [*path, index])
            if found is not None:
                return found
        return None
    return None if a == b and type(a) is type(b) else path


def _at(doc: Any, path: list[Any]) -> Any:
    for key in path:
        if isinstance(doc, dict):
            doc = doc.get(key, MISSING)
        elif isinstance(doc, list) and isinstance(key, int) and key < len(doc):
            doc = doc[key]
        else:
            return MISSING
    return doc


def _team_change(snapshot: dict[str, Any], live: dict[str, Any]) -> str | None:
    """Members removed from or added to the team (by username), if any."""
    before = [m.get("username") for m in snapshot.get("team") or []]
    after = [m.get("username") for m in live.get("team") or []]
    names = {m.get("username"): m.get("name") for m in snapshot.get("team") or []}
    names.update({m.get("username"): m.get("name") for m in live.get("team") or []})
    removed = [u for u in before if u not in after]
    added = [u for u in after if u not in before]
    if not removed and not added:
        return None
    parts = []
    if removed:
        parts.append("快照中的成员 " + "、".join(f"{names.get(u)}（{u}）" for u in removed)
                     + " 不在现行工作组中")
    if added:
        parts.append("现行工作组多出成员 " + "、".join(f"{names.get(u)}（{u}）" for u in added))
    return "评价工作组与已提交的快照不符：" + "；".join(parts)


def first_difference(snapshot: dict[str, Any], live: dict[str, Any]) -> str | None:
    """The first field (document order) where the live content differs from the snapshot, in
    Chinese with both values; None when they are equal. A changed team membership is named
    by its members rather than by position."""
    path = _walk(snapshot, live, [])
    if path is not None and path[0] == "team":
        change = _team_change(snapshot, live)
        if change:
            return change
    if path is None:
        return None
    return (f"{_where(path, snapshot)}与已提交的快照不符：快照为 {_short(_at(snapshot, path))}，"
            f"现为 {_short(_at(live, path))}")
