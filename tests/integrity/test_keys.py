"""Issue 9 item 6: the integrity key ring (not in the database), MACs, rotation, fail-closed."""

from __future__ import annotations

import base64
import json
import os
import stat

import pytest

from workflow_app.integrity import keys


@pytest.fixture
def key_file(app, tmp_path):
    """A fresh key-ring file for one test (the app's config points at it meanwhile)."""
    path = tmp_path / "ring" / "integrity-keys.json"
    old = app.config.get("INTEGRITY_KEY_FILE")
    app.config["INTEGRITY_KEY_FILE"] = str(path)
    yield path
    app.config["INTEGRITY_KEY_FILE"] = old


def test_first_use_creates_a_private_key_file(ctx, key_file):
    assert not key_file.exists()
    key_id, mac_hex = keys.mac(b"message")
    assert key_file.exists()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    data = json.loads(key_file.read_text())
    assert key_id == f"{data['current']}:sha256"
    assert len(mac_hex) == 64
    assert keys.check(b"message", key_id, mac_hex)
    assert not keys.check(b"messagE", key_id, mac_hex)
    assert not keys.check(b"message", key_id, "0" * 64)
    assert not keys.check(b"message", "unknown:sha256", mac_hex)
    assert not keys.check(b"message", None, mac_hex)


def test_rotation_keeps_old_macs_verifiable(ctx, key_file):
    old_id, old_mac = keys.mac(b"signed before")
    new_ring_id = keys.rotate()
    assert keys.current_key_id() == new_ring_id != old_id.split(":")[0]
    new_id, new_mac = keys.mac(b"signed after")
    assert new_id.startswith(new_ring_id + ":")
    assert keys.check(b"signed before", old_id, old_mac)
    assert keys.check(b"signed after", new_id, new_mac)
    assert not keys.check(b"signed before", new_id, old_mac)  # the key id is bound in
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(json.loads(key_file.read_text())["keys"]) == 2


def test_the_algorithm_is_recorded_with_the_key_id(app, ctx, key_file):
    sha_id, sha_mac = keys.mac(b"m")
    app.config["HASH_ALGORITHM"] = "sm3"
    try:
        sm3_id, sm3_mac = keys.mac(b"m")
    finally:
        app.config.pop("HASH_ALGORITHM")
    assert sha_id.endswith(":sha256") and sm3_id.endswith(":sm3")
    assert sha_mac != sm3_mac
    assert keys.check(b"m", sha_id, sha_mac) and keys.check(b"m", sm3_id, sm3_mac)
    assert not keys.check(b"m", sm3_id, sha_mac)


def test_keys_from_the_environment_setting(app, ctx, key_file):
    k1 = base64.b64encode(b"1" * 32).decode()
    k2 = base64.b64encode(b"2" * 32).decode()
    app.config["INTEGRITY_KEYS"] = json.dumps({"2026-01": k1, "2026-06": k2})
    try:
        assert keys.current_key_id() == "2026-06"  # the greatest id is the newest
        key_id, mac_hex = keys.mac(b"x")
        assert key_id == "2026-06:sha256"
        assert keys.check(b"x", key_id, mac_hex)
        with pytest.raises(keys.KeyRingError, match="INTEGRITY_KEYS"):
            keys.rotate()
        app.config["INTEGRITY_KEYS"] = json.dumps(
            {"current": "2026-01", "keys": {"2026-01": k1, "2026-06": k2}})
        assert keys.current_key_id() == "2026-01"
        assert keys.check(b"x", key_id, mac_hex)  # the older mark still verifies
    finally:
        app.config.pop("INTEGRITY_KEYS")
    assert not key_file.exists()  # the environment's keys never touch the file


def test_production_without_keys_fails_closed(app, ctx, key_file):
    app.config["ENV_NAME"] = "production"
    try:
        with pytest.raises(keys.KeyRingError, match="rotate-key"):
            keys.mac(b"x")
        assert not key_file.exists()
        keys.rotate()  # the operator's explicit act creates the ring
        assert keys.check(b"x", *keys.mac(b"x"))
        os.chmod(key_file, 0o644)
        keys._cache.clear()
        with pytest.raises(keys.KeyRingError, match="权限过宽"):
            keys.mac(b"x")
    finally:
        app.config["ENV_NAME"] = "testing"


def test_malformed_rings_are_refused_clearly(app, ctx, key_file):
    for bad in ("not json", "{}", json.dumps({"k": "***"}), json.dumps({"k": "c2hvcnQ="}),
                json.dumps({"current": "x", "keys": {"k": base64.b64encode(b"1" * 32).decode()}})):
        app.config["INTEGRITY_KEYS"] = bad
        try:
            with pytest.raises(keys.KeyRingError):
                keys.mac(b"x")
        finally:
            app.config.pop("INTEGRITY_KEYS")


def test_rotate_key_command_is_audited(app, ctx, key_file):
    from sqlalchemy import select

    from workflow_app.audit.models import AuditEvent
    from workflow_app.extensions import db

    first = keys.current_key_id()
    result = app.test_cli_runner().invoke(args=["integrity", "rotate-key"])
    assert result.exit_code == 0, result.output
    assert keys.current_key_id() != first
    assert keys.current_key_id() in result.output
    event = db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "integrity_key_rotated"))
    assert event is not None and event.detail["key_id"] == keys.current_key_id()
    status = app.test_cli_runner().invoke(args=["integrity", "key-status"])
    assert "共 2 个密钥" in status.output
