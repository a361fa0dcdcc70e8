"""Issue 9 item 6a: every revision, signature and approval carries a MAC under the server key.

Rows written through the model layer are signed; the MAC binds the revision hash, member,
signer, role, kind and time; rotating the key keeps old MACs verifiable; without a key the
production server refuses to sign rather than write an unsigned row.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from tests.workflow.helpers import S, build_world
from workflow_app.extensions import db
from workflow_app.integrity import keys, macs, verify
from workflow_app.workflow.errors import WorkflowError
from workflow_app.workflow.models import Revision, Signature, SignatureKind
from workflow_app.workflow.operations import fire


@pytest.fixture
def key_file(app, tmp_path):
    old = app.config.get("INTEGRITY_KEY_FILE")
    app.config["INTEGRITY_KEY_FILE"] = str(tmp_path / "integrity-keys.json")
    yield tmp_path / "integrity-keys.json"
    app.config["INTEGRITY_KEY_FILE"] = old


@pytest.fixture
def world(make, no_publication):
    return build_world(make)


@pytest.fixture
def no_publication(monkeypatch):
    from workflow_app.workflow import steps

    monkeypatch.setattr(steps, "publish_report", lambda firing: None)


def test_every_signature_and_approval_is_signed(ctx, key_file, world):
    world.go(S.FINANCE_ACCEPTANCE)
    db.session.commit()
    revision = db.session.scalar(select(Revision))
    assert revision.mac_key_id == f"{keys.current_key_id()}:sha256"
    assert keys.check(macs.of_revision(revision), revision.mac_key_id, revision.mac)
    assert revision.approved_at is not None
    assert keys.check(macs.of_approval(revision), revision.approval_mac_key_id,
                      revision.approval_mac)
    signatures = list(db.session.scalars(select(Signature).order_by(Signature.id)))
    assert [s.kind for s in signatures] == [SignatureKind.SIGN, SignatureKind.SIGN,
                                            SignatureKind.APPROVE]
    for signature in signatures:
        assert keys.check(macs.of_signature(signature), signature.mac_key_id, signature.mac)


def test_the_message_binds_hash_member_signer_role_kind_and_time(ctx, key_file, world):
    from datetime import timedelta

    world.go(S.LEADER_SIGNOFF)
    db.session.commit()
    signature = db.session.scalars(select(Signature)).first()
    good = macs.of_signature(signature)
    assert keys.check(good, signature.mac_key_id, signature.mac)
    changes = {"content_hash": "0" * 64, "member_id": world.member2.id + 100,
               "signer_id": world.leader.id, "team_role": "leader", "kind": "approve",
               "signed_at": signature.signed_at + timedelta(microseconds=1),
               "comment": "不同意", "revision_id": signature.revision_id + 1}
    for column, value in changes.items():
        fields = {c: getattr(signature, c) for c in (
            "revision_id", "content_hash", "member_id", "signer_id", "team_role", "kind",
            "signed_at", "comment")}
        fields[column] = value
        assert not keys.check(macs.signature_message(**fields), signature.mac_key_id,
                              signature.mac), column
    assert json.loads(good)["type"] == "signature"


def test_rotating_the_key_keeps_old_macs_verifiable(ctx, key_file, world, verify_cli):
    fire(world.evaluation, "submit", world.preparer)
    fire(world.evaluation, "sign", world.member1)
    db.session.commit()
    old = keys.current_key_id()
    keys.rotate()
    fire(world.evaluation, "sign", world.member2)
    fire(world.evaluation, "approve", world.leader)
    db.session.commit()
    used = {s.mac_key_id.split(":")[0] for s in db.session.scalars(select(Signature))}
    assert used == {old, keys.current_key_id()}
    code, output = verify_cli()
    assert code == 0, output
    # A key removed from the ring: its signatures can no longer be verified — and say so.
    data = json.loads(key_file.read_text())
    del data["keys"][old]
    key_file.write_text(json.dumps(data))
    code, output = verify_cli()
    assert code == 1 and f"密钥编号 '{old}:sha256' 不在密钥环中" in output


def test_production_without_a_key_refuses_to_sign(app, ctx, key_file, world):
    fire(world.evaluation, "submit", world.preparer)
    db.session.commit()
    app.config["ENV_NAME"] = "production"
    key_file.unlink()
    keys._cache.clear()
    try:
        with pytest.raises(WorkflowError, match="未配置完整性密钥"):
            fire(world.evaluation, "sign", world.member1)
        db.session.rollback()
    finally:
        app.config["ENV_NAME"] = "testing"
    assert db.session.scalars(select(Signature)).all() == []


def test_the_result_file_is_what_last_result_reads(ctx, key_file, world):
    world.go(S.TEAM_REVIEW)
    db.session.commit()
    report = verify.run()
    stored = verify.last_result()
    assert stored["ok"] is report.ok is True
    assert stored["at"] == report.at.isoformat()
    assert set(stored["checked"]) >= {"chain", "revisions", "content", "signatures",
                                      "reports", "evidence", "derived"}
    assert all("异常" not in line for line in report.lines())
