"""The court route's deadlines (LAW.md sections 6 and 7), as pure date arithmetic.

A deadline in months ends on the day of the last month with the same number as the starting
day, or on that month's last day when it has none: 31 January + 1 month = 28 (or 29) February
(CPC art. 641). One that would end on a Saturday, a Sunday or a public holiday is carried to the
next working day (CPC art. 642). Nothing here reads the clock or the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from app.domain.cadence import is_public_holiday, next_business_day
from app.domain.i18n import N_
from app.domain.schedule import add_months

# Orders for payment dated from this day must be served within 3 months instead of 6.
SHORTER_SERVICE_FROM = date(2026, 9, 1)
SERVICE_MONTHS_BEFORE, SERVICE_MONTHS_FROM = 6, 3
OPPOSITION_MONTHS = 1  # from service of the order (CPC 1416)
SMALL_CLAIMS_MAX_CENTS = 5_000_00  # CPCE L125-1
SMALL_CLAIMS_ACCEPT_MONTHS = 1
DECLARATION_MONTHS, DECLARATION_MONTHS_OVERSEAS = 2, 4  # from BODACC publication (R622-24)
RELIEF_MONTHS = 6  # a late declaration may ask for relief within this (L622-26)
ENFORCEMENT_HOURS = (time(6), time(21))  # L141-1: not before 6:00 nor after 21:00
# The steps that give the creditor an enforceable title (10-year limitation, costs owed, interest
# after judgment).
TITLE_STEPS = ("title_obtained", "accepted", "decision")
ALERT_DAYS = 15  # a deadline this close raises a task and shows on the deadline board

TRIBUNAL_DE_COMMERCE = "tribunal_de_commerce"
TRIBUNAL_JUDICIAIRE = "tribunal_judiciaire"
COURT_LABELS = {
    TRIBUNAL_DE_COMMERCE: N_("Tribunal de commerce"),
    TRIBUNAL_JUDICIAIRE: N_("Tribunal judiciaire"),
}


class DeadlineRefused(ValueError):
    """A date the procedure does not allow, with the reason in French."""


def months_deadline(start: date, months: int) -> date:
    """`months` after `start` (CPC 641), carried past a Saturday, Sunday or holiday (CPC 642)."""
    return next_business_day(add_months(start, months))


# --- Injonction de payer ----------------------------------------------------------------------


def court_for(debtor_is_trader: bool, creditor_is_trader: bool) -> str:
    """Between traders the commercial court, otherwise the judicial court (of the debtor's
    domicile in both cases)."""
    return TRIBUNAL_DE_COMMERCE if debtor_is_trader and creditor_is_trader else TRIBUNAL_JUDICIAIRE


def service_months(order_date: date) -> int:
    return SERVICE_MONTHS_FROM if order_date >= SHORTER_SERVICE_FROM else SERVICE_MONTHS_BEFORE


def service_deadline(order_date: date) -> date:
    """The last day to serve the order before it lapses: 6 months, or 3 months for orders dated
    from 1 September 2026."""
    return months_deadline(order_date, service_months(order_date))


def opposition_deadline(service_date: date) -> date:
    """The debtor may oppose until this day (1 month from service); then the title stands."""
    return months_deadline(service_date, OPPOSITION_MONTHS)


def check_service(order_date: date, service_date: date) -> None:
    if service_date < order_date:
        raise DeadlineRefused(N_("La signification ne peut pas précéder l'ordonnance."))
    if service_date > service_deadline(order_date):
        raise DeadlineRefused(
            N_("L'ordonnance n'a pas été signifiée dans le délai : elle est caduque.")
        )


def check_opposition(service_date: date, opposition_date: date) -> None:
    if opposition_date < service_date:
        raise DeadlineRefused(N_("L'opposition ne peut pas précéder la signification."))
    if opposition_date > opposition_deadline(service_date):
        raise DeadlineRefused(N_("L'opposition est hors délai (un mois après la signification)."))


# --- Small claims, insolvency -----------------------------------------------------------------


def small_claims_eligible(claim_cents: int) -> bool:
    return 0 < claim_cents <= SMALL_CLAIMS_MAX_CENTS


def small_claims_acceptance_deadline(invitation_date: date) -> date:
    return months_deadline(invitation_date, SMALL_CLAIMS_ACCEPT_MONTHS)


def declaration_deadline(publication_date: date, *, creditor_overseas: bool = False) -> date:
    """The claim must reach the mandataire judiciaire by this day: 2 months from the BODACC
    publication, 4 for a creditor outside metropolitan France."""
    months = DECLARATION_MONTHS_OVERSEAS if creditor_overseas else DECLARATION_MONTHS
    return months_deadline(publication_date, months)


def relief_deadline(publication_date: date) -> date:
    """A late declaration may still ask to be relieved of the foreclosure until this day."""
    return months_deadline(publication_date, RELIEF_MONTHS)


def enforcement_allowed(moment: datetime) -> bool:
    """An enforcement act (a garnishment, a seizure) is not done on a Sunday or a public holiday,
    nor before 6:00 or after 21:00 (local time)."""
    if moment.weekday() == 6 or is_public_holiday(moment.date()):
        return False
    return ENFORCEMENT_HOURS[0] <= moment.time() <= ENFORCEMENT_HOURS[1]


# --- What to watch ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Deadline:
    due_on: date
    what: str  # what must be done by then, in French


def urgency(deadline: date, today: date) -> str:
    """ "overdue", "soon" (within 15 days: a task and the deadline board) or "later"."""
    if deadline < today:
        return "overdue"
    if (deadline - today).days <= ALERT_DAYS:
        return "soon"
    return "later"


def next_payment_order_deadline(
    order_date: date | None, service_date: date | None, opposed: bool, title_on: date | None
) -> Deadline | None:
    """The next date an injonction de payer must not miss, from the steps recorded so far."""
    if order_date is None or title_on is not None or opposed:
        return None
    if service_date is None:
        return Deadline(service_deadline(order_date), N_("Signifier l'ordonnance"))
    return Deadline(
        opposition_deadline(service_date),
        N_("Fin du délai d'opposition : demander la formule exécutoire"),
    )
