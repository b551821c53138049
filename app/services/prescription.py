"""A case's limitation date (LAW.md section 5), from its unpaid invoices and its interruptions.

The daily run computes it in bulk (services.cadence); this is the one-case version the case page
and the escalation check use. Interruptions counted so far: partial payments that stand.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from app.domain import limitation
from app.extensions import db
from app.models import Case, Payment


def facts_of(case: Case) -> limitation.LimitationFacts:
    last_payment = db.session.scalar(
        sa.select(sa.func.max(Payment.received_on)).where(
            Payment.case_id == case.id, Payment.reversed_at.is_(None)
        )
    )
    return limitation.LimitationFacts(
        years=limitation.period_years(
            case.debtor.kind == "individual", case.creditor.creditor_is_individual
        ),
        unpaid_due_dates=tuple(i.due_date for i in case.invoices if i.paid_cents < i.amount_cents),
        last_interruption=last_payment,
    )


def limitation_on(case: Case) -> date | None:
    return limitation.limitation_date(facts_of(case))


def is_prescribed(case: Case, today: date) -> bool:
    """Past its limitation date: it cannot be escalated, and is proposed for closure."""
    on = limitation_on(case)
    return on is not None and today > on
