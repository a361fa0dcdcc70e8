"""The inbox's notifications: newest first with the unread ones ahead, at most ``limit``."""

from __future__ import annotations

from datetime import timedelta

from workflow_app.dbtypes import utcnow
from workflow_app.extensions import db
from workflow_app.notifications.models import Notification
from workflow_app.notifications.service import recent


def _note(user, i: int, read: bool) -> Notification:  # noqa: ANN001
    row = Notification(user_id=user.id, kind="sign", message=f"消息{i}",
                       created_at=utcnow() + timedelta(seconds=i),
                       read_at=utcnow() if read else None)
    db.session.add(row)
    return row


def test_unread_first_then_read_newest_first(make, db_session):
    user, other = make.user(), make.user()
    rows = [_note(user, i, read=i % 3 == 0) for i in range(10)]
    _note(other, 99, read=False)
    db.session.flush()
    got = recent(user, limit=50)
    unread = [r.id for r in reversed(rows) if r.read_at is None]
    read = [r.id for r in reversed(rows) if r.read_at is not None]
    assert [n.id for n in got] == unread + read
    assert [n.id for n in recent(user, limit=4)] == unread[:4]
    assert [n.id for n in recent(user, limit=8)] == unread + read[:2]
