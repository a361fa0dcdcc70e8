"""Standard indicator frameworks (指标框架模板) a new evaluation starts from.

Each framework is a JSON file beside this module::

    {"key", "name", "kind", "total_weight", "grade_scheme", "indicators": [...]}

``indicators`` is the tree of docs/evaluation-schema.md without the per-evaluation fields
(``actual``, ``score``, ``score_reason``, ``deviation_reason``, ``not_applicable``,
``evidence``): leaves carry ``code``, ``name``, ``description``, ``standard``, ``weight``,
``target`` and ``rule`` (see workflow_app.evaluations.scoring for rule types).

* ``project_table_2020`` — 项目支出绩效自评表（财预〔2020〕10号 附件1）: 预算执行率 10 /
  产出 50 / 效益 30 / 满意度 10.
* ``project_2020`` — 项目支出绩效评价指标体系（财预〔2020〕10号）: 决策 20 / 过程 20 /
  产出 40 / 效益 20.
* ``unit_whole_2021`` — 部门整体支出绩效自评表 as in seed 001: 投入 20 / 过程 40 / 产出 25 /
  效果 15, 33 third-level indicators as printed.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

__all__ = ["FRAMEWORKS", "UnknownFrameworkError", "framework_choices", "load_framework"]

_DIR = Path(__file__).resolve().parent

#: Framework keys, in the order offered to users.
FRAMEWORKS: list[str] = ["project_table_2020", "project_2020", "unit_whole_2021"]


class UnknownFrameworkError(KeyError):
    """No framework has this key."""

    def __str__(self) -> str:
        return f"未知的指标框架「{self.args[0]}」；可用框架：{'、'.join(FRAMEWORKS)}"


@cache
def _read(key: str) -> dict[str, Any]:
    with (_DIR / f"{key}.json").open(encoding="utf-8") as handle:
        return json.load(handle)


def load_framework(key: str) -> dict[str, Any]:
    """Return a fresh copy of framework ``key`` (callers may edit it freely).

    Raises UnknownFrameworkError (a KeyError) for an unknown key.
    """
    if key not in FRAMEWORKS:
        raise UnknownFrameworkError(key)
    # The parsed file is cached; the deep copy keeps one caller's edits from leaking into
    # the next evaluation created from the same template.
    return copy.deepcopy(_read(key))


def framework_choices() -> list[tuple[str, str]]:
    """(key, name) pairs for a select box, in FRAMEWORKS order."""
    return [(key, _read(key)["name"]) for key in FRAMEWORKS]
