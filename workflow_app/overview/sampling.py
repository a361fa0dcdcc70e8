"""抽查: draw a recorded random sample of accepted evaluations for re-check.

The draw is an operation like any other: checked, stored (``SpotCheck`` + its items), audited,
flushed, never committed. It is reproducible by anyone holding the record: the population is
the accepted (已验收 or 已公开) evaluations of the bureau's units in the year, sorted by id, and
the items are ``random.Random(seed).sample(population, size)``; the SHA-256 of the population's
ids shows whether the population is still the one drawn from.
"""

from __future__ import annotations

import hashlib
import random
import re
import secrets

from sqlalchemy import select

from workflow_app.audit import trail
from workflow_app.auth.models import User
from workflow_app.evaluations.models import Evaluation
from workflow_app.extensions import db
from workflow_app.overview.models import SpotCheck, SpotCheckItem
from workflow_app.units.models import Unit
from workflow_app.workflow.errors import PermissionDenied, WorkflowError
from workflow_app.workflow.states import EvaluationState

MAX_SIZE = 100
SEED_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
ACCEPTED_STATES = (EvaluationState.ACCEPTED, EvaluationState.PUBLISHED)


def can_draw(user: User) -> bool:
    """Finance officers of a bureau draw samples of their own units."""
    return bool(user.is_finance_officer and user.unit.is_bureau)


def population(bureau_id: int, year: int) -> list[int]:
    """Ids of the accepted evaluations of the bureau's units in the year, ascending."""
    return list(db.session.scalars(
        select(Evaluation.id).where(
            Evaluation.unit_id.in_(select(Unit.id).where(Unit.bureau_id == bureau_id)),
            Evaluation.fiscal_year == year, Evaluation.state.in_(ACCEPTED_STATES))
        .order_by(Evaluation.id)))


def population_hash(ids: list[int]) -> str:
    """SHA-256 of the population's ids ("1,5,9")."""
    return hashlib.sha256(",".join(map(str, ids)).encode()).hexdigest()


def draw(ids: list[int], seed: str, size: int) -> list[int]:
    """The sample, in draw order (pure: the same arguments always give the same items)."""
    return random.Random(seed).sample(ids, size)


def draw_spot_check(actor: User, year: object, size: object, seed: object = "") -> SpotCheck:
    """Draw and record a sample; raises PermissionDenied or WorkflowError (Chinese)."""
    if not can_draw(actor):
        raise PermissionDenied("只有财政局的工作人员可以抽查。")
    try:
        year = int(str(year).strip())
    except ValueError:
        raise WorkflowError("请填写抽查的年度。") from None
    if not 2000 <= year <= 2100:
        raise WorkflowError("年度应在 2000–2100 之间。")
    try:
        size = int(str(size).strip())
    except ValueError:
        raise WorkflowError("抽查数量应为整数。") from None
    if not 1 <= size <= MAX_SIZE:
        raise WorkflowError(f"抽查数量应在 1–{MAX_SIZE} 之间。")
    seed = str(seed or "").strip()
    if seed and not SEED_RE.match(seed):
        raise WorkflowError("随机种子只能由字母、数字、下划线和连字符组成（最多 64 个字符）。")
    seed = seed or secrets.token_hex(8)
    ids = population(actor.unit_id, year)
    if not ids:
        raise WorkflowError(f"{year} 年度没有已验收的评价，无法抽查。")
    if size > len(ids):
        raise WorkflowError(f"抽查数量不能超过 {year} 年度已验收的评价数（{len(ids)} 项）。")
    chosen = draw(ids, seed, size)
    spot = SpotCheck(bureau_id=actor.unit_id, fiscal_year=year, drawn_by_id=actor.id,
                     seed=seed, size=size, population=len(ids),
                     population_sha256=population_hash(ids))
    spot.items = [SpotCheckItem(evaluation_id=e, position=i) for i, e in enumerate(chosen, 1)]
    db.session.add(spot)
    db.session.flush()
    trail.record("spot_check", actor, role="finance",
                 detail={"spot_check": spot.id, "fiscal_year": year, "seed": seed,
                         "size": size, "population": len(ids),
                         "population_sha256": spot.population_sha256, "items": chosen})
    return spot


def spot_checks(bureau_id: int, limit: int = 20) -> list[SpotCheck]:
    """The bureau's latest draws, newest first (items loaded in one more query)."""
    from sqlalchemy.orm import selectinload

    return list(db.session.scalars(
        select(SpotCheck).where(SpotCheck.bureau_id == bureau_id)
        .options(selectinload(SpotCheck.items).selectinload(SpotCheckItem.evaluation))
        .order_by(SpotCheck.id.desc()).limit(limit)))
