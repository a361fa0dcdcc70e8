"""When a revision is returned, everyone who signed it is told, with the reason (in-app, and by
e-mail where configured); no message prints "。。" after a reason that ends with 。."""

from __future__ import annotations

from sqlalchemy import select

from tests.workflow.helpers import S
from workflow_app.extensions import db
from workflow_app.notifications.models import Notification
from workflow_app.workflow.operations import fire


def _messages(user):
    return db.session.scalars(select(Notification.message).where(
        Notification.user_id == user.id, Notification.kind == "returned")).all()


def test_a_signer_is_told_when_the_revision_they_signed_is_returned(world):
    e = world.go(S.TEAM_REVIEW)
    fire(e, "sign", world.member1)
    fire(e, "return", world.member2, reason="佐证材料不全。")
    [message] = _messages(world.member1)
    assert "您签署的" in message and "第 1 版" in message and world.member2.name in message
    assert "理由：佐证材料不全" in message and "。。" not in message
    assert _messages(world.member2) == []  # the one who returned it
    [to_preparer] = _messages(world.preparer)
    assert "佐证材料不全" in to_preparer and "。。" not in to_preparer


def test_after_approval_the_members_and_the_leader_are_told(world, app, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "mail.invalid")
    world.member1.email = "member1@example.cn"
    e = world.go(S.FINANCE_ACCEPTANCE)
    fire(e, "return", world.finance, reason="预算执行率与决算不符")
    for signer in (world.member1, world.member2, world.leader):
        [message] = _messages(signer)
        assert "预算执行率与决算不符" in message
    mails = db.session().info.get("pending_mail", [])
    assert any(m.to == "member1@example.cn" and "预算执行率与决算不符" in m.body for m in mails)
    db.session.rollback()  # nothing is sent


def test_a_delegate_who_signed_is_told_too(world):
    from workflow_app.workflow.operations import delegate_signature

    e = world.go(S.TEAM_REVIEW)
    delegate_signature(e, world.member1, world.colleague.id)
    fire(e, "sign", world.colleague, on_behalf_of=world.member1)
    fire(e, "return", world.member2, reason="请补充")
    assert _messages(world.colleague) and _messages(world.member1)


def test_the_detail_page_prints_the_reason_once(world, login):
    e = world.go(S.TEAM_REVIEW)
    fire(e, "return", world.member2, reason="内容不完整。")
    db.session.commit()
    page = login(world.preparer).get(f"/evaluations/{e.id}").get_data(as_text=True)
    assert "内容不完整" in page and "。。" not in page and "。</b>。" not in page
