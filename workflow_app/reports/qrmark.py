"""The verification QR code as one filled path.

reportlab's ``QrCodeWidget`` builds a graphics ``Group`` with one validated ``Rect`` shape
per run of dark modules, and ``Drawing.getBounds`` builds it a second time: about a sixth of
a report's render. This flowable encodes once with reportlab's own encoder (the same modules,
error-correction level and four-module border) and draws the runs straight onto the canvas
as rectangles of one path, filled once; the page's drawing operators are the same ``re``
rectangles, one module high.
"""

from __future__ import annotations

import itertools

from reportlab.graphics.barcode import qrencoder
from reportlab.platypus import Flowable

BORDER = 4  # modules of quiet zone on each side (ISO/IEC 18004)


class QrMark(Flowable):
    """A square QR code of ``size`` points encoding ``value`` (level M by default)."""

    def __init__(self, value: str, size: float, level: str = "M") -> None:
        super().__init__()
        self.width = self.height = size
        self.qr = qrencoder.QRCode(None, getattr(qrencoder.QRErrorCorrectLevel, level))
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
