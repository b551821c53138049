"""The message thread of a case between the creditor and the agency: post, read, count unread.

Unread = messages of the other side after the user's MessageRead marker (the id of the last
message seen), so one marker per user and case is all the state there is."""

from __future__ import annotations

import sqlalchemy as sa

from app.domain.i18n import N_
from app.extensions import db
from app.models import Case, Message, MessageRead
from app.services import access, intake
from app.services.audit import add_timeline, record_audit
from app.services.errors import Forbidden, ValidationFailed
from app.services.intake import UploadInput

MAX_BODY = 5000
MAX_ATTACHMENTS = 5


def side_of(user) -> str:
    if user.is_agency_staff:
        return "agency"
    if user.is_creditor_staff:
        return "creditor"
    raise Forbidden(N_("Seuls le créancier et l'agence échangent des messages."))


def _other_side(user) -> str:
    return "creditor" if side_of(user) == "agency" else "agency"


def _require_party(user, case: Case) -> None:
    side_of(user)
    if user.is_creditor_staff and user.organisation_id != case.creditor_id:
        raise Forbidden(N_("Dossier introuvable."))


def post_message(actor, case: Case, body: str, uploads: list[UploadInput] | None = None) -> Message:
    """Add a message (and its attachments, stored as documents of the case) to the thread.
    Commits; the caller enqueues the creditor's notification after it."""
    _require_party(actor, case)
    uploads = uploads or []
    body = (body or "").strip()
    errors: dict[str, list[str]] = {}
    if not body:
        errors["body"] = [N_("Écrivez votre message.")]
    elif len(body) > MAX_BODY:
        errors["body"] = [N_("Le message est trop long (5 000 caractères au plus).")]
    if len(uploads) > MAX_ATTACHMENTS:
        errors["files"] = [N_("Joignez au plus 5 fichiers à un message.")]
    checked, upload_errors = intake._check_uploads(uploads)
    if upload_errors:
        errors["files"] = [m for ms in upload_errors.values() for m in ms]
    if errors:
        raise ValidationFailed(errors)
    stored_keys: list[str] = []
    try:
        documents = intake._store_documents(actor, case, checked, stored_keys)
        message = Message(
            case_id=case.id,
            author_id=actor.id,
            side=side_of(actor),
            body=body,
            document_ids=[d.id for d in documents],
        )
        db.session.add(message)
        db.session.flush()
        # The author has read what they wrote.
        _advance_marker(actor, case, message.id)
        add_timeline(
            case,
            actor,
            "message_posted",
            data={"message_id": message.id, "side": message.side, "attachments": len(documents)},
            visible_to_creditor=True,
        )
        record_audit(
            actor,
            "message.posted",
            "message",
            message.id,
            case_id=case.id,
            changes={"side": message.side, "documents": message.document_ids},
        )
        db.session.commit()
    except Exception:
        db.session.rollback()
        from app.integrations import storage

        for key in stored_keys:
            storage.delete(key)
        raise
    if message.side == "agency":
        from app.services import notifications

        notifications.message_posted(message.id)
    return message


def thread(user, case: Case) -> list[Message]:
    """The case's messages, oldest first (the caller already checked the user sees the case)."""
    _require_party(user, case)
    return list(
        db.session.scalars(
            sa.select(Message)
            .where(Message.case_id == case.id)
            .order_by(Message.created_at, Message.id)
        )
    )


def attachments_of(messages: list[Message]) -> dict[int, list]:
    """{document id: document} for the messages' attachments, in one query."""
    from app.models import Document

    ids = {i for m in messages for i in (m.document_ids or [])}
    if not ids:
        return {}
    return {d.id: d for d in db.session.scalars(sa.select(Document).where(Document.id.in_(ids)))}


def _advance_marker(user, case: Case, message_id: int) -> None:
    marker = db.session.scalars(
        sa.select(MessageRead).where(MessageRead.user_id == user.id, MessageRead.case_id == case.id)
    ).first()
    if marker is None:
        db.session.add(
            MessageRead(user_id=user.id, case_id=case.id, last_read_message_id=message_id)
        )
    elif marker.last_read_message_id < message_id:
        marker.last_read_message_id = message_id


def mark_read(user, case: Case) -> None:
    """Everything in the thread now counts as read for this user. Commits only on a change."""
    _require_party(user, case)
    last = db.session.scalar(sa.select(sa.func.max(Message.id)).where(Message.case_id == case.id))
    if last is None:
        return
    marker = db.session.scalars(
        sa.select(MessageRead).where(MessageRead.user_id == user.id, MessageRead.case_id == case.id)
    ).first()
    if marker is not None and marker.last_read_message_id >= last:
        return
    _advance_marker(user, case, last)
    try:
        db.session.commit()
    except sa.exc.IntegrityError:  # the same user's other tab created the marker first
        db.session.rollback()


def unread_counts(user) -> dict[int, int]:
    """{case id: unread messages} over the cases the user sees, in one grouped query."""
    if not (user.is_agency_staff or user.is_creditor_staff):
        return {}
    marker = (
        sa.select(MessageRead.last_read_message_id)
        .where(MessageRead.user_id == user.id, MessageRead.case_id == Message.case_id)
        .scalar_subquery()
    )
    rows = db.session.execute(
        sa.select(Message.case_id, sa.func.count(Message.id))
        .where(
            Message.side == _other_side(user),
            Message.id > sa.func.coalesce(marker, 0),
            Message.case_id.in_(access.visible_cases(user).with_only_columns(Case.id)),
        )
        .group_by(Message.case_id)
    )
    return {case_id: count for case_id, count in rows}


def unread_total(user) -> int:
    return sum(unread_counts(user).values())


def unread_cases(user) -> list[tuple[Case, int]]:
    """The cases with unread messages and how many, most unread first."""
    counts = unread_counts(user)
    if not counts:
        return []
    cases = db.session.scalars(sa.select(Case).where(Case.id.in_(counts))).all()
    return sorted(((c, counts[c.id]) for c in cases), key=lambda pair: (-pair[1], pair[0].id))
