"""The states of an evaluation and the team roles. Pure: no database, no Flask."""

from __future__ import annotations

import enum


class EvaluationState(enum.StrEnum):
    """Where an evaluation stands in the workflow (see DOMAIN.md, "The workflow")."""

    DRAFT = "draft"
    TEAM_REVIEW = "team_review"
    LEADER_SIGNOFF = "leader_signoff"
    FINANCE_ACCEPTANCE = "finance_acceptance"
    ACCEPTED = "accepted"
    PUBLISHED = "published"

    @property
    def label(self) -> str:
        return STATE_LABELS[self]

    @property
    def scores_locked(self) -> bool:
        """Scores lock when the leader approves; from then on they never change."""
        return self in (
            EvaluationState.FINANCE_ACCEPTANCE,
            EvaluationState.ACCEPTED,
            EvaluationState.PUBLISHED,
        )


STATE_LABELS = {
    EvaluationState.DRAFT: "草稿",
    EvaluationState.TEAM_REVIEW: "工作组会签",
    EvaluationState.LEADER_SIGNOFF: "组长审定",
    EvaluationState.FINANCE_ACCEPTANCE: "财政局验收",
    EvaluationState.ACCEPTED: "已验收",
    EvaluationState.PUBLISHED: "已公开",
}


class TeamRole(enum.StrEnum):
    """A member's role in the evaluation team (评价工作组)."""

    LEADER = "leader"
    DEPUTY = "deputy"
    MEMBER = "member"

    @property
    def label(self) -> str:
        return {"leader": "组长", "deputy": "副组长", "member": "成员"}[self.value]
