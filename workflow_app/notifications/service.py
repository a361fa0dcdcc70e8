"""Notifications: an in-app row for each person whose action a step awaits, and an e-mail when
SMTP is configured (``MAIL_SERVER``), sent only after the database commit succeeded.

Mail is queued in ``session.info`` and sent by an ``after_commit`` listener; a rollback drops
the queue, so nobody is told about a step that did not happen.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Iterable
from dataclasses import dataclass
from email.message import EmailMessage

from flask import current_app, has_app_context
from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

from workflow_app.auth.models import User
from workflow_app.dbtypes import utcnow
from workflow_app.evaluations.models import Evaluation
from workflow_app.extensions import db
from workflow_app.notifications.models import Notification

log = logging.getLogger(__name__)
_QUEUE_KEY = "pending_mail"


@dataclass(frozen=True)
class Mail:
    """One e-mail waiting for the commit."""

    to: str
    subject: str
    body: str


def finance_officers(evaluation: Evaluation) -> list[User]:
    """Active finance officers of the bureau that oversees the evaluation's unit."""
    bureau_id = evaluation.unit.bureau_id
    if bureau_id is None:
        return []
    return list(db.session.scalars(
        select(User).where(User.unit_id == bureau_id, User.is_finance_officer, User.active)
        .order_by(User.id)))


def send(users: Iterable[User | None], evaluation: Evaluation | None, kind: str,
         message: str) -> list[Notification]:
    """An in-app notification to each user (once each), and a queued e-mail if they have one."""
    rows = []
    seen: set[int] = set()
    for user in users:
        if user is None or user.id in seen or not user.active:
            continue
        seen.add(user.id)
        row = Notification(user_id=user.id, evaluation_id=evaluation.id if evaluation else None,
                           kind=kind, message=message, created_at=utcnow())
        db.session.add(row)
        rows.append(row)
        if user.email:
            queue_mail(user.email, "【预算绩效自评】" + message[:60], message)
    db.session.flush()
    return rows


def recent(user: User, limit: int = 50) -> list[Notification]:
    """The user's newest notifications, unread first: two index range scans
    (``ix_notifications_user_unread``, then ``ix_notifications_user_id_id``), however many
    notifications the user has collected over the years."""
    unread = list(db.session.scalars(
        select(Notification).where(Notification.user_id == user.id,
                                   Notification.read_at.is_(None))
        .order_by(Notification.id.desc()).limit(limit)))
    if len(unread) >= limit:
        return unread
    read = db.session.scalars(
        select(Notification).where(Notification.user_id == user.id,
                                   Notification.read_at.is_not(None))
        .order_by(Notification.id.desc()).limit(limit - len(unread)))
    return unread + list(read)


def done(user: User, evaluation: Evaluation) -> None:
    """The user acted on the evaluation: their notifications about it are read."""
    db.session.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.evaluation_id == evaluation.id,
               Notification.read_at.is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )


def queue_mail(to: str, subject: str, body: str) -> None:
    """Queue an e-mail on the current session; it goes out after the commit, if ever."""
    if not has_app_context() or not current_app.config.get("MAIL_SERVER"):
        return
    db.session().info.setdefault(_QUEUE_KEY, []).append(Mail(to, subject, body))


def deliver(mails: list[Mail], *, raise_errors: bool = False) -> None:
    """Send the e-mails now over SMTP (the job worker's way; ``raise_errors`` for retries)."""
    _deliver(mails, raise_errors=raise_errors)


def _deliver(mails: list[Mail], *, raise_errors: bool = False) -> None:
    config = current_app.config
    base = config.get("PUBLIC_BASE_URL") or ""
    try:
        with smtplib.SMTP(config["MAIL_SERVER"], int(config.get("MAIL_PORT") or 25),
                          timeout=10) as smtp:
            for mail in mails:
                msg = EmailMessage()
                msg["From"] = config.get("MAIL_SENDER") or "jixiao@localhost"
                msg["To"] = mail.to
                msg["Subject"] = mail.subject
                msg.set_content(mail.body + (f"\n\n{base}" if base else ""))
                smtp.send_message(msg)
    except (OSError, smtplib.SMTPException):  # mail is a courtesy: the step is already saved
        if raise_errors:
            raise
        log.exception("sending %d notification e-mail(s) failed", len(mails))


@event.listens_for(Session, "after_commit")
def _send_after_commit(session: Session) -> None:
    mails = session.info.pop(_QUEUE_KEY, None)
    if not mails or not has_app_context():
        return
    if current_app.config.get("JOBS_MODE", "sync") == "rq":
        # Off the request path: one job per mail, so a retry never sends another twice.
        from workflow_app.jobs.queue import Job, enqueue_now

        for mail in mails:
            try:
                enqueue_now(Job("workflow_app.jobs.tasks.deliver_mail",
                                (mail.to, mail.subject, mail.body)))
            except Exception:  # noqa: BLE001  (Redis down: send it here rather than lose it)
                log.exception("queueing an e-mail failed; sending it in the request")
                _deliver([mail])
        return
    _deliver(mails)


@event.listens_for(Session, "after_rollback")
def _drop_on_rollback(session: Session) -> None:
    session.info.pop(_QUEUE_KEY, None)
