"""Payment plans and promises to pay: schedules, policy checks, and whether they are kept.

Pure functions: the caller passes today's date and the payments received.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from app.domain.i18n import N_

WEEKLY = "weekly"
MONTHLY = "monthly"
FREQUENCIES = (WEEKLY, MONTHLY)
PROMISE_GRACE_DAYS = 3
PLAN_BREACH_DAYS = 15


class InvalidPlan(ValueError):
    pass


@dataclass(frozen=True)
class Installment:
    number: int  # 0 is the down payment
    due_on: date
    amount_cents: int


@dataclass(frozen=True)
class PlanPolicy:
    """A creditor's limits for plans the agency may grant without asking."""

    max_months: int = 12
    min_installment_cents: int = 5_000


def add_months(day: date, months: int) -> date:
    """Same day of month, clamped to the month's last day (31 Jan + 1 month = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def build_schedule(
    total_cents: int,
    *,
    installments: int,
    frequency: str,
    first_due_on: date,
    down_payment_cents: int = 0,
    down_payment_on: date | None = None,
) -> list[Installment]:
    """Equal installments after an optional down payment; the rounding remainder goes on the last,
    so the schedule always sums exactly to the total."""
    if total_cents <= 0:
        raise InvalidPlan(N_("Le montant de l'échéancier doit être positif."))
    if installments < 1:
        raise InvalidPlan(N_("Il faut au moins une échéance."))
    if frequency not in FREQUENCIES:
        raise InvalidPlan(N_("Périodicité inconnue."))
    if not 0 <= down_payment_cents < total_cents:
        raise InvalidPlan(N_("L'acompte doit être positif et inférieur au total."))
    schedule = []
    if down_payment_cents:
        schedule.append(Installment(0, down_payment_on or first_due_on, down_payment_cents))
    rest = total_cents - down_payment_cents
    if rest < installments:
        raise InvalidPlan(N_("Trop d'échéances pour ce montant."))
    base = rest // installments
    for n in range(installments):
        due_on = (
            add_months(first_due_on, n)
            if frequency == MONTHLY
            else first_due_on + timedelta(weeks=n)
        )
        amount = base if n < installments - 1 else rest - base * (installments - 1)
        schedule.append(Installment(n + 1, due_on, amount))
    return schedule


def policy_breaches(schedule: list[Installment], policy: PlanPolicy) -> list[str]:
    """Why this plan needs the creditor's approval (empty: the agency may grant it at once)."""
    reasons = []
    last = max(i.due_on for i in schedule)
    if last > add_months(schedule[0].due_on, policy.max_months):
        reasons.append(f"Durée supérieure à {policy.max_months} mois.")
    smallest = min(i.amount_cents for i in schedule if i.number > 0)
    if smallest < policy.min_installment_cents:
        reasons.append(N_("Échéance inférieure au minimum fixé par le créancier."))
    return reasons


@dataclass(frozen=True)
class PlanProgress:
    paid_installments: int  # fully covered, in order
    next_due: Installment | None
    breached: bool
    completed: bool


def plan_progress(
    schedule: list[Installment],
    paid_total_cents: int,
    today: date,
    breach_after_days: int = PLAN_BREACH_DAYS,
) -> PlanProgress:
    """Payments cover installments in order; the plan is breached when an installment is
    `breach_after_days` late (strictly more) and still not covered."""
    remaining = paid_total_cents
    paid = 0
    for installment in schedule:
        if remaining < installment.amount_cents:
            break
        remaining -= installment.amount_cents
        paid += 1
    next_due = schedule[paid] if paid < len(schedule) else None
    breached = next_due is not None and (today - next_due.due_on).days > breach_after_days
    return PlanProgress(paid, next_due, breached, next_due is None)


def promise_status(
    amount_cents: int,
    promised_on: date,
    paid_since_promise_cents: int,
    today: date,
    grace_days: int = PROMISE_GRACE_DAYS,
) -> str:
    """'kept' once payments since the promise cover it, 'broken' when the grace has passed
    without that, else 'pending'. Payments after the grace do not mend a broken promise:
    the caller counts only payments received up to promised_on + grace."""
    if paid_since_promise_cents >= amount_cents:
        return "kept"
    if today > promised_on + timedelta(days=grace_days):
        return "broken"
    return "pending"
