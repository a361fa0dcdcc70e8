"""Figures the text quotes that also stand in a table: the total score and the grade, the
total weight, the budget / arrived / spent amounts (with 元 written for 万元), the execution
and arrival rates, and satisfaction.

A clause that states a goal or a bound ("达到98%以上", "力争") is not a result and is skipped;
an approximate figure ("约5万元", "20余次") is never taken as exact.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal

from workflow_app.review.checks.common import quote
from workflow_app.review.facts import Facts
from workflow_app.review.findings import Finding, error, warning
from workflow_app.review.numbers import (
    ARABIC,
    MONEY,
    MONEY_UNITS,
    NUM,
    fmt,
    money_places,
    same_figure,
    to_number,
)
from workflow_app.review.text import (
    Passage,
    clauses,
    is_approximate,
    is_target_language,
    sentences,
)

# -------------------------------------------------------------------------- total and grade

_TOTAL = re.compile(
    rf"(?:(?:自评|综合|评价|最终|考核|绩效)(?:总)?(?:得分|评分|分数|总分)|总得分|总评分|合计得分)"
    rf"(?:为|是|:|达到|达)?({NUM})分")


def total_score_claim_mismatch(facts: Facts) -> Iterator[Finding]:
    """The text prints a total score that is not the sum of the table's scores."""
    total = facts.entered_total
    if total is None or not facts.leaves or any(n.score is None for n in facts.leaves
                                                if not n.data.get("not_applicable")):
        return
    for passage in facts.passages:
        for sentence in sentences(passage.text):
            for clause in clauses(sentence):
                for match in _TOTAL.finditer(clause):
                    number = match.group(1)
                    value = to_number(number)
                    if value is None or is_target_language(clause) or "满分" in clause:
                        continue
                    if value == facts.total_weight and "满分" in sentence:
                        continue
                    # A total is printed exactly: 96.5 quoted as "97分" is a contradiction.
                    if value != total:
                        yield error("total_score_claim_mismatch",
                                    f"{quote(passage, clause, match)}，评分表各项自评得分合计为 "
                                    f"{fmt(total)} 分。", passage.part, passage.path)


_TOTAL_WEIGHT = re.compile(
    rf"(?:满分|总分(?:值)?(?:设定|设置|设)?为|总分值|满分为)(?:为)?({NUM})分")


def total_weight_claim_mismatch(facts: Facts) -> Iterator[Finding]:
    """The text gives a full mark (满分 / 总分设定为) other than the table's total weight."""
    weight = facts.total_weight
    if weight is None:
        return
    for passage in facts.passages:
        for match in _TOTAL_WEIGHT.finditer(passage.text):
            value = to_number(match.group(1))
            if value is not None and value != weight:
                yield error("total_weight_claim_mismatch",
                            f"{quote(passage, passage.text, match)}，评分表总分值为 "
                            f"{fmt(weight)} 分。", passage.part, passage.path)


# Grade words reports use, longest first so 优秀 wins over 优.
GRADE_WORDS = ("一等级", "二等级", "三等级", "四等级", "五等级", "不合格", "较差", "优秀",
               "良好", "一般", "合格", "优", "良", "中", "差", "好", "较好", "A", "B", "C", "D")
_GRADE_LEAD = re.compile(
    r"(?:评价等级|综合等级|绩效等级|等级|评价结果|评定|评价结论)(?:为|是|:|评定为|确定为|属于)?"
    r"[“\"「『]?")
_GRADE_LEAD_2 = re.compile(r"(?:整体|综合|总体)?(?:绩效)?评价为[“\"「『]?")


def _grade_after(text: str, end: int, words: list[str]) -> str | None:
    rest = text[end:end + 6]
    for word in words:
        if rest.startswith(word):
            after = rest[len(word):len(word) + 1]
            # "中" of 中等 / 中期, "良" of 良性: a grade word ends at a quote or a stop.
            if len(word) == 1 and after and after not in "”\"」』，。,;；等级档次" :
                return None
            return word
    return None


