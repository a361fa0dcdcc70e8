"""Composing Chinese messages: one place decides where a sentence ends, so that a reason typed
with its own full stop never prints as "。。" (notifications, flashes, the detail page)."""

from __future__ import annotations

from typing import Any

# What may end a sentence; a reason ending in one of these keeps it and gets no second one.
_ENDINGS = "。！？!?…"
# Trailing marks a clause drops before it is embedded in a longer sentence.
_CLAUSE_TRAIL = "。．.，,；;：: \t\r\n\u3000"


def clause(text: Any) -> str:
    """``text`` without trailing punctuation, to embed mid-sentence ("理由：{clause}，…")."""
    return str(text or "").strip().rstrip(_CLAUSE_TRAIL)


def sentence(text: Any) -> str:
    """``text`` ending with exactly one sentence mark ("。" unless it has ！？ or …)."""
    body = str(text or "").strip()
    while len(body) > 1 and body[-1] in "。．." and body[-2] in _ENDINGS + "．.":
        body = body[:-1]  # "。。" or "！。" → one mark
    if not body:
        return ""
    if body[-1] in "．.":
        body = body[:-1] + "。"
    return body if body[-1] in _ENDINGS else body + "。"


def sentences(*parts: Any) -> str:
    """The non-empty parts as consecutive sentences, each ended once."""
    return "".join(sentence(p) for p in parts if str(p or "").strip())
