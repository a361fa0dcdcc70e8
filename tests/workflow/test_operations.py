"""The workflow rules, without HTTP: revisions, signatures, returns, reviews, 转交, 加签."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from tests.workflow.helpers import S
from workflow_app.audit.models import AuditEvent
from workflow_app.evaluations.document import canonical_json, content_hash, to_document
from workflow_app.extensions import db
from workflow_app.notifications.models import Notification
from workflow_app.workflow import revisions as rv
from workflow_app.workflow.errors import PermissionDenied, TransitionNotAllowed, WorkflowError
from workflow_app.workflow.models import IndicatorReview, Revision, Signature, SignatureKind
from workflow_app.workflow.operations import (
    add_comment,
    add_signer,
    delegate_signature,
    fire,
    fire_many,
)
from workflow_app.workflow.serialize import current_content_hash, signatures_json
from workflow_app.workflow.states import TeamRole


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_submit_freezes_a_revision_with_its_canonical_snapshot_and_hash(world):
    e = world.evaluation
    doc = to_document(e)
    fire(e, "submit", world.preparer)
    revision = rv.current_revision(e)
    assert e.state == S.TEAM_REVIEW and revision.number == 1
    assert revision.snapshot == canonical_json(doc)
    assert revision.content_hash == content_hash(doc) == current_content_hash(e)


def test_signatures_are_bound_to_the_revision_and_the_last_one_moves_on(world):
    e = world.evaluation
    fire(e, "submit", world.preparer)
    fire(e, "sign", world.member1, comment="同意", client_address="10.0.0.7")
    assert e.state == S.TEAM_REVIEW
    fire(e, "sign", world.member2)
    assert e.state == S.LEADER_SIGNOFF
    revision = rv.current_revision(e)
    sigs = rv.signatures_of(revision)
    assert [(s.member_id, s.team_role, s.content_hash) for s in sigs] == [
        (world.member1.id, TeamRole.MEMBER, revision.content_hash),
        (world.member2.id, TeamRole.DEPUTY, revision.content_hash)]
    assert sigs[0].comment == "同意" and sigs[0].client_address == "10.0.0.7"
    data = signatures_json(e)
    assert {d["username"] for d in data} == {world.member1.username, world.member2.username}
    assert all(d["revision"] == 1 and d["content_hash"] == revision.content_hash
               and d["signed_at"] for d in data)


def test_a_member_signs_once_per_revision(world):
    e = world.evaluation
    fire(e, "submit", world.preparer)
    fire(e, "sign", world.member1)
    with pytest.raises(PermissionDenied, match="已签署"):
        fire(e, "sign", world.member1)
    assert len(rv.signatures_of(rv.current_revision(e))) == 1


def test_approve_records_the_leaders_signature_and_locks(world):
    e = world.go(S.FINANCE_ACCEPTANCE)
    revision = rv.current_revision(e)
    leader_sig = [s for s in rv.signatures_of(revision) if s.kind == SignatureKind.APPROVE]
    assert [s.member_id for s in leader_sig] == [world.leader.id]
    assert revision.approved_by_id == world.leader.id and e.state.scores_locked


@pytest.mark.parametrize("stage", [S.TEAM_REVIEW, S.LEADER_SIGNOFF, S.FINANCE_ACCEPTANCE,
                                   S.ACCEPTED])
def test_return_opens_a_new_revision_and_needs_fresh_signatures(world, stage):
    e = world.go(stage)
    who = {S.TEAM_REVIEW: world.member1, S.LEADER_SIGNOFF: world.leader,
           S.FINANCE_ACCEPTANCE: world.finance, S.ACCEPTED: world.finance}[stage]
    with pytest.raises(WorkflowError, match="退回必须填写理由"):
        fire(e, "return", who, reason="   ")
    assert e.state == stage
    old = rv.current_revision(e)
    old_sigs = len(rv.signatures_of(old))
    fire(e, "return", who, reason="资金数据有误")
    assert e.state == S.DRAFT and e.revision_number == 2
    assert old.return_reason == "资金数据有误" and old.returned_at is not None
    assert len(rv.signatures_of(old)) == old_sigs  # kept on record
    fire(e, "submit", world.preparer)
    assert rv.current_revision(e).number == 2
    assert rv.pending_signers(e, rv.current_revision(e))  # the old signatures do not count
    with pytest.raises(TransitionNotAllowed):
        fire(e, "approve", world.leader)


def test_withdraw_only_before_anyone_signed(world):
    e = world.evaluation
    fire(e, "submit", world.preparer)
    fire(e, "sign", world.member1)
    with pytest.raises(TransitionNotAllowed, match="已有成员签字"):
        fire(e, "withdraw", world.preparer)
    fire(e, "return", world.member1, reason="重新核对")
    fire(e, "submit", world.preparer)
    fire(e, "withdraw", world.preparer)
    assert e.state == S.DRAFT and e.revision_number == 3


def test_submit_needs_a_complete_evaluation_and_a_team(world, make):
    e = world.evaluation
    leaf = next(i for i in e.indicators if i.level == 2)
    leaf.score = None
    db.session.flush()
    with pytest.raises(WorkflowError, match="尚不完整.*尚未填写得分"):
        fire(e, "submit", world.preparer)
    assert e.state == S.DRAFT and _count(Revision) == 0

    lonely = make.evaluation(world.evaluation.unit, preparer=world.preparer,
                             team=[(world.leader, TeamRole.LEADER)])
    with pytest.raises(WorkflowError, match="至少一名其他成员"):
        fire(lonely, "submit", world.preparer)


def test_the_preparer_may_not_lead_the_team(make, world):
    e = make.evaluation(world.evaluation.unit, preparer=world.preparer,
                        team=[(world.preparer, TeamRole.LEADER), (world.member1, TeamRole.MEMBER)])
    with pytest.raises(WorkflowError, match="不相容"):
        fire(e, "submit", world.preparer)


def test_accept_keeps_the_recheck_beside_the_self_score(world):
    e = world.go(S.FINANCE_ACCEPTANCE)
    with pytest.raises(WorkflowError, match="超出"):
        fire(e, "accept", world.finance, reviews={"1.1": {"score": "61"}})
    with pytest.raises(WorkflowError, match="不存在"):
        fire(e, "accept", world.finance, reviews={"9.9": {"score": "1"}})
    with pytest.raises(WorkflowError, match="不是数字"):
        fire(e, "accept", world.finance, reviews={"1.1": {"score": "abc"}})
    assert e.state == S.FINANCE_ACCEPTANCE and _count(IndicatorReview) == 0
    fire(e, "accept", world.finance, reviews={"1.2": {"score": "35", "opinion": "佐证不足"}})
    review = db.session.scalar(select(IndicatorReview))
    assert review.score == Decimal("35") and review.opinion == "佐证不足"
    leaf = next(i for i in e.indicators if i.name == "质量指标")
    assert leaf.score == Decimal("38")  # the self-score is untouched


def test_publish_creates_the_artifact(world):
    e = world.go(S.PUBLISHED)
    from workflow_app.public.models import PublishedReport

    report = db.session.scalar(select(PublishedReport))
    assert report.evaluation_id == e.id
    assert report.revision_id == rv.current_revision(e).id


def test_every_step_is_audited_with_role_and_states(world, no_publication):
    world.go(S.PUBLISHED)
    events = db.session.scalars(select(AuditEvent).where(
        AuditEvent.evaluation_id == world.evaluation.id).order_by(AuditEvent.id)).all()
    steps = [(e.action, e.actor_role, e.from_state, e.to_state) for e in events]
    assert steps == [
        ("submit", "preparer", "draft", "team_review"),
        ("sign", "member", "team_review", "team_review"),
        ("sign", "deputy", "team_review", "leader_signoff"),
        ("approve", "leader", "leader_signoff", "finance_acceptance"),
        ("accept", "finance_officer", "finance_acceptance", "accepted"),
        ("publish", "finance_officer", "accepted", "published"),
    ]


def test_delegated_signature_is_recorded_as_b_for_a(world):
    e = world.evaluation
    fire(e, "submit", world.preparer)
    with pytest.raises(WorkflowError, match="本单位"):
        delegate_signature(e, world.member1, world.outsider.id)
    delegate_signature(e, world.member1, world.colleague.id)
    assert db.session.scalar(select(Notification.user_id).where(
        Notification.kind == "sign", Notification.user_id == world.colleague.id))
    fire(e, "sign", world.colleague, on_behalf_of=world.member1)
    sig = rv.signatures_of(rv.current_revision(e))[0]
    assert (sig.member_id, sig.signer_id) == (world.member1.id, world.colleague.id)
    with pytest.raises(PermissionDenied):
        fire(e, "sign", world.colleague, on_behalf_of=world.member1)
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "sign")).one()
    assert event.detail["member"] == world.member1.username
    assert event.detail["signed_by"] == world.colleague.username


def test_leader_adds_a_signer_who_must_sign_too(world):
    e = world.evaluation
    fire(e, "submit", world.preparer)
    with pytest.raises(PermissionDenied):
        add_signer(e, world.member1, world.colleague.id)
    add_signer(e, world.leader, world.colleague.id)
    fire(e, "sign", world.member1)
    fire(e, "sign", world.member2)
    assert e.state == S.TEAM_REVIEW  # the added signer is still missing
    fire(e, "sign", world.colleague)
    assert e.state == S.LEADER_SIGNOFF


def test_indicator_comments_notify_only_that_thread(world):
    e = world.evaluation
    fire(e, "submit", world.preparer)
    db.session.execute(Notification.__table__.delete())
    add_comment(e, world.member1, "1.1", "数量指标的佐证在哪里？")
    add_comment(e, world.member2, "1.2", "质量指标扣分理由太简单")
    assert _count(Notification) == 0  # first comments of each thread: nobody else is in it
    add_comment(e, world.preparer, "1.1", "已在附件中")
    notified = db.session.scalars(select(Notification.user_id)).all()
    assert notified == [world.member1.id]
    with pytest.raises(WorkflowError, match="不存在"):
        add_comment(e, world.member1, "7.7", "？")
    with pytest.raises(WorkflowError, match="不能为空"):
        add_comment(e, world.member1, "1.1", "  ")
    with pytest.raises(PermissionDenied):
        add_comment(e, world.outsider, "1.1", "路过")


def test_signer_sees_what_changed_since_the_revision_they_signed(world):
    from workflow_app.workflow.diff import diff_documents

    e = world.evaluation
    fire(e, "submit", world.preparer)
    fire(e, "sign", world.member1)
    fire(e, "return", world.member2, reason="质量指标得分偏高")
    leaf = next(i for i in e.indicators if i.name == "质量指标")
    leaf.score = Decimal("36")
    db.session.flush()
    fire(e, "submit", world.preparer)
    base = rv.last_signed_revision(e, world.member1, before=2)
    assert base.number == 1
    changes = diff_documents(json.loads(base.snapshot),
                             json.loads(rv.current_revision(e).snapshot))
    assert [(c.path, c.old, c.new) for c in changes] == [("indicators/1.2/score", "38", "36")]


def test_batch_accepts_each_one_on_its_own(world, make):
    from tests.workflow.helpers import build_world
    from workflow_app.evaluations.access import can_view

    ok = world.go(S.FINANCE_ACCEPTANCE)
    other = build_world(make)
    other.go(S.LEADER_SIGNOFF)
    with pytest.raises(WorkflowError, match="无复核意见"):
        fire_many([ok.id], "accept", world.finance, can_view=can_view)
    assert ok.state == S.FINANCE_ACCEPTANCE
    results = fire_many([ok.id, other.evaluation.id, 999999], "accept", world.finance,
                        can_view=can_view, no_review=True)
    assert [r.ok for r in results] == [True, False, False]
    assert ok.state == S.ACCEPTED and other.evaluation.state == S.LEADER_SIGNOFF
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "accept")) == 1


def test_a_signature_row_is_unique_per_member_and_revision(world):
    from sqlalchemy.exc import IntegrityError

    e = world.evaluation
    fire(e, "submit", world.preparer)
    fire(e, "sign", world.member1)
    revision = rv.current_revision(e)
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.add(Signature(revision_id=revision.id, member_id=world.member1.id,
                                 signer_id=world.member1.id, team_role=TeamRole.MEMBER,
                                 content_hash=revision.content_hash))
        db.session.flush()
