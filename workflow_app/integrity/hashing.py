"""The one place that knows which hash the installation uses: ``HASH_ALGORITHM`` is ``sha256``
(default) or ``sm3`` (国密 GB/T 32905). Content hashes, the audit chain, the signature MACs and
the checkpoints all use it; each stored hash records its algorithm, so switching the setting
never breaks the verification of older rows.

SM3 comes from the linked OpenSSL when it has it (fast), else from the pure-Python
``workflow_app.integrity.sm3`` (both are tested against the standard's vectors).
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Callable
from typing import Any

ALGORITHMS = ("sha256", "sm3")
LABELS = {"sha256": "SHA-256", "sm3": "国密 SM3，GB/T 32905"}
DEFAULT = "sha256"


def _openssl_sm3() -> Callable[..., Any] | None:
    try:
        hashlib.new("sm3")
    except ValueError:
        return None
    return lambda data=b"": hashlib.new("sm3", data)


_SM3 = _openssl_sm3()


def constructor(algorithm: str) -> Callable[..., Any]:
    """A hashlib-style constructor for the algorithm (``hmac.new`` accepts it)."""
    if algorithm == "sha256":
        return hashlib.sha256
    if algorithm == "sm3":
        if _SM3 is not None:
            return _SM3
        from workflow_app.integrity.sm3 import SM3

        return SM3
    raise ValueError(f"未知的哈希算法 {algorithm!r}（可选 sha256、sm3）")


def current() -> str:
    """The configured algorithm (app config inside an app context, else the environment)."""
    name = None
    try:
        from flask import current_app

        name = current_app.config.get("HASH_ALGORITHM")
    except RuntimeError:  # outside an application context (pure domain code, scripts)
        pass
    name = (name or os.environ.get("HASH_ALGORITHM") or DEFAULT).lower()
    if name not in ALGORITHMS:
        raise ValueError(f"HASH_ALGORITHM={name!r} 无效（可选 sha256、sm3）")
    return name


def hexdigest(data: bytes, algorithm: str | None = None) -> str:
    """The hex digest of ``data`` (64 hex digits for both algorithms)."""
    return constructor(algorithm or current())(data).hexdigest()


def hmac_hex(key: bytes, data: bytes, algorithm: str | None = None) -> str:
    """HMAC (RFC 2104) of ``data`` under ``key`` with the algorithm, as hex."""
    return hmac.new(key, data, constructor(algorithm or current())).hexdigest()


def label(algorithm: str | None) -> str:
    """How the algorithm is named on pages and in the PDF."""
    return LABELS.get(algorithm or DEFAULT, algorithm or DEFAULT)
