"""Emails to the creditor's users when the agency writes or asks: one email each time for those
who chose "each", one digest a day for those who chose "daily", nothing for "none".

Each email goes out once: a message is claimed by one conditional UPDATE of its notified_at; an
approval request and a user's digest of a day leave an audit event, looked for before sending
(the approval request has no notified_at column of its own)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from flask import render_template
from flask_babel import force_locale, gettext

from app.clock import PARIS, paris_now
from app.domain.i18n import N_
from app.extensions import db
from app.integrations import mail
from app.models import ApprovalRequest, AuditEvent, Case, Message, User
from app.models.base import utcnow
from app.services.audit import record_audit
from app.services.errors import ValidationFailed
from app.urls import public_url

CHOICES = ("each", "daily", "none")


def set_preference(user, choice: str) -> None:
    if choice not in CHOICES:
        raise ValidationFailed({"notify": [N_("Choisissez une option.")]})
    if user.notify == choice:
        return
    record_audit(
        user, "user.notify_changed", "user", user.id, changes={"notify": [user.notify, choice]}
    )
    user.notify = choice
    db.session.commit()


# --- enqueued by the services, after their commit -------------------------------------------


def message_posted(message_id: int) -> None:
    from app.jobs import enqueue, tasks

    enqueue(tasks.notify_message, message_id, queue="mail")


def approval_requested(request_id: int) -> None:
    from app.jobs import enqueue, tasks

    enqueue(tasks.notify_approval_request, request_id, queue="mail")


# --- the jobs' work ----------------------------------------------------------------------------


def _recipients(creditor_id: int, choice: str) -> list[User]:
    return list(
        db.session.scalars(
            sa.select(User)
            .where(
                User.organisation_id == creditor_id,
                User.role.in_(("creditor_admin", "creditor_user")),
                User.active.is_(True),
                User.notify == choice,
            )
            .order_by(User.id)
        )
    )


def _send(user: User, subject: str, template: str, **context) -> None:
    with force_locale(user.locale or "fr"):
        mail.send_mail(
            user.email,
            gettext(subject, **context.pop("subject_args", {})),
            render_template(template, user=user, **context),
        )


def send_message_notification(message_id: int) -> int:
    """Email the agency's message to the creditor's "each" users; how many emails went out.
    Once: the UPDATE claims the message, so a retry or a second worker sends nothing."""
    message = db.session.get(Message, message_id)
    if message is None or message.side != "agency":
        return 0
    users = _recipients(message.case.creditor_id, "each")
    if not users:
        return 0  # left unnotified: the daily digest takes it
    claimed = db.session.execute(
        sa.update(Message)
        .where(Message.id == message_id, Message.notified_at.is_(None))
        .values(notified_at=utcnow())
    ).rowcount
    if not claimed:
        db.session.rollback()
        return 0
    case = message.case
    link = public_url("creditor.case", reference=case.reference) + "#messages"
    for user in users:
        _send(
            user,
            N_("Nouveau message de l'agence — dossier %(reference)s"),
            "emails/message_notification.txt",
            subject_args={"reference": case.reference},
            message=message,
            case=case,
            link=link,
        )
    db.session.commit()
    return len(users)


def _already(action: str, entity: str, entity_id: int, day: str | None = None) -> bool:
    query = sa.select(AuditEvent.id).where(
        AuditEvent.action == action, AuditEvent.entity == entity, AuditEvent.entity_id == entity_id
    )
    if day is not None:
        query = query.where(AuditEvent.changes["day"].as_string() == day)
    return db.session.scalar(query.limit(1)) is not None


def send_approval_notification(request_id: int) -> int:
    """Email a new write-off or settlement request to the creditor's "each" users, once."""
    request = db.session.get(ApprovalRequest, request_id)
    if request is None or request.status != "pending":
        return 0
    if _already("approval.notified", "approval_request", request.id):
        return 0
    case = request.case
    users = _recipients(case.creditor_id, "each")
    if not users:
        return 0
    record_audit(
        None,
        "approval.notified",
        "approval_request",
        request.id,
        case_id=case.id,
        changes={"to": [u.email for u in users]},
    )
    db.session.flush()
    link = public_url("creditor.home") + "#boite"
    for user in users:
        _send(
            user,
            N_("L'agence attend votre réponse — dossier %(reference)s"),
            "emails/approval_notification.txt",
            subject_args={"reference": case.reference},
            request=request,
            case=case,
            link=link,
        )
    db.session.commit()
    return len(users)


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    """The Paris day as UTC bounds."""
    start = datetime.combine(day, time(0), tzinfo=PARIS)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=PARIS)
    return start.astimezone(UTC), end.astimezone(UTC)


def send_daily_digests(day: date) -> int:
    """One email per "daily" user with what the agency wrote or asked on `day`; how many went.
    Safe to run twice: a user's digest of a day is sent once (its audit event says so)."""
    start, end = _day_bounds(day)
    sent = 0
    users = _recipients_all_daily()
    for user in users:
        if _already("notification.digest", "user", user.id, day.isoformat()):
            continue
        cases = sa.select(Case.id).where(Case.creditor_id == user.organisation_id)
        new_messages = list(
            db.session.scalars(
                sa.select(Message)
                .where(
                    Message.case_id.in_(cases),
                    Message.side == "agency",
                    Message.created_at >= start,
                    Message.created_at < end,
                )
                .order_by(Message.case_id, Message.id)
            )
        )
        new_requests = list(
            db.session.scalars(
                sa.select(ApprovalRequest)
                .where(ApprovalRequest.case_id.in_(cases), ApprovalRequest.requested_on == day)
                .order_by(ApprovalRequest.id)
            )
        )
        if not new_messages and not new_requests:
            continue
        record_audit(
            None,
            "notification.digest",
            "user",
            user.id,
            changes={
                "day": day.isoformat(),
                "messages": [m.id for m in new_messages],
                "requests": [r.id for r in new_requests],
            },
        )
        if new_messages:
            db.session.execute(
                sa.update(Message)
                .where(Message.id.in_([m.id for m in new_messages]), Message.notified_at.is_(None))
                .values(notified_at=utcnow())
            )
        _send(
            user,
            N_("Recouvra : votre récapitulatif du %(day)s"),
            "emails/digest.txt",
            subject_args={"day": day.strftime("%d/%m/%Y")},
            day=day,
            messages=new_messages,
            requests=new_requests,
            link=public_url("creditor.home"),
        )
        db.session.commit()  # one user at a time: a failure later resends nothing already sent
        sent += 1
    return sent


def _recipients_all_daily() -> list[User]:
    return list(
        db.session.scalars(
            sa.select(User)
            .where(
                User.role.in_(("creditor_admin", "creditor_user")),
                User.active.is_(True),
                User.notify == "daily",
            )
            .order_by(User.id)
        )
    )


def paris_yesterday(now: datetime | None = None) -> date:
    return ((now or paris_now()).astimezone(PARIS) - timedelta(days=1)).date()
