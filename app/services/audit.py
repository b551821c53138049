"""The audit trail and the case timeline, written by every service that changes something."""

from __future__ import annotations

from contextvars import ContextVar
from datetime import date, datetime
from decimal import Decimal

from app.extensions import db
from app.models import AuditEvent, TimelineEntry

# Set by the web layer per request, so services need no request object to record the origin.
current_ip: ContextVar[str | None] = ContextVar("current_ip", default=None)
# Set by the API per request: every audit event then names the token that caused it.
current_api_token_id: ContextVar[int | None] = ContextVar("current_api_token_id", default=None)


def _jsonable(value):
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def record_audit(
    actor,
    action: str,
    entity: str,
    entity_id: int | None,
    *,
    case_id=None,
    changes: dict | None = None,
) -> AuditEvent:
    changes = dict(changes or {})
    if current_api_token_id.get() is not None:
        changes.setdefault("api_token_id", current_api_token_id.get())
    event = AuditEvent(
        actor_id=actor.id if actor else None,
        action=action,
        entity=entity,
        entity_id=entity_id,
        case_id=case_id,
        changes=_jsonable(changes),
        ip_address=current_ip.get(),
    )
    db.session.add(event)
    return event


def add_timeline(
    case,
    actor,
    kind: str,
    text: str = "",
    *,
    data: dict | None = None,
    visible_to_creditor: bool = False,
) -> TimelineEntry:
    # Anything that reaches the timeline changes the case as a client sees it: the API's
    # `updated_since` must find a case with a new payment or letter, not only an edited one.
    from app.models.base import utcnow

    case.updated_at = utcnow()
    entry = TimelineEntry(
        case_id=case.id,
        actor_id=actor.id if actor else None,
        kind=kind,
        text=text,
        data=_jsonable(data or {}),
        visible_to_creditor=visible_to_creditor,
    )
    db.session.add(entry)
    return entry


def diff(obj, fields: list[str], new_values: dict) -> dict:
    """{field: [old, new]} for the fields that change."""
    return {
        f: [getattr(obj, f), new_values[f]]
        for f in fields
        if f in new_values and getattr(obj, f) != new_values[f]
    }
