"""Helpers shared by the checks: a quoted snippet, and whether a match is a bound."""

from __future__ import annotations

import re

from workflow_app.review.text import Passage

# A number right after these words is a bound ("不少于3个"), not a claim.
BOUND_BEFORE = ("不少于", "不得少于", "至少", "不超过", "不多于", "原则上", "一般", "最多", "最少",
                "≥", "≤", ">", "<")
BOUND_AFTER = ("以上", "以内", "以下", "左右", "及以上")


def is_bound(text: str, match: re.Match) -> bool:
    """True when the match is hedged as a minimum/maximum rather than stated."""
    before = text[max(0, match.start() - 5):match.start()]
    after = text[match.end():match.end() + 3]
    return any(w in before for w in BOUND_BEFORE) or any(after.startswith(w) for w in BOUND_AFTER)


def snippet(text: str, match: re.Match, width: int = 10) -> str:
    """The words around a match, as quoted in a message."""
    start = max(0, match.start() - width)
    piece = text[start:match.end() + 2]
    piece = re.split(r"[\n。；]", piece)[-1] if "\n" in piece or "。" in piece else piece
    return ("…" if start > 0 else "") + piece.strip()


def quote(passage: Passage, text: str, match: re.Match) -> str:
    """「label」写有“…” — the common opening of a text finding."""
    return f"{passage.label}写有“{snippet(text, match)}”"
