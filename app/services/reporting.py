"""Read-only figures and listings for the portals, always built on services.access scoping."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager, joinedload

from app.domain import pipeline
from app.extensions import db
from app.models import Case, Debtor, Invoice, TimelineEntry
from app.services import access

# Sort keys a listing accepts from the query string, and the column each one orders by.
SORT_COLUMNS = {
    "opened": Case.opened_on,
    "reference": Case.reference,
    "debtor": Debtor.name,
    "amount": Case.claim_cents,
}
DEFAULT_SORT = "opened"
DIRECTIONS = ("asc", "desc")


@dataclass(frozen=True)
class CreditorSummary:
    counts: dict[str, int]  # every stage, in pipeline order, zeros included
    outstanding_cents: int  # still unpaid on the invoices of open cases

    @property
    def total_cases(self) -> int:
        return sum(self.counts.values())


def creditor_summary(user, outstanding_cents: int | None = None) -> CreditorSummary:
    """Case counts by stage and the total still outstanding, computed by the database (the
    home page passes the total its dashboard already has)."""
    counts = dict.fromkeys(pipeline.STAGES, 0)
    rows = db.session.execute(
        access.visible_cases(user)
        .with_only_columns(Case.stage, sa.func.count(Case.id))
        .group_by(Case.stage)
    )
    for stage, count in rows:
        counts[stage] = count
    # The dashboard's figure: principal less the payments that stand, per open case.
    from app.services import dashboard

    if outstanding_cents is None:
        outstanding_cents = dashboard.outstanding_cents(user.organisation_id)
    return CreditorSummary(counts=counts, outstanding_cents=outstanding_cents)


def recent_activity(user, limit: int = 10) -> list[tuple[TimelineEntry, str]]:
    """The latest timeline entries the user may see, each with its case reference.

    In two steps: which entries (ids only, from ix_timeline_entry_creditor_visible), then those
    rows; a creditor's cases hold thousands of entries and only ten are shown."""
    latest = (
        access.visible_timeline(user)
        .with_only_columns(TimelineEntry.id)
        .order_by(TimelineEntry.occurred_at.desc(), TimelineEntry.id.desc())
        .limit(limit)
    )
    ids = list(db.session.scalars(latest))  # not a subquery: it would be planned as a join
    query = (
        sa.select(TimelineEntry)
        .where(TimelineEntry.id.in_(ids))
        .join(Case, Case.id == TimelineEntry.case_id)
        .add_columns(Case.reference)
        .options(joinedload(TimelineEntry.actor))
        .order_by(TimelineEntry.occurred_at.desc(), TimelineEntry.id.desc())
        .limit(limit)
    )
    return [(entry, reference) for entry, reference in db.session.execute(query)]


def debtors_for_choice(user) -> list[Debtor]:
    """The debtors a creditor may file a new case against, by name."""
    return list(db.session.scalars(access.visible_debtors(user).order_by(Debtor.name, Debtor.id)))


def _contains(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search_cases(
    user,
    q: str = "",
    stage: str | None = None,
    sort: str = DEFAULT_SORT,
    direction: str = "desc",
) -> sa.Select:
    """Cases the user sees, matching `q` on reference, debtor name, SIREN or invoice number.

    Unknown sort keys, directions and stages are ignored rather than refused: they come from a
    query string anyone can edit.
    """
    query = access.visible_cases(user).join(Case.debtor).options(contains_eager(Case.debtor))
    q = (q or "").strip()
    if q:
        pattern = _contains(q)
        # EXISTS, not a join: a case with several matching invoices must appear once.
        invoice_matches = (
            sa.select(Invoice.id)
            .where(Invoice.case_id == Case.id, Invoice.number.ilike(pattern, escape="\\"))
            .exists()
        )
        conditions = [
            Case.reference.ilike(pattern, escape="\\"),
            Debtor.name.ilike(pattern, escape="\\"),
            invoice_matches,
        ]
        digits = q.replace(" ", "")
        if digits.isdigit():
            conditions.append(Debtor.siren.like(_contains(digits), escape="\\"))
        query = query.where(sa.or_(*conditions))
    if stage in pipeline.STAGES:
        query = query.where(Case.stage == stage)
    column = SORT_COLUMNS.get(sort, SORT_COLUMNS[DEFAULT_SORT])
    order = column.asc() if direction == "asc" else column.desc()
    tie_break = Case.id.asc() if direction == "asc" else Case.id.desc()
    return query.order_by(order, tie_break)