def grade_claim_mismatch(facts: Facts) -> Iterator[Finding]:
    """The text names a grade other than the one the table's total earns."""
    grade = facts.entered_grade
    if not grade or facts.entered_total is None:
        return
    words = sorted(set(GRADE_WORDS) | set(facts.grade_names), key=len, reverse=True)
    for passage in facts.passages:
        for sentence in sentences(passage.text):
            if re.search(r"[≥≤<>]|分为", sentence) and "等级" in sentence and "为“" not in sentence:
                continue  # the scheme explained ("得分≥85分为优秀"), not the result
            for pattern in (_GRADE_LEAD, _GRADE_LEAD_2):
                for match in pattern.finditer(sentence):
                    word = _grade_after(sentence, match.end(), words)
                    if word is None or word == grade:
                        continue
                    known = word in facts.grade_names
                    shown = sentence[max(0, match.start() - 6):match.end() + len(word) + 1]
                    yield error("grade_claim_mismatch",
                                f"{passage.label}写有“{shown}”，"
                                f"而评分表合计 {fmt(facts.entered_total)} 分按等级方案"
                                f"「{'/'.join(facts.grade_names)}」为「{grade}」"
                                + ("" if known else f"；「{word}」不是该方案的等级名称") + "。",
                                passage.part, passage.path)
                    break


# -------------------------------------------------------------------------- money

# (kind, label words) — the last label before an amount in its clause says what it is.
MONEY_LABELS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("initial", ("年初预算数", "年初预算", "年初批复预算", "年初安排")),
    ("planned", ("全年预算数", "调整后预算数", "调整后预算", "调整预算", "预算数", "预算资金总额",
                 "预算总额", "预算资金", "预算金额", "批复预算", "项目预算", "预算安排",
                 "安排资金", "资金总额", "申请预算资金", "总预算")),
    ("arrived", ("到位资金", "资金到位", "实际到位", "到位数", "到账资金", "拨付到位")),
    ("spent", ("全年执行数", "执行数", "实际支出", "支出合计", "本年支出", "实际使用",
               "使用资金", "已支出", "完成预算资金", "支出资金", "执行金额", "实际支付",
               "累计支出", "支出")),
)
# A clause with these words quotes some other amount (a part, a change, an asset).
MONEY_OTHER = ("基本支出", "项目支出", "人员经费", "公用经费", "三公", "资产", "结转", "结余",
               "其中", "增加", "减少", "增长", "下降", "比上年", "较上年", "同比", "上年",
               "折旧", "摊销", "贷款", "收入", "用于", "购置", "支出预算", "分别")
_KIND_LABEL = {"initial": "年初预算数", "planned": "全年预算数（调整后）", "arrived": "到位数",
               "spent": "执行数"}


def _money_kind(before: str) -> str | None:
    best, where = None, -1
    for kind, words in MONEY_LABELS:
        for word in words:
            at = before.rfind(word)
            if at > where or (at == where and at != -1 and best is not None):
                best, where = kind, at
    return best


def _matches_any(value: Decimal, quoted: str | int, figures: list[Decimal]) -> bool:
    return any(same_figure(value, quoted, f) for f in figures)


def amount_claims(facts: Facts) -> list[tuple]:
    """(passage, clause, match, kind or None, value in 万元, number, unit) for every amount,
    found once per document for the checks that read them."""
    return facts.shared("amount_claims", lambda: _find_amount_claims(facts))


def _find_amount_claims(facts: Facts) -> Iterator[tuple]:
    for passage in facts.passages:
        if passage.part == "goals":
            continue
        for sentence in sentences(passage.text):
            for clause in clauses(sentence):
                for match in MONEY.finditer(clause):
                    number, unit = match.group(1), match.group(2)
                    kind = _money_kind(clause[:match.start()])
                    other = any(w in clause[:match.start()] for w in MONEY_OTHER)
                    yield (passage, clause, match, None if other else kind,
                           Decimal(number) * MONEY_UNITS[unit], number, unit)


def amount_unit_slip(facts: Facts) -> Iterator[Finding]:
    """An amount written in 元 (or 亿元) whose number is a table amount in 万元, or the reverse."""
    money = facts.all_money()
    if not money:
        return
    for passage, clause, match, _kind, in_wan, number, unit in amount_claims(facts):
        value = Decimal(number)
        if not value or _matches_any(in_wan, money_places(number, unit), money):
            continue  # the table's amount, in whatever unit
        digits = len(value.normalize().as_tuple().digits)
        if unit != "万元" and _matches_any(value, number, money) and digits >= 2:
            yield error("amount_unit_slip",
                        f"{quote(passage, clause, match)}：{number} 与表中金额 {number} 万元相同，"
                        f"单位应为“万元”而非“{unit}”。", passage.part, passage.path)
        elif unit == "万元" and (_matches_any(value / 10000, number, money) and value >= 10000):
            yield error("amount_unit_slip",
                        f"{quote(passage, clause, match)}：表中对应金额为 "
                        f"{fmt(value / 10000)} 万元，正文的数字是以“元”计的金额，单位应为“元”。",
                        passage.part, passage.path)


