"""CJK TrueType fonts for the printed report.

The report embeds every font it uses (a published PDF must print the same everywhere), so
it never falls back to reportlab's standard-14 fonts: both the serif body face (宋体-like
明体) and the sans heading face (黑体-like) are TrueType collections registered with
reportlab's ``TTFont``, which embeds them as subsets. Latin text and digits use the same
faces, so ``pdffonts`` lists nothing that is not embedded.
"""

from __future__ import annotations

import gc
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont, TTFontFile

#: Names under which the faces are registered with reportlab.
SERIF = "JXSerif"
SANS = "JXSans"

# (path, subfont index) in order of preference. Only TrueType outlines work with reportlab
# (CFF-based OpenType such as Noto CJK cannot be embedded by it), hence no Noto here.
SERIF_CANDIDATES: tuple[tuple[str, int], ...] = (
    ("/usr/share/fonts/truetype/arphic/uming.ttc", 0),  # AR PL UMing CN: 明体, simplified
    ("/usr/share/fonts/truetype/arphic-gbsn00lp/gbsn00lp.ttf", 0),
    ("/usr/share/fonts/truetype/arphic/ukai.ttc", 0),
    ("C:/Windows/Fonts/simsun.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", 0),
)
SANS_CANDIDATES: tuple[tuple[str, int], ...] = (
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),  # WenQuanYi Zen Hei: 黑体-like
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("C:/Windows/Fonts/simhei.ttf", 0),
    ("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", 0),
    ("/usr/share/fonts/truetype/arphic/uming.ttc", 0),
)


class FontNotFoundError(RuntimeError):
    """No usable CJK TrueType font was found on this machine."""


@dataclass(frozen=True)
class FontSet:
    """The registered font names and the files they came from."""

    serif: str
    sans: str
    serif_path: str
    sans_path: str


_lock = threading.Lock()
_registered: FontSet | None = None


def _env_candidate(var: str) -> tuple[tuple[str, int], ...]:
    # JIXIAO_PDF_FONT_SERIF=/path/font.ttc[:index] lets an operator pin a font.
    value = os.environ.get(var, "").strip()
    if not value:
        return ()
    head, _, tail = value.rpartition(":")
    if head and tail.isdigit():
        return ((head, int(tail)),)
    return ((value, 0),)


def _first_existing(candidates: tuple[tuple[str, int], ...]) -> tuple[str, int] | None:
    for path, index in candidates:
        if Path(path).is_file():
            return path, index
    return None


def _keep_tables(face: TTFontFile) -> None:
    """Slice each table of the font file once, not once per subset.

    Every subset reportlab embeds (up to 256 glyphs each; a report has about six) starts by
    copying whole tables out of the file's bytes, the CJK ``glyf`` table being megabytes:
    about a tenth of a report's render. The tables never change, so the face keeps the first
    copy of each (an instance attribute in front of ``TTFontFile.get_table``).
    """
    tables: dict[str, bytes] = {}
    read = face.get_table

    def get_table(tag: str) -> bytes:
        if tag not in tables:
            tables[tag] = read(tag)
        return tables[tag]

    face.get_table = get_table


def register_fonts() -> FontSet:
    """Register the serif and sans CJK faces once per process and return their names.

    Raises :class:`FontNotFoundError` naming the paths searched and the Debian packages to
    install when no candidate exists.
    """
    global _registered
    if _registered is not None:
        return _registered
    with _lock:
        if _registered is not None:
            return _registered
        serif = _first_existing(_env_candidate("JIXIAO_PDF_FONT_SERIF") + SERIF_CANDIDATES)
        sans = _first_existing(_env_candidate("JIXIAO_PDF_FONT_SANS") + SANS_CANDIDATES)
        if serif is None and sans is None:
            searched = ", ".join(p for p, _ in SERIF_CANDIDATES + SANS_CANDIDATES)
            raise FontNotFoundError(
                "报告生成需要中文 TrueType 字体，但未找到。请安装 fonts-arphic-uming 或 "
                "fonts-wqy-zenhei（scripts/system-deps.sh），或设置 JIXIAO_PDF_FONT_SERIF。"
                f" Searched: {searched}"
            )
        # One face is enough: use it for both roles rather than failing.
        serif = serif or sans
        sans = sans or serif
        assert serif is not None and sans is not None
        for name, (path, index) in ((SERIF, serif), (SANS, sans)):
            font = TTFont(name, path, subfontIndex=index)
            _keep_tables(font.face)
            pdfmetrics.registerFont(font)
        _registered = FontSet(SERIF, SANS, serif[0], sans[0])
        # The faces' tables are tens of thousands of objects that live as long as the process:
        # out of the collector's sight, a full collection during a render takes well under a
        # millisecond instead of 60-90 ms (and a 300-indicator report ran into several).
        gc.freeze()
        return _registered
