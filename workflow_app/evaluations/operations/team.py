"""The 评价工作组 tab: who may sit on a team, and saving the team."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from workflow_app.auth.models import User
from workflow_app.evaluations.models import Evaluation, TeamMember
from workflow_app.evaluations.operations.common import _begin, _Check, _done, _rows, _touch
from workflow_app.extensions import db
from workflow_app.units.models import Unit
from workflow_app.workflow.states import TeamRole


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
