"""A small world for the workflow tests: a bureau, a unit, its people and an evaluation."""

from __future__ import annotations

from dataclasses import dataclass

from workflow_app.auth.models import User
from workflow_app.evaluations.models import Evaluation
from workflow_app.extensions import db
from workflow_app.workflow.operations import fire
from workflow_app.workflow.states import EvaluationState, TeamRole

S = EvaluationState


@dataclass
class World:
    """Everyone who acts on one evaluation, plus outsiders."""

    evaluation: Evaluation
    preparer: User
    leader: User
    member1: User
    member2: User
    finance: User
    colleague: User  # same unit, not on the team
    outsider: User  # another unit
    other_finance: User  # a finance officer of another bureau

    @property
    def members(self) -> list[User]:
        return [self.member1, self.member2]

    def go(self, target: S) -> Evaluation:
        """Walk the evaluation through the real operations up to ``target``."""
        e = self.evaluation
        path = [S.TEAM_REVIEW, S.LEADER_SIGNOFF, S.FINANCE_ACCEPTANCE, S.ACCEPTED,
                S.PUBLISHED]
        if target == S.DRAFT:
            return e
        fire(e, "submit", self.preparer)
        for state in path[1:path.index(target) + 1]:
            if state == S.LEADER_SIGNOFF:
                fire(e, "sign", self.member1)
                fire(e, "sign", self.member2)
            elif state == S.FINANCE_ACCEPTANCE:
                fire(e, "approve", self.leader)
            elif state == S.ACCEPTED:
                fire(e, "accept", self.finance)
            elif state == S.PUBLISHED:
                fire(e, "publish", self.finance)
        db.session.flush()
        assert e.state == target
        return e


def build_world(make) -> World:
    """Create the world (flushed, not committed)."""
    bureau = make.bureau()
    unit = make.unit(bureau=bureau)
    preparer = make.user(unit, is_preparer=True, name="填报人甲")
    leader = make.user(unit, name="组长乙")
    member1 = make.user(unit, name="成员丙")
    member2 = make.user(unit, name="成员丁")
    colleague = make.user(unit, name="同事戊")
    finance = make.user(bureau, is_finance_officer=True, name="财政己")
    other_bureau = make.bureau()
    other_finance = make.user(other_bureau, is_finance_officer=True, name="外局庚")
    outsider = make.user(make.unit(bureau=bureau), is_preparer=True, name="外单位辛")
    evaluation = make.evaluation(
        unit, preparer=preparer,
        team=[(leader, TeamRole.LEADER), (member1, TeamRole.MEMBER),
              (member2, TeamRole.DEPUTY)])
    return World(evaluation, preparer, leader, member1, member2, finance, colleague,
                 outsider, other_finance)
