"""The verification QR code as one filled path.

reportlab's ``QrCodeWidget`` builds a graphics ``Group`` with one validated ``Rect`` shape
per run of dark modules, and ``Drawing.getBounds`` builds it a second time: about a sixth of
a report's render. This flowable encodes once with reportlab's own encoder (the same modules,
error-correction level and four-module border) and draws the runs straight onto the canvas
as rectangles of one path, filled once; the page's drawing operators are the same ``re``
rectangles, one module high.

The encoder picks the mask with the lowest penalty (ISO/IEC 18004 §7.8.3) by scoring all
eight; reportlab scores them module by module in Python, a tenth of a report's render.
:class:`FastMaskQRCode` scores the same four rules with bit operations on whole rows and
gives the same penalty as ``qrencoder.QRUtil.getLostPoint`` (so the same mask, the same
modules, the same PDF bytes: tests/reports/test_qrmark.py compares them).
"""

from __future__ import annotations

import itertools
import re

from reportlab.graphics.barcode import qrencoder
from reportlab.platypus import Flowable

BORDER = 4  # modules of quiet zone on each side (ISO/IEC 18004)
_RUNS = re.compile(r"0{5,}|1{5,}")
_FINDER_LIKE = "10111010000"  # the one orientation reportlab's rule 3 looks for


def lost_point(modules: list[list[bool]]) -> int:
    """The mask penalty of ``modules`` exactly as ``qrencoder.QRUtil.getLostPoint`` counts it."""
    size = len(modules)
    rows = ["".join("1" if m else "0" for m in row) for row in modules]
    columns = ["".join(column) for column in zip(*rows, strict=True)]
    score = 0
    for line in rows + columns:
        # Rule 1: a run of five or more modules of one colour costs its length minus two.
        score += sum(len(run) - 2 for run in _RUNS.findall(line))
    for line in rows:
        # Rule 3: a 1:1:3:1:1 finder-like pattern followed by four light modules costs 40.
        # reportlab compares column tuples with a list (never equal) and leaves a line's last
        # position unchecked: rows only, so the same mask is chosen.
        score += 40 * line[:-1].count(_FINDER_LIKE)
    # Rule 2: each 2x2 block of one colour costs 3.
    full = (1 << size) - 1
    bits = [int(line, 2) for line in rows]
    for upper, lower in itertools.pairwise(bits):
        same = ~(upper ^ lower) & full
        along = ~(lower ^ (lower >> 1))
        score += 3 * (same & (same >> 1) & along & (full >> 1)).bit_count()
    # Rule 4: the share of dark modules away from half, in steps of 5 %.
    dark = sum(b.bit_count() for b in bits)
    return score + 10 * (abs(100 * dark // (size * size) - 50) // 5)


class FastMaskQRCode(qrencoder.QRCode):
    """reportlab's encoder with the mask penalty computed by :func:`lost_point`."""

    def getBestMaskPattern(self) -> int:  # noqa: N802 - reportlab's name
        best, pattern = 0, 0
        for i in range(8):
            self.makeImpl(True, i)
            lost = lost_point(self.modules)
            if i == 0 or best > lost:
                best, pattern = lost, i
        return pattern


class QrMark(Flowable):
    """A square QR code of ``size`` points encoding ``value`` (level M by default)."""

    def __init__(self, value: str, size: float, level: str = "M") -> None:
        super().__init__()
        self.width = self.height = size
        self.qr = FastMaskQRCode(None, getattr(qrencoder.QRErrorCorrectLevel, level))
        self.qr.addData(value)
        self.qr.make()

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        canvas, size = self.canv, self.width
        count = self.qr.getModuleCount()
        box = size / (count + 2 * BORDER)
        path = canvas.beginPath()
        path.rect(0, 0, size, size)  # the frame, as the widget draws it (not painted)
        canvas.drawPath(path, stroke=0, fill=0)
        path = canvas.beginPath()
        for r, row in enumerate(self.qr.modules):
            c = 0
            for dark, run in itertools.groupby(bool(m) for m in row):
                length = sum(1 for _ in run)
                if dark:
                    path.rect((c + BORDER) * box, size - (r + BORDER + 1) * box,
                              length * box, box)
                c += length
        canvas.saveState()
        canvas.setFillColorRGB(0, 0, 0)
        canvas.drawPath(path, stroke=0, fill=1)
        canvas.restoreState()
