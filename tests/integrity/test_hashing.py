"""Issue 9 item 7: SM3 per GB/T 32905 (the standard's vectors), SHA-256, and HASH_ALGORITHM."""

from __future__ import annotations

import hashlib
import hmac
import os

import pytest

from workflow_app.integrity import hashing
from workflow_app.integrity.sm3 import SM3

# GB/T 32905-2016 附录 A: example 1 ("abc") and example 2 ("abcd" × 16).
VECTORS = [
    (b"abc", "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"),
    (b"abcd" * 16, "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"),
]


@pytest.mark.parametrize(("data", "digest"), VECTORS)
def test_pure_python_sm3_matches_the_standard(data, digest):
    assert SM3(data).hexdigest() == digest


@pytest.mark.parametrize(("data", "digest"), VECTORS)
def test_configured_sm3_matches_the_standard(data, digest):
    assert hashing.hexdigest(data, "sm3") == digest


def test_pure_python_sm3_streams_and_copies():
    data = os.urandom(1000)
    h = SM3()
    for i in range(0, len(data), 37):
        h.update(data[i:i + 37])
    copy = h.copy()
    assert h.hexdigest() == SM3(data).hexdigest() == copy.hexdigest()
    for n in (0, 55, 56, 63, 64, 65, 119, 120, 128):
        assert SM3(b"x" * n).hexdigest() == hashing.hexdigest(b"x" * n, "sm3")


def test_hmac_sm3_uses_the_block_construction():
    key, msg = b"k" * 20, b"message"
    expected = hmac.new(key, msg, SM3).hexdigest()
    assert hashing.hmac_hex(key, msg, "sm3") == expected
    assert hashing.hmac_hex(key, msg, "sha256") == hmac.new(key, msg, hashlib.sha256).hexdigest()
    assert expected != hashing.hmac_hex(key, msg, "sha256")


def test_the_setting_chooses_the_algorithm(app):
    with app.app_context():
        assert hashing.current() == "sha256"
        app.config["HASH_ALGORITHM"] = "sm3"
        try:
            assert hashing.current() == "sm3"
            assert hashing.hexdigest(b"abc") == VECTORS[0][1]
        finally:
            app.config["HASH_ALGORITHM"] = "sha256"
        app.config["HASH_ALGORITHM"] = "md5"
        try:
            with pytest.raises(ValueError):
                hashing.current()
        finally:
            app.config["HASH_ALGORITHM"] = "sha256"
