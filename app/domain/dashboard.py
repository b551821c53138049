"""The arithmetic of a creditor's dashboard: pure functions over rows the services read.

Figures are on the principal handed over (what the invoices still claimed when the case reached
the agency). A case's standing payments reduce its invoices oldest due date first, as the Civil
Code imputes them (art. 1342-10); interest, indemnities and costs a payment also covers are left
out, so "still unpaid" never exceeds what was handed over. Amounts are integer cents.

The dashboard service asks the database the same questions in grouped SQL (a creditor may hold
50,000 cases); these functions stay the reference its tests compare it with.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from app.domain.i18n import N_
from app.domain.schedule import add_months

# Days past the due date: (key, label, first day, last day or None).
AGEING_BUCKETS = (
    ("0-30", N_("0 à 30 jours"), 0, 30),
    ("31-60", N_("31 à 60 jours"), 31, 60),
    ("61-90", N_("61 à 90 jours"), 61, 90),
    ("91-180", N_("91 à 180 jours"), 91, 180),
    ("180+", N_("Plus de 180 jours"), 181, None),
)
MONTHS = 12


@dataclass(frozen=True)
class InvoiceRow:
    case_id: int
    due_date: date
    unpaid_cents: int  # amount less what was paid before the handover


def bucket_of(days_past_due: int) -> str:
    """The ageing bucket of an invoice so many days past due (not yet due counts as 0)."""
    days = max(days_past_due, 0)
    for key, _label, first, last in AGEING_BUCKETS:
        if days >= first and (last is None or days <= last):
            return key
    raise AssertionError(days)  # the last bucket is open-ended


def remaining_by_invoice(
    invoices: Iterable[InvoiceRow], paid_by_case: dict[int, int]
) -> list[tuple[InvoiceRow, int]]:
    """Each invoice with what is still unpaid on it once its case's standing payments are
    imputed, oldest due date first; what a case paid beyond its invoices is ignored."""
    left = dict(paid_by_case)
    result = []
    for row in sorted(invoices, key=lambda r: (r.case_id, r.due_date)):
        available = max(left.get(row.case_id, 0), 0)
        taken = min(available, row.unpaid_cents)
        left[row.case_id] = available - taken
        result.append((row, row.unpaid_cents - taken))
    return result


def ageing(invoices: Iterable[InvoiceRow], paid_by_case: dict[int, int], today: date) -> dict:
    """Still unpaid, in cents, by ageing bucket (every bucket present, in order)."""
    buckets = {key: 0 for key, *_ in AGEING_BUCKETS}
    for row, remaining in remaining_by_invoice(invoices, paid_by_case):
        if remaining:
            buckets[bucket_of((today - row.due_date).days)] += remaining
    return buckets


def outstanding_by_case(invoices: Iterable[InvoiceRow], paid_by_case: dict[int, int]) -> dict:
    """Still unpaid, in cents, per case."""
    totals: dict[int, int] = {}
    for row, remaining in remaining_by_invoice(invoices, paid_by_case):
        totals[row.case_id] = totals.get(row.case_id, 0) + remaining
    return totals


def last_months(today: date, count: int = MONTHS) -> list[date]:
    """The first day of each of the last `count` months, the current one last."""
    current = today.replace(day=1)
    return [add_months(current, -n) for n in range(count - 1, -1, -1)]


@dataclass(frozen=True)
class MonthFigure:
    month: date  # its first day
    recovered_cents: int
    cases_paying: int  # cases with at least one standing payment that month
    cases_closed_paid: int  # cases closed as paid that month


def monthly(
    payments: Iterable[tuple[int, date, int]],
    closed_paid: Iterable[date],
    today: date,
    count: int = MONTHS,
) -> list[MonthFigure]:
    """Recovered per month over the last `count` months, from (case id, received on, cents) of
    standing payments and the closing dates of cases closed as paid."""
    months = last_months(today, count)
    amounts = dict.fromkeys(months, 0)
    cases: dict[date, set[int]] = {m: set() for m in months}
    closed = dict.fromkeys(months, 0)
    for case_id, received_on, cents in payments:
        key = received_on.replace(day=1)
        if key in amounts:
            amounts[key] += cents
            cases[key].add(case_id)
    for closed_on in closed_paid:
        key = closed_on.replace(day=1)
        if key in closed:
            closed[key] += 1
    return [MonthFigure(m, amounts[m], len(cases[m]), closed[m]) for m in months]


def monthly_from_totals(
    recovered: dict[date, tuple[int, int]],
    closed_paid: dict[date, int],
    today: date,
    count: int = MONTHS,
) -> list[MonthFigure]:
    """`monthly` from totals already grouped by month (its first day): recovered cents and
    cases paying, and cases closed as paid; months outside the last `count` are ignored."""
    return [
        MonthFigure(m, *recovered.get(m, (0, 0)), closed_paid.get(m, 0))
        for m in last_months(today, count)
    ]


def rate_percent(part_cents: int, whole_cents: int) -> Decimal | None:
    """part / whole as a percentage with one decimal, half-up; None when nothing was handed over."""
    if whole_cents <= 0:
        return None
    value = Decimal(part_cents) * 100 / Decimal(whole_cents)
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def average_days(periods: Iterable[tuple[date, date]]) -> Decimal | None:
    """Mean number of days from the first date to the second, one decimal, half-up."""
    spans = [(end - start).days for start, end in periods]
    return mean_days(sum(spans), len(spans))


def mean_days(total_days: int, count: int) -> Decimal | None:
    """total / count days, one decimal, half-up; None when there is nothing to average."""
    if not count:
        return None
    value = Decimal(total_days) / Decimal(count)
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
