"""Grade schemes (评价等级): a total's grade under a configurable scheme.

``{"name": ..., "bands": [{"name": "优秀", "min": "85"}, ...]}``: the grade is the band with
the highest ``min`` not above the total; a total below every ``min`` gets the lowest band.
Regions rename grades (seed 000 prints 优秀 on the project thresholds; others use 一等级…),
so the scheme travels with each evaluation rather than being hard-coded.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from workflow_app.evaluations.scoring.numbers import ScoringError, to_decimal

PROJECT_2020: dict[str, Any] = {
    "name": "项目支出（财预〔2020〕10号：优/良/中/差）",
    "bands": [
        {"name": "优", "min": "90"},
        {"name": "良", "min": "80"},
        {"name": "中", "min": "60"},
        {"name": "差", "min": "0"},
    ],
}

UNIT_WHOLE: dict[str, Any] = {
    "name": "部门整体支出（优秀/良好/一般/较差）",
    "bands": [
        {"name": "优秀", "min": "85"},
        {"name": "良好", "min": "75"},
        {"name": "一般", "min": "60"},
        {"name": "较差", "min": "0"},
    ],
}


def grade_for(total: Any, scheme: Mapping[str, Any]) -> str:
    """The grade name for ``total`` under ``scheme`` (``{"bands": [{"name", "min"}, ...]}``).

    The band with the highest ``min`` not above ``total`` wins; below every ``min``, the lowest
    band. Raises ScoringError for a malformed scheme.
    """
    value = to_decimal(total, "总分")
    bands = scheme.get("bands") if isinstance(scheme, Mapping) else None
    if not bands:
        raise ScoringError("等级方案须含至少一个等级（bands）")
    parsed: list[tuple[Decimal, str]] = []
    for band in bands:
        if not isinstance(band, Mapping) or not str(band.get("name", "")).strip():
            raise ScoringError("等级方案的每个等级须含名称 name")
        name = str(band["name"]).strip()
        parsed.append((to_decimal(band.get("min"), f"等级「{name}」的下限 min"), name))
    parsed.sort(key=lambda item: item[0], reverse=True)
    for minimum, name in parsed:
        if value >= minimum:
            return name
    return parsed[-1][1]
