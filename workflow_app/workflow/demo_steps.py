"""Walk a demo evaluation through the real workflow operations up to a target state."""

from __future__ import annotations

from sqlalchemy import select

from workflow_app.auth.models import User
from workflow_app.evaluations.models import Evaluation
from workflow_app.extensions import db
from workflow_app.workflow import revisions as rv
from workflow_app.workflow.operations import fire
from workflow_app.workflow.states import EvaluationState

S = EvaluationState
ORDER = [S.DRAFT, S.TEAM_REVIEW, S.LEADER_SIGNOFF, S.FINANCE_ACCEPTANCE, S.ACCEPTED,
         S.PUBLISHED]
DEMO_ADDRESS = "127.0.0.1"


def _finance_officer(evaluation: Evaluation, users: dict[str, User]) -> User:
    officer = users.get("finance")
    if officer is not None and officer.unit_id == evaluation.unit.bureau_id:
        return officer
    found = db.session.scalar(select(User).where(
        User.unit_id == evaluation.unit.bureau_id, User.is_finance_officer).order_by(User.id))
    if found is None:
        raise RuntimeError("演示数据缺少财政局审核人员")
    return found


def advance(evaluation: Evaluation, target: EvaluationState, users: dict[str, User]) -> None:
    """Fire submit, every member's sign, approve, accept and publish as needed for ``target``."""
    target = EvaluationState(target)
    while ORDER.index(evaluation.state) < ORDER.index(target):
        state = evaluation.state
        if state == S.DRAFT:
            fire(evaluation, "submit", evaluation.preparer, client_address=DEMO_ADDRESS)
        elif state == S.TEAM_REVIEW:
            pending = rv.pending_signers(evaluation, rv.current_revision(evaluation))
            fire(evaluation, "sign", pending[0].user, comment="同意",
                 client_address=DEMO_ADDRESS)
        elif state == S.LEADER_SIGNOFF:
            fire(evaluation, "approve", evaluation.leader, comment="同意报送财政局",
                 client_address=DEMO_ADDRESS)
        elif state == S.FINANCE_ACCEPTANCE:
            fire(evaluation, "accept", _finance_officer(evaluation, users),
                 comment="资料齐全，同意验收", client_address=DEMO_ADDRESS)
        elif state == S.ACCEPTED:
            fire(evaluation, "publish", _finance_officer(evaluation, users),
                 client_address=DEMO_ADDRESS)
