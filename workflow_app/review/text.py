"""The narrative of an evaluation as the review reads it: which parts hold text, how they
split into sentences and clauses, and which words mark a sentence as a target (预期/目标)
rather than a result, so a goal such as "资金执行率达到98%以上" is not taken for a figure.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

_FULLWIDTH = str.maketrans("０１２３４５６７８９．％＞＜＝：（）", "0123456789.%><=:()")
# LaTeX left in pasted PDFs ("$75 \\leq$ 得分") and blanks between digits and units.
_LATEX = {r"\leq": "≤", r"\geq": "≥", r"\le": "≤", r"\ge": "≥", "$": ""}


def normalise(text: str) -> str:
    """Half-width digits and signs, LaTeX signs as symbols, no blanks (Chinese has none).

    Parentheses become ASCII so one pattern matches （20分） and (20分).
    """
    text = (text or "").translate(_FULLWIDTH)
    for key, value in _LATEX.items():
        text = text.replace(key, value)
    return re.sub(r"[ \t\u3000\xa0]+", "", text)


@dataclass(frozen=True)
class Passage:
    """A piece of narrative with where it lives in the document."""

    part: str
    path: str
    label: str
    text: str


def passages(doc: Mapping[str, Any]) -> Iterator[Passage]:
    """Every narrative text of the document, normalised: sections, goal, problems, measures."""
    for section in doc.get("sections") or []:
        if isinstance(section, Mapping) and str(section.get("body") or "").strip():
            key = str(section.get("key") or "")
            title = str(section.get("title") or "") or "引言"
            yield Passage("sections", key, f"正文「{title}」", normalise(str(section["body"])))
    for key, part, label in (("overall_goal", "goals", "总体绩效目标"),
                             ("problems", "conclusion", "存在问题"),
                             ("measures", "conclusion", "改进措施")):
        body = doc.get(key)
        if isinstance(body, str) and body.strip():
            yield Passage(part, key, label, normalise(body))


def sentences(text: str) -> list[str]:
    """Split at 。！？； and line ends; empty pieces dropped."""
    return [s for s in re.split(r"[。！？;；\n]+", text) if s]


def clauses(sentence: str) -> list[str]:
    """Split a sentence at commas (，,、 keep together lists like 数量、质量指标)."""
    return [c for c in re.split(r"[，,]+", sentence) if c]


def without_parentheses(text: str) -> str:
    """Drop parenthesised asides ("共15个(含…5个)" → "共15个"); they quote other figures."""
    previous = None
    while previous != text:
        previous = text
        text = re.sub(r"\([^()]*\)", "", text)
    return text


# Words that make a clause a target, a plan or a bound rather than a reported result.
TARGET_WORDS = ("目标", "预期", "预计", "计划", "力争", "确保", "争取", "不低于", "不少于",
                "不得低于", "不超过", "应达到", "要求", "标准", "≥", "≤", ">", "<", "以上",
                "以下", "以内", "左右", "控制在", "年初设定")


def is_target_language(clause: str) -> bool:
    """True when the clause states a goal or a bound, not what happened."""
    return any(word in clause for word in TARGET_WORDS)


# Words of an approximate figure ("约5万元", "近300期", "20余次"): never an exact claim.
APPROX_WORDS = ("约", "近", "余", "多", "左右", "大约", "超过")


def is_approximate(clause: str) -> bool:
    """True when the clause hedges its figure."""
    return any(word in clause for word in APPROX_WORDS)
