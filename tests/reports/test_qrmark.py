"""The verification QR code: the fast mask penalty chooses what reportlab's encoder chooses."""

from __future__ import annotations

import random
import string

import pytest
from reportlab.graphics.barcode import qrencoder

from workflow_app.reports.qrmark import FastMaskQRCode, lost_point


def _values(count: int, seed: int) -> list[str]:
    rnd = random.Random(seed)
    alphabet = string.ascii_letters + string.digits + "-/:._?=&"
    return ["https://jx.example.gov.cn/public/verify/"
            + "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 160)))
            for _ in range(count)]


@pytest.mark.parametrize("value", _values(40, seed=20261203))
def test_penalty_of_every_mask_equals_reportlabs(value: str) -> None:
    code = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
    code.addData(value)
    code.make()
    for mask in range(8):
        code.makeImpl(True, mask)
        assert lost_point(code.modules) == qrencoder.QRUtil.getLostPoint(code), mask


@pytest.mark.parametrize("seed, level", enumerate(["L", "M", "Q", "H"]))
def test_same_modules_as_reportlabs_encoder(seed: int, level: str) -> None:
    for value in _values(10, seed=seed):
        ours = FastMaskQRCode(None, getattr(qrencoder.QRErrorCorrectLevel, level))
        theirs = qrencoder.QRCode(None, getattr(qrencoder.QRErrorCorrectLevel, level))
        for code in (ours, theirs):
            code.addData(value)
            code.make()
        assert ours.modules == theirs.modules


def test_penalty_counts_each_rule() -> None:
    light = [[False] * 21 for _ in range(21)]
    # All light: 21-module runs in 42 lines (19 each), 20x20 2x2 blocks (3 each), 0 % dark.
    assert lost_point(light) == 42 * 19 + 400 * 3 + 10 * (50 // 5)
    pattern = [c == "1" for c in "10111010000"] + [True] * 10
    grid = [list(pattern)] + [[i % 2 == j % 2 for j in range(21)] for i in range(1, 21)]
    # The finder-like run of the first row (40) and its run of ten dark modules (8); the
    # alternating rest has no runs and no blocks.
    assert 48 <= lost_point(grid) < 48 + 10
