"""Limitation periods (prescription, LAW.md section 5): when a claim can no longer be pursued.

Counted from each invoice's due date; a new full period starts on the debtor's acknowledgment, a
partial payment, a court claim or an enforcement act (a reminder or a formal notice does not).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from app.domain.schedule import add_months

TRADER_YEARS = 5  # C. com. L110-4, and the civil rule (C. civ. 2224) between individuals
CONSUMER_YEARS = 2  # a professional against a consumer, C. consom. L218-2
TITLE_YEARS = 10  # an enforceable court title, CPCE L111-4
ALERT_DAYS = (60, 30)  # the cadence flags a case this many days before its date


def add_years(day: date, years: int) -> date:
    """The same day `years` later; 29 February becomes 28 February in a common year."""
    return add_months(day, 12 * years)


def period_years(debtor_is_individual: bool, creditor_is_individual: bool) -> int:
    if debtor_is_individual and not creditor_is_individual:
        return CONSUMER_YEARS
    return TRADER_YEARS


@dataclass(frozen=True)
class LimitationFacts:
    years: int
    unpaid_due_dates: tuple[date, ...]  # due dates of the invoices still (partly) unpaid
    last_interruption: date | None = None  # latest payment, acknowledgment, court act
    title_on: date | None = None  # an enforceable title: 10 years from it (or a later act)


def limitation_date(facts: LimitationFacts) -> date | None:
    """The day the oldest unpaid invoice's period ends (the last day to act); None when nothing
    is unpaid."""
    if not facts.unpaid_due_dates:
        return None
    if facts.title_on is not None:
        start = max(d for d in (facts.title_on, facts.last_interruption) if d)
        return add_years(start, TITLE_YEARS)
    start = min(facts.unpaid_due_dates)
    if facts.last_interruption is not None and facts.last_interruption > start:
        start = facts.last_interruption
    return add_years(start, facts.years)


def alerts_due(limitation_on: date | None, today: date) -> list[int]:
    """The alert thresholds (in days) reached by today and not past the date itself, largest
    first: [60] from 60 days before, [60, 30] from 30 days before."""
    if limitation_on is None or today >= limitation_on:
        return []
    remaining = (limitation_on - today).days
    return [days for days in ALERT_DAYS if remaining <= days]
