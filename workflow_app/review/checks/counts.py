"""Counts claimed in the text against the tables: indicators per level, grades, sub-projects,
team members ("由33个三级指标构成", "一级指标4个", "绩效指标共四项", "分为4个等级",
"项目22个", "评价工作组由5人组成")."""

from __future__ import annotations

import re
from collections.abc import Iterator

from workflow_app.review.checks.common import is_bound, quote
from workflow_app.review.facts import Facts
from workflow_app.review.findings import Finding, error, warning
from workflow_app.review.numbers import NUM, to_number
from workflow_app.review.text import without_parentheses

_LEVELS = {"一级": 1, "二级": 2, "三级": 3, "末级": 0}
_MEASURE = "(?:个|项|条)"
_EXPLICIT = [
    re.compile(rf"(一级|二级|三级|末级)(?:绩效)?指标(?:共|有|共有|共计|合计|为|设置|设|计)*"
               rf"({NUM}){_MEASURE}"),
    re.compile(rf"({NUM}){_MEASURE}(一级|二级|三级|末级)(?:绩效|评价)?指标"),
]
_GENERIC = [
    re.compile(rf"(?:绩效|评价)指标(?:体系)?(?:共|共有|共计|合计)(?:设置|设|包括|包含|有)?"
               rf"({NUM}){_MEASURE}"),
    re.compile(rf"由({NUM}){_MEASURE}(?:绩效|评价)?指标(?:构成|组成)"),
]


def _explicit_claims(text: str) -> Iterator[tuple[re.Match, str, int]]:
    for pattern in _EXPLICIT:
        for match in pattern.finditer(text):
            a, b = match.group(1), match.group(2)
            level_word, number = (a, b) if a in _LEVELS else (b, a)
            value = to_number(number)
            if value is not None and value == int(value) and not is_bound(text, match):
                yield match, level_word, int(value)


def indicator_count_mismatch(facts: Facts) -> Iterator[Finding]:
    """The text claims a number of indicators (per level, or in all) the tree does not have."""
    if not facts.nodes:
        return
    leaves = len(facts.leaves)
    actual = {1: facts.count_at(1), 2: facts.count_at(2), 3: facts.count_at(3), 0: leaves}
    for passage in facts.passages:
        text = without_parentheses(passage.text)
        seen: set[int] = set()
        for match, word, claimed in _explicit_claims(text):
            seen.add(match.start())
            level = _LEVELS[word]
            ok = {actual[level]} | ({leaves} if level == 3 else set())
            if claimed not in ok:
                yield error("indicator_count_mismatch",
                            f"{quote(passage, text, match)}，称{word}指标 {claimed} 个，"
                            f"评分表实有{word}指标 {actual[level]} 个。",
                            passage.part, passage.path)
        for pattern in _GENERIC:
            for match in pattern.finditer(text):
                value = to_number(match.group(1))
                if value is None or is_bound(text, match) or match.start() in seen:
                    continue
                if int(value) not in set(actual.values()):
                    yield warning("indicator_count_mismatch",
                                  f"{quote(passage, text, match)}，称指标共 {int(value)} 个，"
                                  f"评分表有一级指标 {actual[1]} 个、二级指标 {actual[2]} 个、"
                                  f"末级指标 {leaves} 个，均不相符。",
                                  passage.part, passage.path)


_GRADE_COUNT = re.compile(rf"(?:分为|划分为|设|共|分)({NUM})(?:个)?(?:等级|档次|档|个等次|等次)")


def grade_count_mismatch(facts: Facts) -> Iterator[Finding]:
    """The text says the result is graded in N levels; the grade scheme has a different number."""
    bands = facts.grade_names
    if not bands:
        return
    for passage in facts.passages:
        for match in _GRADE_COUNT.finditer(passage.text):
            value = to_number(match.group(1))
            if value is not None and int(value) != len(bands):
                yield warning("grade_count_mismatch",
                              f"{quote(passage, passage.text, match)}，称评价等级分为 "
                              f"{int(value)} 个，所选等级方案有 {len(bands)} 个等级"
                              f"（{'、'.join(bands)}）。", passage.part, passage.path)


_SUB_COUNT = [
    re.compile(rf"(?:分项|子)?项目(?:共|共计|合计|总数)?({NUM})个"),
    re.compile(rf"(?:共|共计|合计|实施|涉及|包括|包含)(?:分项|子)?({NUM})个(?:分项|子)?项目"),
]
_SUB_NOT_A_COUNT = ("增加", "新增", "减少", "其中", "含", "年中", "追加", "调减")


def sub_project_count_mismatch(facts: Facts) -> Iterator[Finding]:
    """The text claims a number of (sub-)projects; the 分项项目清单 lists a different number."""
    count = len(facts.sub_projects)
    if not count:
        return
    for passage in facts.passages:
        text = without_parentheses(passage.text)
        for pattern in _SUB_COUNT:
            for match in pattern.finditer(text):
                before = text[max(0, match.start() - 6):match.start()]
                value = to_number(match.group(1))
                if (value is None or is_bound(text, match)
                        or any(w in before for w in _SUB_NOT_A_COUNT)):
                    continue
                if int(value) != count:
                    yield warning("sub_project_count_mismatch",
                                  f"{quote(passage, text, match)}，称项目 {int(value)} 个，"
                                  f"分项项目清单列有 {count} 个。", passage.part, passage.path)


_TEAM_SIZE = re.compile(rf"(?:评价|自评)?工作(?:小)?组(?:成员)?(?:由|共|共有|共计)({NUM})(?:人|名)")


def team_size_mismatch(facts: Facts) -> Iterator[Finding]:
    """The text says the team has N people; the team list has a different number."""
    team = facts.doc.get("team") or []
    if not team:
        return
    for passage in facts.passages:
        for match in _TEAM_SIZE.finditer(passage.text):
            value = to_number(match.group(1))
            if value is not None and int(value) != len(team):
                yield warning("team_size_mismatch",
                              f"{quote(passage, passage.text, match)}，称评价工作组 {int(value)} "
                              f"人，工作组名单有 {len(team)} 人。", passage.part, passage.path)
