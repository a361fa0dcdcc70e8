"""Dates and deadlines as reports write them ("2021年12月底前", "2021.6", "1-12月", "年底"),
and the trailing basis notes of a target ("90%(计划标准)")."""

from __future__ import annotations

import re
from dataclasses import dataclass

from workflow_app.evaluations.scoring import spellings as sp
from workflow_app.evaluations.scoring.units import lookup_unit

_SORTED_PERIODS = sorted(sp.PERIOD_WORDS, key=len, reverse=True)

@dataclass(frozen=True)
class Date:
    """A date as reports write it: the year or day may be missing."""

    year: int | None
    month: int
    day: int | None

    def key(self, fallback_year: int | None, end: bool) -> tuple[int, int, int]:
        """Sortable (year, month, day); a missing day is the month's end or start."""
        year = self.year or fallback_year or 0
        day = self.day if self.day is not None else (31 if end else 1)
        return year, self.month, day

    def text(self) -> str:
        year = f"{self.year}年" if self.year else ""
        day = f"{self.day}日" if self.day else ""
        return f"{year}{self.month}月{day}"


_DATE_PATTERNS = (
    re.compile(r"(?:(?P<y>\d{4})年)?(?P<m>\d{1,2})月(?:(?P<d>\d{1,2})[日号])?"),
    re.compile(r"(?P<y>\d{4})[.\-/](?P<m>\d{1,2})(?:[.\-/](?P<d>\d{1,2}))?"),
)
_YEAR_PERIOD = re.compile(r"(?P<y>\d{4})年(?:度)?")
#: A period from one month to another ("2021年1月-12月", "202001-202012", "1-12月"): done by
#: the end of its last month.
_DATE_SPANS = (
    re.compile(r"^(?:(?P<y>\d{4})年)?\d{1,2}月?(?:-+|~|至|到)(?:(?P<y2>\d{4})年)?(?P<m>\d{1,2})月"
               r"(?:底|末|份)?$"),
    re.compile(r"^(?P<y>\d{4})\.?(?:0?[1-9]|1[0-2])(?:-+|~|至|到)(?P<y2>\d{4})\.?"
               r"(?P<m>0?[1-9]|1[0-2])$"),
)


def find_span(body: str) -> Date | None:
    """The end of a period written as a span of months, or None."""
    for pattern in _DATE_SPANS:
        match = pattern.match(body)
        if match:
            month = int(match.group("m"))
            year = match.group("y2") or match.group("y")
            if 1 <= month <= 12:
                return Date(int(year) if year else None, month, None)
    return None


def strip_basis_note(body: str) -> str:
    """Drop a trailing note of the target's basis ("90%(计划标准)" → "90%") or a restatement
    of its unit ("98%(百分比)" → "98%"); "30(天)" keeps its unit."""
    match = re.search(r"\(([^()]{1,12})\)$", body)
    if not match:
        return body
    inner, head = match.group(1), body[:match.start()]
    if any(word in inner for word in sp.BASIS_NOTE_WORDS):
        return head
    if lookup_unit(inner) and head and not head[-1].isdigit():
        return head
    return body


def find_date(body: str) -> tuple[Date, int, int] | None:
    """The first date in ``body`` with its span, or None. Period words ("年底", "上半年")
    become their last day."""
    best: tuple[Date, int, int] | None = None
    for pattern in _DATE_PATTERNS:
        for match in pattern.finditer(body):
            month = int(match.group("m"))
            day = int(match.group("d")) if match.group("d") else None
            if not 1 <= month <= 12 or (day is not None and not 1 <= day <= 31):
                continue
            year = int(match.group("y")) if match.group("y") else None
            if best is None or match.start() < best[1]:
                best = (Date(year, month, day), match.start(), match.end())
            break
    for word in _SORTED_PERIODS:
        at = body.find(word)
        if at >= 0 and (best is None or at < best[1]):
            month, day = sp.PERIOD_WORDS[word]
            year_match = None
            for candidate in _YEAR_PERIOD.finditer(body[:at]):
                if candidate.end() == at:
                    year_match = candidate
            year = int(year_match.group("y")) if year_match else None
            start = year_match.start() if year_match else at
            best = (Date(year, month, day), start, at + len(word))
            break
    return best
