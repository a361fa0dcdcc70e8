"""The server's integrity keys (issue 9 item 6): MACs that the database alone cannot forge.

Signatures, approvals and the audit-chain checkpoints carry an HMAC under a key that is never
stored in the database, so someone who can write SQL (but cannot read the application's
environment or key file) can change rows but cannot make their MACs agree.

Where the keys come from, first match wins:

1. ``INTEGRITY_KEYS`` (app config, else the environment): JSON, either ``{"<id>": "<base64>"}``
   (the current key is the greatest id, so date-prefixed ids make the newest current) or
   ``{"current": "<id>", "keys": {"<id>": "<base64>" | {"key": "<base64>", ...}}}``.
   Keys from the environment are read-only: ``rotate()`` refuses, the operator edits the JSON.
2. The key-ring file ``INTEGRITY_KEY_FILE`` (default ``<instance_path>/integrity-keys.json``),
   mode 0600: ``{"current": id, "keys": {id: {"key": base64, "algorithm": ..., "created_at":
   ...}}}``. ``rotate()`` adds a key and makes it current; older keys stay for verification.

Fail closed in production (chosen over refusing to start, so ``flask db upgrade`` and
``flask integrity rotate-key`` itself still run): when neither source exists, every ``mac()``
raises ``KeyRingError`` with a Chinese message, so nothing is signed, approved or checkpointed
without a MAC; the operator creates the ring with ``flask --app workflow_app integrity
rotate-key`` (or sets ``INTEGRITY_KEYS``). A key file readable by group or others is refused in
production too. Development and testing create the file (0600) on first use.

The algorithm is recorded with the key id: ``mac()`` returns ``"<ring id>:<algorithm>"`` with
the algorithm configured now (``HASH_ALGORITHM``, sha256 | sm3), so switching the setting never
breaks the verification of older MACs and needs no new key.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import hmac
import json
import os
import secrets
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from workflow_app.integrity import hashing

KEY_BYTES = 32
FILE_NAME = "integrity-keys.json"


class KeyRingError(RuntimeError):
    """The key ring is missing, unreadable or malformed (the message is Chinese)."""


@dataclass
class KeyRing:
    """The keys by id, which one is current, and where they came from."""

    keys: dict[str, bytes]
    current: str
    source: str  # "env" or the file's path
    meta: dict[str, dict[str, Any]] = field(default_factory=dict)


_cache: dict[tuple, KeyRing] = {}


# -- configuration ----------------------------------------------------------------------------

def _config() -> tuple[str | None, str | None, bool]:
    """(INTEGRITY_KEYS json, key file path, production?) from the app config or environment."""
    env_json = os.environ.get("INTEGRITY_KEYS") or None
    file_path = os.environ.get("INTEGRITY_KEY_FILE") or None
    production = (os.environ.get("APP_ENV") or "").lower() == "production"
    try:
        from flask import current_app

        config = current_app.config
        env_json = config.get("INTEGRITY_KEYS") or env_json
        file_path = config.get("INTEGRITY_KEY_FILE") or file_path or str(
            Path(current_app.instance_path) / FILE_NAME)
        production = config.get("ENV_NAME") == "production"
    except RuntimeError:  # no application context: the environment only
        pass
    return env_json, file_path, production


def _b64(value: str, key_id: str) -> bytes:
    try:
        raw = base64.b64decode(value, validate=True)
    except (ValueError, TypeError):
        raise KeyRingError(f"完整性密钥 {key_id!r} 不是有效的 base64") from None
    if len(raw) < 16:
        raise KeyRingError(f"完整性密钥 {key_id!r} 太短（至少 16 字节）")
    return raw


def _parse(data: Any, source: str) -> KeyRing:
    """A KeyRing from either accepted JSON shape."""
    if not isinstance(data, dict) or not data:
        raise KeyRingError(f"完整性密钥环格式错误（{source}）")
    if "keys" in data and isinstance(data["keys"], dict):
        entries, current = data["keys"], data.get("current")
    else:
        entries, current = data, None
    keys: dict[str, bytes] = {}
    meta: dict[str, dict[str, Any]] = {}
    for key_id, value in entries.items():
        key_id = str(key_id)
        if not key_id or ":" in key_id or len(key_id) > 64:
            raise KeyRingError(f"完整性密钥编号 {key_id!r} 无效（1–64 个字符，不含冒号）")
        if isinstance(value, dict):
            keys[key_id] = _b64(str(value.get("key", "")), key_id)
            meta[key_id] = {k: v for k, v in value.items() if k != "key"}
        else:
            keys[key_id] = _b64(str(value), key_id)
            meta[key_id] = {}
    if not keys:
        raise KeyRingError(f"完整性密钥环为空（{source}）")
    current = str(current) if current else max(keys)
    if current not in keys:
        raise KeyRingError(f"完整性密钥环的当前密钥 {current!r} 不存在（{source}）")
    return KeyRing(keys, current, source, meta)


def _new_key_id(existing: dict[str, bytes]) -> str:
    """A date-prefixed id (so the greatest id is the newest) unique in the ring."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    while True:
        key_id = f"k{stamp}-{secrets.token_hex(3)}"
        if key_id not in existing:
            return key_id


