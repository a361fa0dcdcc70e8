"""The workflow, declared once as a table, and the one module-level machine built from it.

The machine keeps no records bound to it (the transitions FAQ, "memory footprint"): each firing
wraps the evaluation, the actor and the arguments in a short-lived :class:`Firing` and calls
``MACHINE.events[trigger].trigger(firing)``. The table's conditions are the guards; their names
say what a failure means:

- ``actor_*`` — who may fire it (a failure is PermissionDenied, HTTP 403);
- ``state_*`` — whether the evaluation's situation allows it (TransitionNotAllowed, 409);
- ``rule_*`` — whether the content or the input is acceptable (WorkflowError, 422);
- anything else chooses between two rows of the same trigger (``is_last_signature``).

``may`` / ``available_triggers`` (the UI's ``may_<trigger>``) look at ``actor_*`` and ``state_*``
only: a return button is shown before its reason is typed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from transitions import Machine

from workflow_app.auth.models import User
from workflow_app.evaluations.models import Evaluation, TeamMember
from workflow_app.text import clause, sentence
from workflow_app.workflow import revisions as rv
from workflow_app.workflow import steps
from workflow_app.workflow.errors import PermissionDenied, TransitionNotAllowed, WorkflowError
from workflow_app.workflow.models import Revision
from workflow_app.workflow.states import EvaluationState, TeamRole

S = EvaluationState
STATES = [s.value for s in EvaluationState]

TRIGGER_LABELS = {
    "submit": "提交会签",
    "withdraw": "撤回",
    "sign": "会签",
    "approve": "审定通过",
    "return": "退回",
    "accept": "验收",
    "publish": "公开",
}

# The table. Keys the library does not know ("who") document the row and label the diagram.
TABLE: list[dict[str, Any]] = [
    {"trigger": "submit", "source": S.DRAFT, "dest": S.TEAM_REVIEW, "who": "填报人",
     "conditions": ["actor_is_preparer", "rule_preparer_is_not_leader", "rule_team_is_formed",
                    "rule_team_has_no_administrator", "rule_content_is_complete",
                    "rule_review_has_no_errors"],
     "before": "freeze_revision"},
    {"trigger": "withdraw", "source": S.TEAM_REVIEW, "dest": S.DRAFT, "who": "填报人",
     "conditions": ["actor_is_preparer", "state_nobody_signed"],
     "before": "close_revision"},
    {"trigger": "sign", "source": S.TEAM_REVIEW, "dest": None, "who": "成员",
     "conditions": ["actor_is_pending_signer", "actor_is_independent_signer"],
     "unless": ["is_last_signature"],
     "before": "record_signature"},
    {"trigger": "sign", "source": S.TEAM_REVIEW, "dest": S.LEADER_SIGNOFF, "who": "最后一位成员",
     "conditions": ["actor_is_pending_signer", "actor_is_independent_signer",
                    "is_last_signature"],
     "before": "record_signature"},
    {"trigger": "approve", "source": S.LEADER_SIGNOFF, "dest": S.FINANCE_ACCEPTANCE,
     "who": "组长", "conditions": ["actor_is_leader", "state_all_members_signed"],
     "before": "record_approval"},
    {"trigger": "return", "source": S.TEAM_REVIEW, "dest": S.DRAFT, "who": "成员",
     "conditions": ["actor_is_team_member", "rule_has_reason"], "before": "close_revision"},
    {"trigger": "return", "source": S.LEADER_SIGNOFF, "dest": S.DRAFT, "who": "组长",
     "conditions": ["actor_is_leader", "rule_has_reason"], "before": "close_revision"},
    {"trigger": "return", "source": [S.FINANCE_ACCEPTANCE, S.ACCEPTED], "dest": S.DRAFT,
     "who": "财政局", "conditions": ["actor_is_finance_officer", "rule_has_reason"],
     "before": "close_revision"},
    {"trigger": "accept", "source": S.FINANCE_ACCEPTANCE, "dest": S.ACCEPTED, "who": "财政局",
     "conditions": ["actor_is_finance_officer", "rule_reviews_are_valid"],
     "before": "record_reviews"},
    {"trigger": "publish", "source": S.ACCEPTED, "dest": S.PUBLISHED, "who": "财政局",
     "conditions": ["actor_is_finance_officer"], "before": "publish_report"},
]

TRIGGERS = list(dict.fromkeys(row["trigger"] for row in TABLE))
_LIBRARY_KEYS = {"trigger", "source", "dest", "conditions", "unless", "before", "after",
                 "prepare"}


def _value(state: Any) -> Any:
    if state is None:
        return None
    if isinstance(state, list | tuple):
        return [_value(s) for s in state]
    return EvaluationState(state).value


def machine_rows() -> list[dict[str, Any]]:
    """The table as the transitions library reads it (plain state names, known keys only)."""
    rows = []
    for row in TABLE:
        clean = {k: v for k, v in row.items() if k in _LIBRARY_KEYS}
        clean["source"] = _value(row["source"])
        clean["dest"] = _value(row["dest"])
        rows.append(clean)
    return rows


def sources(row: dict[str, Any]) -> list[str]:
    """The source state names of a table row."""
    src = _value(row["source"])
    return src if isinstance(src, list) else [src]


MACHINE = Machine(
    model=None,
    states=STATES,
    transitions=machine_rows(),
    initial=S.DRAFT.value,
    auto_transitions=False,
    send_event=True,
    after_state_change=["record_step"],
)


@dataclass
class Firing:
    """One firing of one trigger: the evaluation, who fires it and with what.

    The machine reads and writes ``state`` (the evaluation's) and calls the condition and
    callback methods by the names in the table.
    """

    evaluation: Evaluation
    actor: User
    trigger: str
    reason: str = ""
    comment: str = ""
    client_address: str = ""
    reviews: dict[str, dict[str, Any]] | None = None
    on_behalf_of: User | None = None
    from_state: str = ""
    result: dict[str, Any] = field(default_factory=dict)
    _revision: Revision | None = None
    _revision_loaded: bool = False
    # The guards ask several times who still has to sign and for whom the actor may sign;
    # the answer holds for the firing until a signature or a revision is written.
    _pending: list[TeamMember] | None = None
    _signable: list[User] | None = None

    # -- the state the machine reads and writes
    @property
    def state(self) -> str:
        return self.evaluation.state.value

    @state.setter
    def state(self, value: str) -> None:
        self.evaluation.state = EvaluationState(value)

    @property
    def revision(self) -> Revision | None:
        """The revision under review (loaded once per firing)."""
        if not self._revision_loaded:
            self._revision = rv.current_revision(self.evaluation)
            self._revision_loaded = True
        return self._revision

    def forget_revision(self) -> None:
        """Reload the revision next time (after submit created one)."""
        self._revision_loaded = False
        self.forget_signers()

    def forget_signers(self) -> None:
        """Ask the database again who has signed (after a signature was written)."""
        self._pending = None
        self._signable = None

    def pending(self) -> list[TeamMember]:
        """Required signers who have not signed the revision under review (once per firing)."""
        if self._pending is None:
            self._pending = rv.pending_signers(self.evaluation, self.revision)
        return self._pending

    @property
    def team_role(self) -> str:
        """The actor's role for the audit trail: team role, finance officer or preparer."""
        if self.trigger in ("accept", "publish") or (
            self.trigger == "return" and self.from_state in (S.FINANCE_ACCEPTANCE.value,
                                                            S.ACCEPTED.value)
        ):
            return "finance_officer"
        if self.trigger in ("submit", "withdraw"):
            return "preparer"
        member = self.evaluation.member_for(self.actor)
        if member is not None:
            return member.role.value
        if self.trigger == "sign" and self.signing_for() is not None:
            return "delegate"
        return self.actor.primary_role

    # -- actor_* : who
    def actor_is_preparer(self, event: Any = None) -> bool:
        """A preparer (填报人) of the evaluation's unit (never an administrator: 三员分立)."""
        return bool(self.actor.is_preparer and self.actor.unit_id == self.evaluation.unit_id
                    and not self.actor.is_administrator)

    def actor_is_leader(self, event: Any = None) -> bool:
        """The team leader (组长); an administrator on a team signs nothing (三员分立)."""
        if self.actor.is_administrator:
            return False
        member = self.evaluation.member_for(self.actor)
        return member is not None and member.role == TeamRole.LEADER

    def actor_is_team_member(self, event: Any = None) -> bool:
        """Anyone on the evaluation team (not an administrator)."""
        if self.actor.is_administrator:
            return False
        return self.evaluation.member_for(self.actor) is not None

    def actor_is_finance_officer(self, event: Any = None) -> bool:
        """A finance officer of the bureau that oversees the evaluation's unit."""
        return bool(
            self.actor.is_finance_officer
            and not self.actor.is_administrator
            and self.evaluation.unit.bureau_id is not None
            and self.actor.unit_id == self.evaluation.unit.bureau_id
        )

    def actor_is_pending_signer(self, event: Any = None) -> bool:
        """A member (not the leader) who may sign this revision, or their delegate (转交).

        A member who has already signed is "who" enough; ``state_*`` does not apply here, the
        refusal then says they have signed (see :func:`refusal`).
        """
        if self.actor.is_administrator:
            return False
        return self.signing_for() is not None

    def actor_is_independent_signer(self, event: Any = None) -> bool:
        """A delegate (转交) or a signer added by 加签 is neither the preparer nor the leader:
        the author does not sign the review of their own report; the leader approves alone."""
        signer = self.signing_for()
        member = self.evaluation.member_for(self.actor)
        for_someone_else = signer is not None and signer.id != self.actor.id
        added = member is not None and member.added_in_review
        if not (for_someone_else or added):
            return True
        return dependent_signer_reason(self.evaluation, self.actor) is None

    def signing_for(self) -> User | None:
        """Whose signature this firing gives: the actor, or the member named in on_behalf_of."""
        if self._signable is None:
            self._signable = rv.signable_members(self.evaluation, self.revision, self.actor)
        members = self._signable
        if self.on_behalf_of is not None:
            return next((m for m in members if m.id == self.on_behalf_of.id), None)
        own = next((m for m in members if m.id == self.actor.id), None)
        if own is not None:
            return own
        return members[0] if len(members) == 1 else None

    # -- state_* : the situation
    def state_nobody_signed(self, event: Any = None) -> bool:
        """No signature on the revision under review yet."""
        return not rv.signatures_of(self.revision)

    def state_all_members_signed(self, event: Any = None) -> bool:
        """Every required member signed the revision under review (computed from rows)."""
        return not self.pending()

    # -- branch
    def is_last_signature(self, event: Any = None) -> bool:
        """This signature is the last one missing (会签 complete)."""
        signer = self.signing_for()
        pending = self.pending()
        return signer is not None and [m.user_id for m in pending] == [signer.id]

    # -- rule_* : content and input
    def rule_preparer_is_not_leader(self, event: Any = None) -> bool:
        """Separation of duties: whoever prepares it does not lead the team that approves it."""
        leader = self.evaluation.leader
        return leader is None or leader.id not in (self.actor.id, self.evaluation.preparer_id)

    def rule_team_is_formed(self, event: Any = None) -> bool:
        """A leader and at least one other member."""
        return self.evaluation.leader is not None and bool(rv.required_signers(self.evaluation))

    def rule_team_has_no_administrator(self, event: Any = None) -> bool:
        """三员分立: no system, security or audit administrator is on the team."""
        return not any(m.user is not None and m.user.is_administrator
                       for m in self.evaluation.team)

    def rule_content_is_complete(self, event: Any = None) -> bool:
        """The scoring engine finds no problem in the working copy."""
        return not self.content_problems()

    def content_problems(self) -> list[str]:
        """Chinese problems that stop a submission."""
        from workflow_app.evaluations.scorecard import score_evaluation
        from workflow_app.evaluations.scoring import ScoringError

        try:
            result = score_evaluation(self.evaluation)
        except ScoringError as exc:
            return [str(exc)]
        return [p.message for p in result.problems]

    def rule_review_has_no_errors(self, event: Any = None) -> bool:
        """The consistency review (审查) finds no error; warnings and notes do not block."""
        return not self.consistency_errors()

    def consistency_errors(self) -> list[str]:
        """Chinese messages of the consistency review's errors in the working copy."""
        from workflow_app.evaluations.findings import blocking_reasons

        return blocking_reasons(self.evaluation)

    def rule_has_reason(self, event: Any = None) -> bool:
        """A return needs a reason."""
        return bool((self.reason or "").strip())

    def rule_reviews_are_valid(self, event: Any = None) -> bool:
        """Each 复核 score is a number within its indicator's weight in the revision."""
        return not self.review_problems()

    def review_problems(self) -> list[str]:
        """Chinese problems of the finance bureau's re-check input."""
        return list(self.review_errors().values())

    def review_errors(self) -> dict[str, str]:
        """The re-check problems keyed by the form field they concern
        (``review_score_<code>``), so the form can show each one at its input."""
        if not self.reviews:
            return {}
        leaves = steps.revision_leaves(self.revision) if self.revision else {}
        errors: dict[str, str] = {}
        for code, item in self.reviews.items():
            field_ = f"review_score_{code}"
            leaf = leaves.get(code)
            if leaf is None:
                errors[field_] = f"复核的指标 {code} 不存在"
                continue
            raw = (item or {}).get("score")
            if raw in (None, ""):
                continue
            try:
                score = Decimal(str(raw).strip())
            except InvalidOperation:
                errors[field_] = f"指标 {code}「{leaf['name']}」的复核得分“{raw}”不是数字"
                continue
            weight = Decimal(leaf["weight"])
            if not score.is_finite() or not Decimal(0) <= score <= weight:
                errors[field_] = (f"指标 {code}「{leaf['name']}」的复核得分 {raw} "
                                  f"超出 0–{leaf['weight']} 分的范围")
            elif score.as_tuple().exponent < -2:
                errors[field_] = f"指标 {code}「{leaf['name']}」的复核得分最多两位小数"
        return errors

    # -- callbacks (the rows are written by workflow.steps)
    def freeze_revision(self, event: Any = None) -> None:
        """submit: the working copy becomes a revision with its canonical snapshot and hash."""
        self.result["revision"] = steps.freeze_revision(self)
        self.forget_revision()

    def close_revision(self, event: Any = None) -> None:
        """return / withdraw: the revision stays on record; the next one opens."""
        steps.close_revision(self)

    def record_signature(self, event: Any = None) -> None:
        """sign: one Signature row bound to the revision's content hash."""
        self.result["signature"] = steps.record_signature(self, self.signing_for())
        self.forget_signers()

    def record_approval(self, event: Any = None) -> None:
        """approve: the leader's signature (审定); the scores lock."""
        self.result["signature"] = steps.record_approval(self)

    def record_reviews(self, event: Any = None) -> None:
        """accept: the finance bureau's re-check scores beside the self-scores."""
        steps.record_reviews(self)

    def publish_report(self, event: Any = None) -> None:
        """publish: the fixed report artifact."""
        steps.publish_report(self)

    def record_step(self, event: Any = None) -> None:
        """After every transition: the audit event and the notifications."""
        steps.record_step(self)


def dependent_signer_reason(evaluation: Evaluation, user: User) -> str | None:
    """Why this user may not sign for a member (转交) nor be added as a signer (加签): they
    prepared the report or lead the team. None when they may. The ``sign`` guard, the 转交
    and 加签 operations and their pickers all ask this."""
    if user.id == evaluation.preparer_id:
        return f"{user.name} 是本评价的填报人，不能代签或加签：填报人不能会签自己编制的报告。"
    leader = evaluation.leader
    if leader is not None and user.id == leader.id:
        return f"{user.name} 是评价工作组组长，不能代签或加签：组长须在会签后独立审定。"
    return None


# --------------------------------------------------------------------------- asking


def _rows_for(trigger: str, state: str) -> list[dict[str, Any]]:
    return [r for r in TABLE if r["trigger"] == trigger and state in sources(r)]


def _failures(firing: Firing, row: dict[str, Any], prefixes: tuple[str, ...]) -> list[str]:
    failed = [c for c in row.get("conditions", []) if c.startswith(prefixes)
              and not getattr(firing, c)()]
    failed += [c for c in row.get("unless", []) if c.startswith(prefixes)
               and getattr(firing, c)()]
    return failed


def trigger_label(trigger: str) -> str:
    """The Chinese name of a trigger."""
    return TRIGGER_LABELS.get(trigger, trigger)


def refusal(firing: Firing, *, check_input: bool = True) -> WorkflowError | None:
    """Why this firing may not happen (the error to raise), or None when it may."""
    state = firing.state
    rows = _rows_for(firing.trigger, state)
    label = trigger_label(firing.trigger)
    if firing.trigger not in TRIGGERS:
        return TransitionNotAllowed(f"未知的操作：{firing.trigger}")
    if not rows:
        return TransitionNotAllowed(
            f"该评价当前处于「{EvaluationState(state).label}」阶段，不能执行「{label}」。")
    prefixes = ("actor_", "state_", "rule_") if check_input else ("actor_", "state_")
    failures = [_failures(firing, row, prefixes) for row in rows]
    if any(not f for f in failures):
        return None
    failed = failures[0]
    first = failed[0]
    if first.startswith("actor_"):
        return PermissionDenied(_permission_message(firing, first, label))
    if first.startswith("state_"):
        return TransitionNotAllowed(_STATE_MESSAGES[first])
    error = WorkflowError(_rule_message(firing, first))
    if first == "rule_reviews_are_valid":
        error.errors = firing.review_errors()  # shown at each input of the form
    return error


def _permission_message(firing: Firing, condition: str, label: str) -> str:
    if firing.actor.is_administrator:
        return f"管理员（三员）不参与编制、会签、审定和验收，不能执行「{label}」。"
    if condition == "actor_is_independent_signer":
        return dependent_signer_reason(firing.evaluation, firing.actor) or "不能代签。"
    if condition == "actor_is_pending_signer":
        revision = firing.revision
        if revision is not None and firing.actor_is_team_member():
            if any(s.member_id == firing.actor.id for s in rv.signatures_of(revision)):
                return f"您已签署第 {revision.number} 版，每位成员每版只签一次。"
            if firing.actor_is_leader():
                return "组长不参加会签，请在全体成员会签后审定。"
        if firing.on_behalf_of is not None:
            return f"{firing.on_behalf_of.name} 未将本版的签字转交给您，或已签字。"
        return "只有评价工作组成员（组长除外）或受其转交的人员可以会签。"
    who = {
        "actor_is_preparer": "本单位的填报人",
        "actor_is_leader": "评价工作组组长",
        "actor_is_team_member": "评价工作组成员",
        "actor_is_finance_officer": "主管财政局的审核人员",
    }[condition]
    return f"只有{who}可以执行「{label}」。"


_STATE_MESSAGES = {
    "state_nobody_signed": "已有成员签字，不能撤回；如需修改，请由成员退回。",
    "state_all_members_signed": "尚有成员未会签，组长暂不能审定。",
}


def _rule_message(firing: Firing, condition: str) -> str:
    if condition == "rule_content_is_complete":
        problems = firing.content_problems()
        more = f"等 {len(problems)} 个问题" if len(problems) > 3 else ""
        return sentence("评价内容尚不完整，不能提交：" + "；".join(clause(p) for p in problems[:3])
                        + more)
    if condition == "rule_review_has_no_errors":
        errors = firing.consistency_errors()
        more = f"等 {len(errors)} 处" if len(errors) > 3 else ""
        return ("一致性审查发现错误，不能提交：" + "；".join(clause(e) for e in errors[:3])
                + more + "。请按审查意见修改后再提交。")
    if condition == "rule_reviews_are_valid":
        return sentence("复核意见有误：" + "；".join(clause(p) for p in firing.review_problems()))
    return {
        "rule_preparer_is_not_leader": "填报人不能担任评价工作组组长（不相容职务分离），"
                                       "请调整工作组后再提交。",
        "rule_team_is_formed": "评价工作组须有一名组长和至少一名其他成员，才能提交会签。",
        "rule_has_reason": "退回必须填写理由。",
        "rule_team_has_no_administrator": "系统管理员、安全管理员、审计管理员不能担任评价工作组"
                                          "成员（三员分立），请调整工作组后再提交。",
    }[condition]


def may(evaluation: Evaluation, user: User, trigger: str) -> bool:
    """May this user fire this trigger now? (who and when; input is checked on firing)."""
    if user is None or not getattr(user, "is_authenticated", True):
        return False
    firing = Firing(evaluation=evaluation, actor=user, trigger=trigger)
    return refusal(firing, check_input=False) is None


def available_triggers(evaluation: Evaluation, user: User) -> list[str]:
    """The triggers this user may fire now, in table order (the UI's buttons)."""
    return [t for t in TRIGGERS if may(evaluation, user, t)]
