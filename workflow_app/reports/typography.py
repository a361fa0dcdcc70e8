"""The typography rules of the printed report, in one place that every part uses.

- Chinese line breaking (禁则): no line starts with closing punctuation (，。、；：？！）」…)
  and none ends with an opening one (（「《…); unlike reportlab's own CJK wrapping, nothing
  hangs into the margin, so no character ever crosses a cell border: the character that
  may not start a line pulls its predecessor down with it, and justification fills the gap.
- Runs of Latin letters and digits ("1308.05", "96.5%", "2021") break only where nothing
  else can.
- Names never split: ``one_line()`` shrinks a name until it fits its cell.
- Tables never leave their last row or two alone at the top of a page (``TailTable``).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from itertools import accumulate
from typing import Any

from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Paragraph, Table
from reportlab.platypus.paragraph import (
    _handleBulletWidth,
    cjkU,
    makeCJKParaLine,
    textTransformFrags,
)
from reportlab.platypus.paraparser import ParaParser
from reportlab.rl_config import _FUZZ

# Characters that may not begin a line (closing marks, pauses, stops, suffix symbols).
NO_LINE_START = frozenset(
    "，。、；：？！）」』】〕〗》〉”’…—·％‰℃°′″～"
    ",.;:?!)]}%"
    "ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶー々"
)
# Characters that may not end a line (opening marks, prefix symbols).
NO_LINE_END = frozenset("（「『【〔〖《〈“‘([{￥＄$#№·")
# Characters of a Latin/numeric run that is kept whole when possible ("1308.05", "96.5%").
_WORD = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                  ".,%‰-_/:@+#&=~'")
# How far back (in characters) a break may move to honour the punctuation rules; further
# back only for a Latin/numeric run. Past that the line breaks where it is full.
_PUNCTUATION_REACH = 4


def may_break_before(text: Sequence[str], i: int) -> bool:
    """True when a line may end before ``text[i]`` (and ``text[i]`` start the next)."""
    if i <= 0 or i >= len(text):
        return True
    prev, cur = text[i - 1], text[i]
    if cur in NO_LINE_START or prev in NO_LINE_END:
        return False
    return not (prev in _WORD and cur in _WORD)


def _break_at(text: Sequence[str], start: int, overflow: int) -> int:
    """Where to break a line that starts at ``start`` and overflows at ``overflow``.

    Returns the index of the first character of the next line, ``start < result <=
    overflow``: the nearest allowed break at or before the overflowing character, looking
    back a few characters for punctuation and up to the line start for a Latin run.
    """
    for b in range(overflow, start, -1):
        if may_break_before(text, b):
            return b
        inside_word = text[b - 1] in _WORD and text[b] in _WORD
        if not inside_word and overflow - b >= _PUNCTUATION_REACH:
            break
    return overflow


def line_spans(chars: Sequence[str], widths: Sequence[float], max_widths: Sequence[float],
               hard: Sequence[bool] | None = None) -> list[tuple[int, int, float, bool]]:
    """Split characters into lines: ``[(start, end, spare width, ends with a hard break)]``.

    ``widths[i]`` is the width of ``chars[i]``; ``hard[i]`` marks a forced line break
    (``<br/>``) that belongs to the line it ends.
    """
    lines: list[tuple[int, int, float, bool]] = []
    n = len(chars)
    ends = list(accumulate(widths, initial=0.0))  # ends[k] = width of chars[:k]
    start = i = 0
    used = 0.0
    max_width = max_widths[0]
    while i < n:
        if hard is not None and hard[i]:
            lines.append((start, i + 1, max_width - used, True))
            start = i = i + 1
            used = 0.0
            max_width = max_widths[min(len(lines), len(max_widths) - 1)]
            continue
        used += widths[i]
        if used > max_width + _FUZZ and i > start:
            end = _break_at(chars, start, i)
            width = ends[end] - ends[start]
            lines.append((start, end, max_width - width, False))
            start = i = end
            used = 0.0
            max_width = max_widths[min(len(lines), len(max_widths) - 1)]
            continue
        i += 1
    if start < n or not lines:
        lines.append((start, n, max_width - used, False))
    return lines


@lru_cache(maxsize=65536)
def _char_width(ch: str, font: str, size: float) -> float:
    return stringWidth(ch, font, size)


def _glyph(char: str, frag: Any) -> cjkU:
    """``cjkU(char, frag, "utf8")`` with the character's width from the cache above
    (reportlab measures every character of every line again)."""
    if hasattr(frag, "cbDefn"):
        return cjkU(char, frag, "utf8")
    glyph = str.__new__(cjkU, char)
    glyph._frag = frag
    glyph._width = _char_width(char, frag.fontName, frag.fontSize)
    return glyph


class CJKParagraph(Paragraph):
    """A paragraph that breaks lines by the rules above (reportlab's CJK mode otherwise).

    Line breaking does not depend on the available height, and tables wrap every cell
    again when they split and when they draw: the lines are kept for the last width.
    """

    _wrapped_for: float | None = None

    def _setup(self, text: Any, style: Any, bulletText: Any, frags: Any,  # noqa: N803
               cleaner: Any) -> None:
        if frags is not None or bulletText is not None or not isinstance(text, str):
            return super()._setup(text, style, bulletText, frags, cleaner)
        key = (text, style)
        known = _FRAGMENTS.get(key)
        if known is None:
            plain = _plain_fragments(text, style, cleaner)
            if plain is not None:
                _FRAGMENTS[key] = (plain[1], style)
                return super()._setup(plain[0], style, None, plain[1], cleaner)
            super()._setup(text, style, bulletText, frags, cleaner)
            if self.bulletText is None:
                _FRAGMENTS[key] = (self.frags, self.style)
            return None
        return super()._setup(text, known[1], None, known[0], cleaner)

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        if availWidth == self._wrapped_for and "blPara" in self.__dict__:
            return self.width, self.height
        size = super().wrap(availWidth, availHeight)
        self._wrapped_for = availWidth
        return size

    def breakLinesCJK(self, maxWidths: Any) -> Any:  # noqa: N802,N803 - reportlab API
        if not isinstance(maxWidths, list | tuple):
            maxWidths = [maxWidths]  # noqa: N806
        style = self.style
        frags = self.frags
        if not frags or (hasattr(self, "blPara") and getattr(self, "_splitpara", 0)):
            return super().breakLinesCJK(maxWidths)
        self.height = 0
        _handleBulletWidth(self.bulletText, style, maxWidths)
        if len(frags) == 1 and not hasattr(frags[0], "cbDefn") and not style.endDots:
            frag = frags[0]
            text = frag.text if hasattr(frag, "text") else "".join(getattr(frag, "words", []))
            widths = [_char_width(c, frag.fontName, frag.fontSize) for c in text]
            lines = [(spare, [text[a:b]]) for a, b, spare, _ in
                     line_spans(text, widths, maxWidths)]
            return frag.clone(kind=0, lines=lines, ascent=frag.fontSize,
                              descent=-0.2 * frag.fontSize)
        glyphs: list[Any] = []
        for frag in frags:
            text = frag.text
            if isinstance(text, bytes):
                text = text.decode("utf8")
            if text:
                glyphs.extend(_glyph(t, frag) for t in text)
            else:
                glyphs.append(cjkU(text, frag, "utf8"))
        hard = [hasattr(g.frag, "lineBreak") for g in glyphs]
        calc_bounds = getattr(self, "autoLeading", getattr(style, "autoLeading", "")) not in (
            "", "off")
        from reportlab.platypus.paragraph import ParaLines

        lines = []
        for n, (a, b, spare, is_hard) in enumerate(
                line_spans(glyphs, [g.width for g in glyphs], maxWidths, hard)):
            width = maxWidths[min(n, len(maxWidths) - 1)]
            lines.append(makeCJKParaLine(glyphs[a:b], width, width - spare, spare, is_hard,
                                         calc_bounds))
        return ParaLines(kind=1, lines=lines)


def one_line(markup: str, text: str, style: ParagraphStyle, width: float,
             smallest: float = 5.0) -> CJKParagraph:
    """A paragraph of ``markup`` (showing ``text``) shrunk until it fits ``width`` on one line.

    Names are never split across lines ("买买提·木沙" stays whole); a long one is printed
    smaller instead, down to ``smallest`` points.
    """
    needed = stringWidth(text, style.fontName, style.fontSize)
    room = width - style.leftIndent - style.rightIndent
    if needed <= room or needed == 0:
        return CJKParagraph(markup, style)
    size = max(smallest, style.fontSize * room / needed * 0.98)
    fitted = ParagraphStyle(f"{style.name}-fit{size:.2f}", parent=style, fontSize=size,
                            leading=max(style.leading * size / style.fontSize, size * 1.2))
    return CJKParagraph(markup, fitted)


class TailTable(Table):
    """A table that, when it breaks across pages, carries at least ``min_tail`` rows over.

    Without this a long table may end with its last row (or only its totals) alone at the top
    of a new page; then the break moves up so that page holds a few rows of the table too.
    """

    min_tail = 3

    def _getFirstPossibleSplitRowPosition(self, availHeight: float,  # noqa: N802,N803
                                          ignoreSpans: int = 0) -> int:  # noqa: N803
        n = super()._getFirstPossibleSplitRowPosition(availHeight, ignoreSpans)
        rows = len(self._rowHeights)
        repeat = self.repeatRows if isinstance(self.repeatRows, int) else (
            max(self.repeatRows) + 1)
        tail = rows - n
        if ignoreSpans or n <= repeat or tail <= 0 or tail >= self.min_tail:
            return n
        earlier = rows - self.min_tail
        # Keep at least two body rows before the break; otherwise break where it was.
        return earlier if earlier - repeat >= 2 else n


# Parsed paragraph fragments of the report being rendered, by (markup, style): table
# headers, "—", amounts and labels repeat across rows and pages. Cleared for every report so
# that a benchmark measures the work of one report, not a warm cache.
_FRAGMENTS: dict[tuple[str, ParagraphStyle], tuple[Any, ParagraphStyle]] = {}


# The fragment reportlab's parser makes of a style, by id(style) (the style is kept with it,
# so its id is not reused): plain text is that fragment with the text in it.
_STYLE_FRAGMENT: dict[int, tuple[ParagraphStyle, Any]] = {}


def _plain_fragments(text: str, style: ParagraphStyle, cleaner: Any) -> tuple[str, list] | None:
    """(cleaned text, fragments) of a paragraph without markup, as the parser would make them,
    without running the parser (an HTML parser per paragraph: about a tenth of a report's
    render, most of it on table cells of plain text); None when ``text`` has markup or an
    entity (``esc`` turns every "<" and "&" of a value into one) or cleans to nothing."""
    if "<" in text or "&" in text:
        return None
    cleaned = cleaner(text)
    if not cleaned:
        return None
    known = _STYLE_FRAGMENT.get(id(style))
    if known is None:
        _style, frags, _bullet = ParaParser().parse("x", style)
        if not frags or len(frags) != 1:
            return None
        known = _STYLE_FRAGMENT[id(style)] = (style, frags[0])
    frags = [known[1].clone(text=cleaned)]
    textTransformFrags(frags, style)
    return cleaned, frags


def start_report() -> None:
    """Forget the fragments of the previous report (called once per render)."""
    _FRAGMENTS.clear()
    _STYLE_FRAGMENT.clear()