def funding_figure_mismatch(facts: Facts) -> Iterator[Finding]:
    """A labelled amount in the text (预算数, 到位资金, 执行数 …) that the funding table does
    not hold under that label."""
    figures = facts.money_figures()
    money = facts.all_money()
    if not any(figures.values()):
        return
    for passage, clause, match, kind, in_wan, number, unit in amount_claims(facts):
        if kind is None or not figures.get(kind) or is_target_language(clause):
            continue
        same_kind = figures[kind] + (figures["initial"] if kind == "planned" else [])
        if _matches_any(in_wan, money_places(number, unit), same_kind):
            continue
        if _matches_any(Decimal(number), number, money):
            continue  # the unit is wrong, not the figure: amount_unit_slip says so
        expected = "、".join(fmt(v) for v in sorted(set(figures[kind]))[:3])
        make = warning if is_approximate(clause) else error
        yield make("funding_figure_mismatch",
                   f"{quote(passage, clause, match)}，资金表中的{_KIND_LABEL[kind]}为 "
                   f"{expected} 万元。", passage.part, passage.path)


# -------------------------------------------------------------------------- rates

RATE_LABELS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("arrival", ("资金到位率", "到位率")),
    ("execution", ("预算执行率", "资金执行率", "支出执行率", "执行率")),
)
_RATE = re.compile(rf"(资金到位率|到位率|预算执行率|资金执行率|支出执行率|执行率)"
                   rf"(?:为|是|:|达到|达|实现|完成)?({ARABIC})%")


def _reported_rates(facts: Facts,
                    pattern: re.Pattern) -> Iterator[tuple[Passage, str, re.Match]]:
    """(passage, clause, match) for each rate ``pattern`` finds stated as a result: outside
    the goals, in a clause that is not a goal or a bound ("达到98%以上", "力争", "左右")."""
    for passage in facts.passages:
        if passage.part == "goals":
            continue
        for sentence in sentences(passage.text):
            for clause in clauses(sentence):
                for match in pattern.finditer(clause):
                    after = clause[match.end():match.end() + 2]
                    if is_target_language(clause) or after.startswith(("以上", "以下", "左右")):
                        continue
                    yield passage, clause, match


def rate_claim_mismatch(facts: Facts) -> Iterator[Finding]:
    """A 预算执行率 / 资金到位率 quoted in the text that the funding amounts do not give."""
    rates = {"execution": facts.execution_rate, "arrival": facts.arrival_rate}
    if not any(rates.values()):
        return
    kinds = {word: kind for kind, words in RATE_LABELS for word in words}
    for passage, clause, match in _reported_rates(facts, _RATE):
        kind = kinds[match.group(1)]
        rate = rates[kind]
        quoted = Decimal(match.group(2))
        if rate is None or same_figure(quoted, match.group(2), rate):
            continue
        what = "执行数 ÷ 预算数" if kind == "execution" else "到位数 ÷ 预算数"
        yield error("rate_claim_mismatch",
                    f"{quote(passage, clause, match)}，按资金表 {what} 计算为 "
                    f"{fmt(rate.quantize(Decimal('0.01')))}%。",
                    passage.part, passage.path)


_SATISFACTION = re.compile(rf"(?:满意度|满意率|满意程度)(?:为|是|:|达到|达|均在|在)?({ARABIC})%")


def satisfaction_claim_mismatch(facts: Facts) -> Iterator[Finding]:
    """A satisfaction rate quoted in the text that no satisfaction indicator has as its actual."""
    values = facts.satisfaction
    if not values:
        return
    for passage, clause, match in _reported_rates(facts, _SATISFACTION):
        quoted = Decimal(match.group(1))
        if any(same_figure(quoted, match.group(1), v) for _, v in values):
            continue
        shown = "；".join(f"{n.code}「{n.name}」{v.normalize():f}%" for n, v in values)
        yield error("satisfaction_claim_mismatch",
                    f"{quote(passage, clause, match)}，"
                    f"评分表中满意度指标的实际完成值为 {shown}。",
                    passage.part, passage.path)
