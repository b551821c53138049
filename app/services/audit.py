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
    event = AuditEvent(
        **audit_values(actor, action, entity, entity_id, case_id=case_id, changes=changes)
    )
    db.session.add(event)
    return event


def audit_values(
    actor,
    action: str,
    entity: str,
    entity_id: int | None,
    *,
    case_id=None,
    changes: dict | None = None,
) -> dict:
    """The columns of one audit event, for record_audit and for bulk inserts (intake's
    add_cases_bulk), so that both say the same thing (origin, API token)."""
    changes = dict(changes or {})
    if current_api_token_id.get() is not None:
        changes.setdefault("api_token_id", current_api_token_id.get())
    return {
        "actor_id": actor.id if actor else None,
        "action": action,
        "entity": entity,
        "entity_id": entity_id,
        "case_id": case_id,
        "changes": _jsonable(changes),
        "ip_address": current_ip.get(),
    }


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
        **timeline_values(
            case.id, actor, kind, text, data=data, visible_to_creditor=visible_to_creditor
        )
    )
    db.session.add(entry)
    return entry


def timeline_values(
    case_id: int,
    actor,
    kind: str,
    text: str = "",
    *,
    data: dict | None = None,
    visible_to_creditor: bool = False,
) -> dict:
    """The columns of one timeline entry, for add_timeline and for bulk inserts. A bulk insert
    sets the case's updated_at itself (add_timeline's rule)."""
    return {
        "case_id": case_id,
        "actor_id": actor.id if actor else None,
        "kind": kind,
        "text": text,
        "data": _jsonable(data or {}),
        "visible_to_creditor": visible_to_creditor,
    }


def diff(obj, fields: list[str], new_values: dict) -> dict:
    """{field: [old, new]} for the fields that change."""
    return {
        f: [getattr(obj, f), new_values[f]]
        for f in fields
        if f in new_values and getattr(obj, f) != new_values[f]
    }
