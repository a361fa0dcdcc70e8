"""Helpers of the list tests: a query counter and a bulk loader of evaluations (core inserts,
so a thousand rows take a fraction of a second)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import event, insert, select

from tests.factories import walk_states
from workflow_app.evaluations.models import Evaluation, GradeScheme, TeamMember
from workflow_app.extensions import db
from workflow_app.workflow.states import EvaluationState


class QueryCounter:
    """Counts the statements an engine executes while the ``with`` block runs."""

    def __init__(self, engine: Any):
        self.engine = engine
        self.count = 0
        self.statements: list[str] = []

    def _on_execute(self, conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001, PLR0913
        self.count += 1
        self.statements.append(statement)

    def __enter__(self) -> QueryCounter:
        event.listen(self.engine, "before_cursor_execute", self._on_execute)
        return self

    def __exit__(self, *exc: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self._on_execute)


GRADES = ["优秀", "良好", "一般", "较差"]
STATES = [EvaluationState.DRAFT, EvaluationState.TEAM_REVIEW, EvaluationState.LEADER_SIGNOFF,
          EvaluationState.FINANCE_ACCEPTANCE, EvaluationState.ACCEPTED,
          EvaluationState.PUBLISHED]


_batch = iter(range(1, 1_000_000))


def bulk_evaluations(n: int, *, unit_id: int, preparer_id: int, scheme: GradeScheme,
                     states: list[EvaluationState] | None = None,
                     years: tuple[int, ...] = (2022, 2023, 2024),
                     team: list[tuple[int, str]] | None = None) -> list[int]:
    """Insert ``n`` header-only evaluations of one unit with stored scores, cycling through
    states, years and grades (no indicators: list pages read only the stored columns), each
    with ``team`` (user id, role) as its evaluation team; returns their ids."""
    states = states or STATES
    tag = f"批量{next(_batch)}-"
    rows = []
    for i in range(n):
        total = Decimal(55 + (i * 7) % 45)
        rows.append({
            "kind": "project", "fiscal_year": years[i % len(years)], "unit_id": unit_id,
            "project_name": f"{tag}项目{i:05d}", "preparer_id": preparer_id,
            "preparer_name": "批量", "grade_scheme_id": scheme.id,
            "state": "draft", "revision_number": 1, "version": 1,
            "total_weight": Decimal(100), "timing": "ex_post", "method": "self",
            "self_total": total, "computed_total": total - 1, "open_leaves": i % 3,
            "grade": GRADES[i % 4],
        })
    db.session.execute(insert(Evaluation), rows)
    ids = list(db.session.scalars(select(Evaluation.id).where(
        Evaluation.project_name.like(f"{tag}%")).order_by(Evaluation.id)))
    if team:
        db.session.execute(insert(TeamMember), [
            {"evaluation_id": eid, "user_id": uid, "role": role, "position": pos}
            for eid in ids for pos, (uid, role) in enumerate(team, 1)])
    # Content first, then along the workflow (the database refuses anything else).
    walk_states({eid: states[i % len(states)] for i, eid in enumerate(ids)})
    return ids
