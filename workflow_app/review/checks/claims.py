"""What the text says about a named indicator against the scoring table: its weight
("产出指标40分", "投入指标（20分）", "权重20分"), its score ("故此项得分6.5分", "实际得分20分",
"扣1分") and its actual value ("结转结余率为35%").

The text names indicators as the table does (with or without a trailing 指标); the words
after a name, up to the end of its sentence or the next indicator named, speak of it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from workflow_app.review.checks.common import is_bound
from workflow_app.review.facts import Facts, Node
from workflow_app.review.findings import Finding, error
from workflow_app.review.numbers import ARABIC, NUM, fmt, same_figure, to_number
from workflow_app.review.text import Passage, normalise

SEGMENT_LIMIT = 200
# What a name speaks of ends at the end of its sentence or at the next numbered heading.
_SEGMENT_END = re.compile(
    r"。|\n\s*(?:\(?[0-9一二三四五六七八九十]+[)、.]|\([0-9一二三四五六七八九十]+\))")
# A group (一级/二级 indicator) is scored only by words right after its name.
_NEAR = 12


@dataclass(frozen=True)
class Mention:
    """An indicator named in a passage, and the words that speak of it."""

    passage: Passage
    key: str
    nodes: list[Node]
    start: int
    end: int
    segment: str

    @property
    def shown(self) -> str:
        """The name and what follows, as quoted in a message."""
        tail = re.split(r"[\n]", self.segment.strip("\n"), maxsplit=1)[0] if self.segment else ""
        return (self.key + self.segment[:40]).replace("\n", " ").strip() if tail else self.key

    def codes(self) -> str:
        return "、".join(n.code for n in self.nodes)


def mentions(facts: Facts) -> list[Mention]:
    """Every indicator name in the narrative (longest names first; no overlaps), found once
    per document for the three checks that read them."""
    return facts.shared("mentions", lambda: _find_mentions(facts))


def _find_mentions(facts: Facts) -> Iterator[Mention]:
    keys = sorted(facts.by_name, key=len, reverse=True)
    if not keys:
        return
    for passage in facts.passages:
        text = passage.text
        taken: list[tuple[int, int, str]] = []
        for key in keys:
            for match in re.finditer(re.escape(key), text):
                s, e = match.span()
                if any(s < te and ts < e for ts, te, _ in taken):
                    continue
                taken.append((s, e, key))
        taken.sort()
        for i, (s, e, key) in enumerate(taken):
            stop = taken[i + 1][0] if i + 1 < len(taken) else len(text)
            stop = min(stop, e + SEGMENT_LIMIT)
            ends = [m.start() for m in _SEGMENT_END.finditer(text, e, stop)]
            yield Mention(passage, key, facts.by_name[key], s, e, text[e:ends[0] if ends else stop])


_WEIGHT = re.compile(
    rf"^(?:指标)?(?:\([^()]{{1,8}}\))?(?:指标)?\(?(?:权重|分值|满分)?(?:为|是|:)?({NUM})分(?!钟)")
_SCORE = re.compile(rf"(实际得分|自评得分|得分|评分|得)(?:为|是|:)?({NUM})分(?!钟|值)")
_DEDUCT = re.compile(rf"扣(?:除)?({NUM})分")
_TOTAL_WORDS = ("整体", "项目", "综合", "总", "部门", "满")


def _chinese_ok(number: str, context: str) -> bool:
    """Chinese numerals count only when unambiguous ("二十分", not "十分重要")."""
    return number[0].isdigit() or len(number) >= 2 or any(w in context for w in ("权重", "分值"))


def weight_claim_mismatch(facts: Facts) -> Iterator[Finding]:
    """The text gives an indicator a weight (分值) the table does not."""
    for m in mentions(facts):
        match = _WEIGHT.match(m.segment)
        if not match or not _chinese_ok(match.group(1), match.group(0)):
            continue
        claimed = to_number(match.group(1))
        weights = {n.weight for n in m.nodes if n.weight is not None}
        if claimed is None or not weights or claimed in weights:
            continue
        yield error("weight_claim_mismatch",
                    f"{m.passage.label}写有“{m.key}{match.group(0)}”，称「{m.key}」分值 "
                    f"{fmt(claimed)} 分，评分表中指标 {m.codes()} 的分值为 "
                    f"{'、'.join(fmt(w) for w in sorted(weights))} 分。",
                    m.passage.part, m.passage.path)


def score_claim_mismatch(facts: Facts) -> Iterator[Finding]:
    """The text gives an indicator a score (得分, or 扣N分) that the table does not."""
    for m in mentions(facts):
        scores = {n.score for n in m.nodes if n.score is not None}
        if not scores:
            continue
        claimed, quoted = None, ""
        segment = m.segment if all(n.is_leaf for n in m.nodes) else re.split(
            r"[\n，,；]", m.segment[:_NEAR])[0]
        for match in _SCORE.finditer(segment):
            before = segment[max(0, match.start() - 3):match.start()]
            if any(w in before for w in _TOTAL_WORDS) or is_bound(segment, match):
                continue
            if not _chinese_ok(match.group(2), match.group(0)):
                continue
            claimed, quoted = to_number(match.group(2)), match.group(0)
            break
        if claimed is None:
            match = _DEDUCT.search(segment)
            weights = [n.weight for n in m.nodes if n.weight is not None]
            if match and len(m.nodes) == 1 and weights and "每" not in segment[
                    max(0, match.start() - 6):match.start()]:
                deducted = to_number(match.group(1))
                if deducted is not None:
                    claimed, quoted = weights[0] - deducted, match.group(0)
        if claimed is None or claimed in scores:
            continue
        yield error("score_claim_mismatch",
                    f"{m.passage.label}写有“{m.key}…{quoted}”，即「{m.key}」得 {fmt(claimed)} 分，"
                    f"评分表中指标 {m.codes()} 的自评得分为 "
                    f"{'、'.join(fmt(s) for s in sorted(scores))} 分。",
                    m.passage.part, m.passage.path)


_ACTUAL_PCT = re.compile(rf"(?:为|达到|达|是|:|实现)({ARABIC})%")
_PLAIN_PCT = re.compile(rf"^\s*({ARABIC})\s*%\s*$")


def actual_claim_mismatch(facts: Facts) -> Iterator[Finding]:
    """The text quotes a percentage for an indicator whose 实际完成值 is another percentage."""
    for m in mentions(facts):
        leaves = [n for n in m.nodes if n.is_leaf]
        if len(leaves) != 1:
            continue
        actual = _PLAIN_PCT.match(normalise(str(leaves[0].data.get("actual") or "")))
        match = _ACTUAL_PCT.search(m.segment)
        if not actual or not match or is_bound(m.segment, match):
            continue
        clause = m.segment[max(0, match.start() - 12):match.end()]
        if any(w in clause for w in ("目标", "预期", "计划", "标准", "以上")):
            continue
        quoted = Decimal(match.group(1))
        table = Decimal(actual.group(1))
        if not same_figure(quoted, match.group(1), table):
            yield error("actual_claim_mismatch",
                        f"{m.passage.label}写有“{m.key}…{match.group(0)}”，评分表中指标 "
                        f"{leaves[0].code}「{leaves[0].name}」的实际完成值为 "
                        f"{fmt(table)}%。", m.passage.part, m.passage.path)
