"""Factories that build valid rows with sensible defaults (each call gets unique names)."""

from __future__ import annotations

import itertools
from decimal import Decimal

from workflow_app.auth.models import User
from workflow_app.evaluations.models import (
    Evaluation,
    EvaluationKind,
    GradeBand,
    GradeScheme,
    Indicator,
    RuleType,
    TeamMember,
)
from workflow_app.extensions import db
from workflow_app.units.models import Unit, UnitKind
from workflow_app.workflow.states import TeamRole

_seq = itertools.count(1)

PASSWORD = "secret-pass-1"


class Factory:
    """`make.unit()`, `make.user()`, `make.evaluation()` … each flushes and returns the row."""

    def bureau(self, name: str | None = None) -> Unit:
        unit = Unit(name=name or f"财政局{next(_seq)}", kind=UnitKind.FINANCE_BUREAU)
        db.session.add(unit)
        db.session.flush()
        return unit

    def unit(self, name: str | None = None, bureau: Unit | None = None) -> Unit:
        n = next(_seq)
        unit = Unit(
            name=name or f"测试单位{n}",
            short_name=f"单位{n}",
            kind=UnitKind.BUDGET_UNIT,
            supervising_department="测试县人民政府",
            bureau=bureau if bureau is not None else self.bureau(),
        )
        db.session.add(unit)
        db.session.flush()
        return unit

    def user(self, unit: Unit | None = None, *, username: str | None = None,
             name: str | None = None, **roles) -> User:
        n = next(_seq)
        user = User(
            username=username or f"user{n}",
            name=name or f"用户{n}",
            unit=unit if unit is not None else self.unit(),
            position="科员",
            **roles,
        )
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.flush()
        return user

    def grade_scheme(self) -> GradeScheme:
        scheme = GradeScheme(name=f"等级{next(_seq)}")
        for band_name, minimum in (("优秀", 85), ("良好", 75), ("一般", 60), ("较差", 0)):
            scheme.bands.append(GradeBand(name=band_name, min_score=Decimal(minimum)))
        db.session.add(scheme)
        db.session.flush()
        return scheme

    def evaluation(self, unit: Unit | None = None, *, preparer: User | None = None,
                   team: list[tuple[User, TeamRole]] | None = None,
                   leaves: list[tuple[str, str, str | None]] | None = None) -> Evaluation:
        """An evaluation with one first-level indicator and leaves (name, weight, score)."""
        unit = unit if unit is not None else self.unit()
        preparer = preparer or self.user(unit, is_preparer=True)
        evaluation = Evaluation(
            kind=EvaluationKind.PROJECT,
            fiscal_year=2024,
            unit=unit,
            project_name=f"测试项目{next(_seq)}",
            preparer=preparer,
            preparer_name=preparer.name,
            grade_scheme=self.grade_scheme(),
        )
        db.session.add(evaluation)
        root = Indicator(level=1, position=1, name="产出指标", weight=Decimal(100))
        evaluation.indicators.append(root)
        for i, (name, weight, score) in enumerate(
            leaves or [("数量指标", "60", "60"), ("质量指标", "40", "38")], 1
        ):
            evaluation.indicators.append(Indicator(
                parent=root, level=2, position=i, name=name,
                weight=Decimal(weight), score=Decimal(score) if score is not None else None,
                rule_type=RuleType.MANUAL, score_reason="" if score == weight else "略有不足",
            ))
        for i, (user, role) in enumerate(team or [], 1):
            evaluation.team.append(TeamMember(user=user, role=role, position=i))
        db.session.flush()
        return evaluation


# The workflow's forward path: the database accepts a state change only along the workflow
# (migration ``content_frozen``), so test setup that skips the operations walks it step by step.
FORWARD = ("draft", "team_review", "leader_signoff", "finance_acceptance", "accepted",
           "published")


def walk_states(targets: dict[int, str]) -> None:
    """TEST SETUP ONLY: move each evaluation (by id, a draft with its content complete) to
    its target state along the forward path, with set-based UPDATEs and no revision or
    signature — for list and query-count tests that need many rows in each state. Build the
    content first: once past draft the database refuses any change to it."""
    from sqlalchemy import update

    wanted = {eid: FORWARD.index(str(getattr(s, "value", s))) for eid, s in targets.items()}
    for step in range(1, len(FORWARD)):
        ids = [eid for eid, last in wanted.items() if last >= step]
        if not ids:
            break
        db.session.execute(update(Evaluation).where(Evaluation.id.in_(ids))
                           .values(state=FORWARD[step]).execution_options(
                               synchronize_session=False))
    db.session.flush()
