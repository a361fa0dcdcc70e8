"""Report text as the grammar reads it: full-width forms, operators and thousands separators
normalised (shared by the grammar, its units and dates, inference and the funding rates)."""

from __future__ import annotations

import re

from workflow_app.evaluations.scoring import spellings as sp


def normalise(text: str) -> str:
    """Full-width → ASCII, LaTeX and two-character operators → symbols, no whitespace."""
    body = (text or "").translate(sp.FULLWIDTH)
    for spelling, replacement in sp.REPLACEMENTS:
        body = body.replace(spelling, replacement)
    body = re.sub(r"\s+", "", body)
    body = re.sub(r"(?<=\d),(?=\d{3}(?!\d))", "", body)
    return body.rstrip("。；;，,.、")