def _entry(algorithm: str) -> dict[str, Any]:
    return {"key": base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode("ascii"),
            "algorithm": algorithm,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds")}


def _temp_copy(path: Path, data: dict[str, Any]) -> str:
    """Write ``data`` to a new 0600 file beside ``path``, flushed to disk; its name."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".integrity-keys.", dir=str(path.parent))
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(data, out, ensure_ascii=False, indent=2, sort_keys=True)
            out.flush()
            os.fsync(out.fileno())
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return tmp


def _write_new(path: Path, data: dict[str, Any]) -> bool:
    """Write the file atomically with mode 0600; False if it appeared meanwhile (no clobber)."""
    tmp = _temp_copy(path, data)
    try:
        os.link(tmp, path)  # atomic and exclusive: two workers never make two rings
        return True
    except FileExistsError:
        return False
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


def _replace(path: Path, data: dict[str, Any]) -> None:
    """Replace the file atomically, keeping mode 0600."""
    tmp = _temp_copy(path, data)
    try:
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


@contextlib.contextmanager
def _locked(path: Path):
    """An exclusive lock beside the key file (rotation is read-modify-write)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(str(path) + ".lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _read_file(path: Path, production: bool) -> KeyRing:
    stat = path.stat()
    cache_key = ("file", str(path), stat.st_mtime_ns, stat.st_size, stat.st_ino)
    ring = _cache.get(cache_key)
    if ring is not None:
        return ring
    if production and stat.st_mode & 0o077:
        raise KeyRingError(f"完整性密钥文件 {path} 的权限过宽（应为 0600），拒绝使用")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise KeyRingError(f"无法读取完整性密钥文件 {path}：{exc}") from None
    ring = _parse(data, str(path))
    _cache.clear()
    _cache[cache_key] = ring
    return ring


def ring(create: bool | None = None) -> KeyRing:
    """The configured key ring. Creates the file on first use outside production."""
    env_json, file_path, production = _config()
    if env_json:
        cache_key = ("env", env_json)
        cached = _cache.get(cache_key)
        if cached is not None:
            return cached
        try:
            data = json.loads(env_json)
        except ValueError:
            raise KeyRingError("INTEGRITY_KEYS 不是有效的 JSON") from None
        parsed = _parse(data, "env")
        _cache[cache_key] = parsed
        return parsed
    if not file_path:
        raise KeyRingError("未配置完整性密钥：请设置 INTEGRITY_KEYS 或 INTEGRITY_KEY_FILE")
    path = Path(file_path)
    if not path.exists():
        if create is None:
            create = not production
        if not create:
            raise KeyRingError(
                f"未配置完整性密钥：{path} 不存在且未设置 INTEGRITY_KEYS。"
                "请运行 flask --app workflow_app integrity rotate-key 创建密钥文件。")
        key_id = _new_key_id({})
        _write_new(path, {"current": key_id, "keys": {key_id: _entry(hashing.current())}})
    return _read_file(path, production)


# -- the API ----------------------------------------------------------------------------------

def current_key_id() -> str:
    """The id of the key new MACs are made with (the ring's id, without the algorithm)."""
    return ring().current


def split_key_id(key_id: str) -> tuple[str, str]:
    """``"<ring id>:<algorithm>"`` → (ring id, algorithm); a bare id means its key's algorithm
    as recorded in the ring (sha256 when none is recorded)."""
    ring_id, _, algorithm = str(key_id).partition(":")
    if not algorithm:
        try:
            algorithm = str(ring().meta.get(ring_id, {}).get("algorithm") or hashing.DEFAULT)
        except KeyRingError:
            algorithm = hashing.DEFAULT
    return ring_id, algorithm


def mac(message: bytes) -> tuple[str, str]:
    """(key id, hex HMAC of ``message``) under the current key and the configured algorithm.

    The key id names the algorithm (``"<ring id>:sm3"``), so ``check`` needs nothing else.
    Raises ``KeyRingError`` when no key is configured (production fails closed).
    """
    keys = ring()
    algorithm = hashing.current()
    return (f"{keys.current}:{algorithm}",
            hashing.hmac_hex(keys.keys[keys.current], bytes(message), algorithm))


def check(message: bytes, key_id: str | None, mac_hex: str | None) -> bool:
    """Whether ``mac_hex`` is the HMAC of ``message`` under the key ``key_id`` names (any key
    of the ring, current or older). Constant-time; False for an unknown id or algorithm."""
    if not key_id or not mac_hex:
        return False
    ring_id, algorithm = split_key_id(key_id)
    if algorithm not in hashing.ALGORITHMS:
        return False
    key = ring().keys.get(ring_id)
    if key is None:
        return False
    expected = hashing.hmac_hex(key, bytes(message), algorithm)
    return hmac.compare_digest(expected.encode("ascii"), str(mac_hex).lower().encode("ascii",
                                                                                   "replace"))


def known(key_id: str | None) -> bool:
    """Whether the ring holds the key ``key_id`` names."""
    if not key_id:
        return False
    return split_key_id(key_id)[0] in ring().keys


def rotate() -> str:
    """Add a new key to the key-ring file and make it current; older keys stay for checking.

    Returns the new ring id. Creates the file when there is none (also in production: this is
    the operator's explicit act). Refuses when the keys come from ``INTEGRITY_KEYS``.
    """
    env_json, file_path, _production = _config()
    if env_json:
        raise KeyRingError(
            "完整性密钥来自 INTEGRITY_KEYS 环境变量：请在其中添加新密钥并标记为当前密钥")
    if not file_path:
        raise KeyRingError("未配置 INTEGRITY_KEY_FILE")
    path = Path(file_path)
    algorithm = hashing.current()
    with _locked(path):
        if path.exists():
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise KeyRingError(f"无法读取完整性密钥文件 {path}：{exc}") from None
            old = _parse(data, str(path))
            if "keys" not in data:  # a plain {id: key} file: keep its keys in the long form
                data = {"keys": {k: {"key": v} for k, v in data.items()}}
            key_id = _new_key_id(old.keys)
            data["keys"][key_id] = _entry(algorithm)
            data["current"] = key_id
            _replace(path, data)
        else:
            key_id = _new_key_id({})
            _write_new(path, {"current": key_id, "keys": {key_id: _entry(algorithm)}})
    _cache.clear()
    return key_id
