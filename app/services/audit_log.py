"""Reading the audit trail: the agency admin's view of who changed what, when and from where.

Read only. The trail is append-only at the database (triggers in app/models/audit.py): there is
no function here, nor anywhere, that updates or deletes an audit event.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa

from app.clock import PARIS
from app.extensions import db
from app.models import AuditEvent, Case, User
from app.services.access import require_agency_admin

PER_PAGE = 50


@dataclass(frozen=True)
class AuditFilters:
    user_id: int | None = None
    reference: str | None = None
    date_from: date | None = None  # Paris calendar days, both included
    date_to: date | None = None


@dataclass(frozen=True)
class AuditRow:
    event: AuditEvent
    actor: User | None
    reference: str | None


def paris_day_start(day: date) -> datetime:
    """The UTC instant a Paris calendar day begins (23:00 or 22:00 UTC the day before)."""
    return datetime.combine(day, time(0), PARIS).astimezone(UTC)


def _query(filters: AuditFilters):
    query = (
        sa.select(AuditEvent, User, Case.reference)
        .outerjoin(User, User.id == AuditEvent.actor_id)
        .outerjoin(Case, Case.id == AuditEvent.case_id)
    )
    if filters.user_id is not None:
        query = query.where(AuditEvent.actor_id == filters.user_id)
    if filters.reference:
        query = query.where(sa.func.upper(Case.reference) == filters.reference.strip().upper())
    if filters.date_from is not None:
        query = query.where(AuditEvent.occurred_at >= paris_day_start(filters.date_from))
    if filters.date_to is not None:
        next_day = filters.date_to + timedelta(days=1)
        query = query.where(AuditEvent.occurred_at < paris_day_start(next_day))
    # Newest first; the id breaks ties between events of one transaction.
    return query.order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())


@dataclass(frozen=True)
class AuditPage:
    rows: list[AuditRow]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


def search(actor, filters: AuditFilters, *, page: int = 1, per_page: int = PER_PAGE) -> AuditPage:
    """One page of audit events matching the filters, newest first (agency admin only)."""
    require_agency_admin(actor)
    query = _query(filters)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0
    page = max(1, page)
    result = db.session.execute(query.limit(per_page).offset((page - 1) * per_page)).all()
    rows = [AuditRow(event, user, reference) for event, user, reference in result]
    return AuditPage(rows=rows, page=page, per_page=per_page, total=total)


def users_for_choice(actor) -> list[User]:
    """Everyone who may appear as an actor, by name."""
    require_agency_admin(actor)
    return list(db.session.scalars(sa.select(User).order_by(User.full_name, User.id)))
