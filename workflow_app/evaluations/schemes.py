"""Which grade scheme (评价等级方案) a document may use — imports never create one (issue 9).

A scheme decides every grade, so it is the system administrator's to set (/admin/schemes),
for one finance bureau. A document (JSON import, the API, an Excel import's template) only
*names* a scheme: ``resolve_grade_scheme`` finds the stored one the evaluation's bureau may use
and checks that the document's bands are that scheme's. The only schemes ever created here
are the national standard ones shipped with the product (the indicator frameworks' and the
demo seeds'), exactly as shipped and for all bureaus (``bureau_id`` NULL) — the rows a
migration or the demo would otherwise insert. An unknown name is refused in Chinese.
"""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import select

from workflow_app.evaluations.document import DocumentError
from workflow_app.evaluations.models import GradeBand, GradeScheme
from workflow_app.extensions import db
from workflow_app.units.models import Unit

_SEEDS = Path(__file__).resolve().parent / "seed_examples"


@cache
def national_schemes() -> dict[str, tuple[tuple[str, Decimal], ...]]:
    """{name: ((band, min), …)} of the standard schemes shipped with the product."""
    from workflow_app.evaluations.frameworks import FRAMEWORKS, load_framework

    found: dict[str, tuple[tuple[str, Decimal], ...]] = {}
    docs = [load_framework(key)["grade_scheme"] for key in FRAMEWORKS]
    for path in sorted(_SEEDS.glob("seed*.json")):
        scheme = json.loads(path.read_text(encoding="utf-8")).get("grade_scheme")
        if scheme:
            docs.append(scheme)
    for scheme in docs:
        found[scheme["name"]] = tuple(sorted((b["name"], Decimal(b["min"]))
                                             for b in scheme["bands"]))
    return found


def bureau_id_of(unit: Unit | None) -> int | None:
    """The finance bureau a unit belongs to (a bureau is its own)."""
    if unit is None:
        return None
    return unit.id if unit.is_bureau else unit.bureau_id


def usable_by(scheme: GradeScheme, unit: Unit | None) -> bool:
    """A national scheme, or one of the unit's own finance bureau."""
    return scheme.bureau_id is None or scheme.bureau_id == bureau_id_of(unit)


def _bands(name: str, bands: Any) -> tuple[tuple[str, Decimal], ...] | None:
    if bands in (None, []):
        return None
    if not isinstance(bands, list):
        raise DocumentError([f"评价等级方案“{name}”的等级格式不正确"])
    wanted = []
    for band in bands:
        try:
            wanted.append((str(band["name"]), Decimal(str(band["min"]))))
        except (KeyError, TypeError, ArithmeticError, ValueError, InvalidOperation):
            raise DocumentError([f"评价等级方案“{name}”的等级格式不正确"]) from None
    return tuple(sorted(wanted))


def default_scheme(unit: Unit | None) -> GradeScheme | None:
    """The unit's bureau's first scheme, else the first national one."""
    bureau_id = bureau_id_of(unit)
    if bureau_id is not None:
        own = db.session.scalar(select(GradeScheme).where(GradeScheme.bureau_id == bureau_id)
                                .order_by(GradeScheme.id).limit(1))
        if own is not None:
            return own
    return db.session.scalar(select(GradeScheme).where(GradeScheme.bureau_id.is_(None))
                             .order_by(GradeScheme.id).limit(1))


def resolve_grade_scheme(scheme: Any, unit: Unit | None) -> GradeScheme:
    """The stored scheme a document names for an evaluation of ``unit``; raises DocumentError.

    No name: the bureau's default. A name: the stored scheme of that name, which must be
    national or the unit's bureau's, with the document's bands if it gives any. A national
    standard scheme not yet stored is stored as shipped; any other unknown name is refused.
    """
    scheme = scheme if isinstance(scheme, dict) else {}
    name = str(scheme.get("name") or "").strip()
    if not name:
        found = default_scheme(unit)
        if found is None:
            raise DocumentError(["系统中还没有评价等级方案，请联系系统管理员设置"])
        return found
    wanted = _bands(name, scheme.get("bands"))
    existing = db.session.scalar(select(GradeScheme).where(GradeScheme.name == name))
    if existing is not None:
        if not usable_by(existing, unit):
            raise DocumentError([f"评价等级方案“{name}”属于其他财政局，本单位不能使用"])
        have = tuple(sorted((b.name, b.min_score) for b in existing.bands))
        if wanted is not None and have != wanted:
            raise DocumentError([f"系统中已有同名但分档不同的评价等级方案“{name}”；"
                                 "导入不能修改或新建评价等级方案"])
        return existing
    national = national_schemes().get(name)
    if national is not None and wanted in (None, national):
        created = GradeScheme(name=name, bands=[GradeBand(name=n, min_score=m)
                                                for n, m in national])
        db.session.add(created)
        return created
    raise DocumentError([
        f"系统中没有评价等级方案“{name}”。评价等级方案由系统管理员在“系统管理 → 评价等级方案”"
        "中为财政局设置，导入不能新建方案；请改用本财政局已有方案的名称"])
