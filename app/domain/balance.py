"""What a debtor owes on any date, and where each payment went (LAW.md sections 2-4).

A pure, chronological computation: invoices accrue interest on their unpaid principal; each
payment, in date order, first settles the invoice the debtor designated, then invoices already
due (oldest due date first, pro rata at equal dates), then those not yet due; inside an invoice,
costs and the 40 EUR indemnity first, then interest accrued to the payment date, then principal.
What is left over is a credit to refund, never absorbed. Court costs are owed from the day a
title makes them recoverable; after a judgment, interest runs at the judgment's rate.

Interest is kept exact between events and rounded half-up to the cent, for every invoice, at
each payment date and at the as-of date (so an invoice a payment does not reach is rounded then
too: rounding at each event keeps what is shown on a payment's date what is owed on it).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from app.domain.interest import (
    RECOVERY_INDEMNITY_CENTS,
    InterestTerms,
    JudgmentTerms,
    RateBook,
    interest_numerator,
    round_numerator_to_cents,
)

PARTS = ("costs", "indemnity", "interest", "principal")


@dataclass(frozen=True)
class ClaimInvoice:
    key: Hashable
    number: str
    due_date: date
    principal_cents: int  # unpaid when the case reached the agency
    costs_cents: int = 0  # recoverable costs attached to this invoice, owed throughout
    # Costs the debtor owes only from a date (court costs: once a title exists): (date, cents).
    later_costs: tuple[tuple[date, int], ...] = ()

    def costs_owed_on(self, day: date) -> int:
        return self.costs_cents + sum(cents for on, cents in self.later_costs if on <= day)


@dataclass(frozen=True)
class ClaimPayment:
    key: Hashable
    received_on: date
    amount_cents: int
    designated_invoice: Hashable | None = None


@dataclass(frozen=True)
class ClaimRules:
    terms: InterestTerms
    # Consumers owe interest only from the day after the formal notice was received.
    formal_notice_received_on: date | None = None
    # The 40 EUR indemnity: B2B only, and not while an insolvency procedure prevents payment.
    indemnity_applies: bool = True
    # Once a court has ruled, interest follows the judgment from its start date.
    judgment: JudgmentTerms | None = None

    @classmethod
    def for_debtor(
        cls,
        *,
        business_debtor: bool,
        creditor_is_individual: bool = False,
        contractual_rate_bp: int | None = None,
        formal_notice_received_on: date | None = None,
        insolvency: bool = False,
        judgment: JudgmentTerms | None = None,
    ) -> ClaimRules:
        return cls(
            terms=InterestTerms(
                business_debtor=business_debtor,
                creditor_is_individual=creditor_is_individual,
                contractual_rate_bp=contractual_rate_bp if business_debtor else None,
            ),
            formal_notice_received_on=formal_notice_received_on,
            indemnity_applies=business_debtor and not insolvency,
            judgment=judgment,
        )

    def interest_starts_on(self, invoice: ClaimInvoice) -> date | None:
        start = invoice.due_date + timedelta(days=1)
        if self.terms.business_debtor:
            late_from = start
        elif self.formal_notice_received_on is None:
            late_from = None
        else:
            late_from = max(start, self.formal_notice_received_on + timedelta(days=1))
        if self.judgment is None:
            return late_from
        # A judgment makes interest run from its own start date, notice or not.
        if late_from is None:
            return self.judgment.starts_on
        return min(late_from, self.judgment.starts_on)

    def numerator(
        self, principal_cents: int, book: RateBook, first_day: date, last_day: date
    ) -> int:
        """Exact interest on a constant principal: the late-payment rate, then from the
        judgment's start date the judgment's."""
        judgment = self.judgment
        if judgment is None or last_day < judgment.starts_on:
            return interest_numerator(principal_cents, self.terms, book, first_day, last_day)
        before = 0
        if first_day < judgment.starts_on:
            before = interest_numerator(
                principal_cents, self.terms, book, first_day, judgment.starts_on - timedelta(1)
            )
            first_day = judgment.starts_on
        return before + judgment.numerator(principal_cents, book, first_day, last_day)


@dataclass(frozen=True)
class Allocation:
    payment_key: Hashable
    invoice_key: Hashable
    part: str  # one of PARTS
    cents: int


@dataclass
class InvoiceBalance:
    key: Hashable
    number: str
    due_date: date
    principal_cents: int
    costs_cents: int = 0
    indemnity_cents: int = 0
    interest_cents: int = 0  # all interest accrued to the as-of date, paid or not
    paid: dict[str, int] = field(default_factory=lambda: dict.fromkeys(PARTS, 0))

    @property
    def paid_cents(self) -> int:
        return sum(self.paid.values())

    @property
    def total_cents(self) -> int:
        return self.principal_cents + self.costs_cents + self.indemnity_cents + self.interest_cents

    @property
    def outstanding_cents(self) -> int:
        return self.total_cents - self.paid_cents


@dataclass
class CaseBalance:
    as_of: date
    invoices: list[InvoiceBalance]
    allocations: list[Allocation]
    credit_cents: int  # overpaid, held to refund

    def _sum(self, attribute: str) -> int:
        return sum(getattr(i, attribute) for i in self.invoices)

    @property
    def principal_cents(self) -> int:
        return self._sum("principal_cents")

    @property
    def interest_cents(self) -> int:
        return self._sum("interest_cents")

    @property
    def indemnity_cents(self) -> int:
        return self._sum("indemnity_cents")

    @property
    def costs_cents(self) -> int:
        return self._sum("costs_cents")

    @property
    def paid_cents(self) -> int:
        return self._sum("paid_cents")

    @property
    def outstanding_cents(self) -> int:
        return self._sum("outstanding_cents")


class _Running:
    """One invoice while time moves forward."""

    def __init__(self, invoice: ClaimInvoice, rules: ClaimRules, book: RateBook):
        self.invoice = invoice
        self.rules = rules
        self.book = book
        self.balance = InvoiceBalance(
            key=invoice.key,
            number=invoice.number,
            due_date=invoice.due_date,
            principal_cents=invoice.principal_cents,
            costs_cents=invoice.costs_cents,  # later costs join as their dates are reached
        )
        self.accrue_from = rules.interest_starts_on(invoice)  # first day not yet accrued
        self.pending_numerator = 0  # exact interest accrued since the last rounding
        self.lateness_checked = False

    @property
    def unpaid_principal(self) -> int:
        return self.balance.principal_cents - self.balance.paid["principal"]

    def _numerator_through(self, day: date) -> int:
        if self.accrue_from is None or day < self.accrue_from:
            return self.pending_numerator
        return self.pending_numerator + self.rules.numerator(
            self.unpaid_principal, self.book, self.accrue_from, day
        )

    def _indemnity_on(self, day: date) -> int:
        """40 EUR once the due date has passed with principal unpaid. Events are settled in date
        order, so the first settlement after the due date sees the principal as it stood then."""
        if self.lateness_checked or day <= self.invoice.due_date:
            return self.balance.indemnity_cents
        late = self.rules.indemnity_applies and self.unpaid_principal > 0
        return RECOVERY_INDEMNITY_CENTS if late else 0

    def settle_through(self, day: date) -> None:
        """Round the interest accrued up to and including `day` into cents owed."""
        self.balance.costs_cents = self.invoice.costs_owed_on(day)
        self.balance.indemnity_cents = self._indemnity_on(day)
        if day > self.invoice.due_date:
            self.lateness_checked = True
        self.balance.interest_cents += round_numerator_to_cents(self._numerator_through(day))
        self.pending_numerator = 0
        if self.accrue_from is not None and day >= self.accrue_from:
            self.accrue_from = day + timedelta(days=1)

    def outstanding_on(self, day: date) -> int:
        """What it would take to settle this invoice on `day` (nothing is rounded for good)."""
        indemnity = self._indemnity_on(day)
        interest = self.balance.interest_cents + round_numerator_to_cents(
            self._numerator_through(day)
        )
        costs = self.invoice.costs_owed_on(day)
        total = self.balance.principal_cents + costs + indemnity + interest
        return total - self.balance.paid_cents

    def take(self, payment: ClaimPayment, amount: int, allocations: list[Allocation]) -> int:
        """Apply up to `amount` (already settled to the payment date); return what is left."""
        owed = {
            "costs": self.balance.costs_cents - self.balance.paid["costs"],
            "indemnity": self.balance.indemnity_cents - self.balance.paid["indemnity"],
            "interest": self.balance.interest_cents - self.balance.paid["interest"],
            "principal": self.unpaid_principal,
        }
        for part in PARTS:
            cents = min(amount, owed[part])
            if cents > 0:
                self.balance.paid[part] += cents
                allocations.append(Allocation(payment.key, self.invoice.key, part, cents))
                amount -= cents
        return amount


def _split_pro_rata(amount: int, weights: list[int]) -> list[int]:
    """Split cents in proportion to weights; leftover cents go to the largest remainders."""
    total = sum(weights)
    shares = [amount * w // total for w in weights]
    remainders = sorted(range(len(weights)), key=lambda i: (-(amount * weights[i] % total), i))
    for i in remainders[: amount - sum(shares)]:
        shares[i] += 1
    return shares


def _default_order(running: list[_Running], day: date) -> list[list[_Running]]:
    """Groups in the legal order: due invoices by due date, then those not yet due."""
    by_due: dict[tuple[bool, date], list[_Running]] = {}
    for item in running:
        not_yet_due = item.invoice.due_date > day
        by_due.setdefault((not_yet_due, item.invoice.due_date), []).append(item)
    return [by_due[k] for k in sorted(by_due)]


def _allocate(payment: ClaimPayment, running: list[_Running], allocations) -> int:
    day = payment.received_on
    for item in running:
        item.settle_through(day)
    amount = payment.amount_cents
    designated = [r for r in running if r.invoice.key == payment.designated_invoice]
    if designated:
        amount = designated[0].take(payment, amount, allocations)
    for group in _default_order(running, day):
        if amount <= 0:
            break
        owed = [item.outstanding_on(day) for item in group]
        if sum(owed) <= amount or len(group) == 1:
            for item in group:
                amount = item.take(payment, amount, allocations)
            continue
        for item, share in zip(group, _split_pro_rata(amount, owed), strict=True):
            amount -= share - item.take(payment, share, allocations)
    return amount


def _in_recorded_order(key: Hashable) -> tuple:
    """Same-day payments in the order they were recorded: database ids compare as numbers
    (10 after 9), anything else by its text."""
    return (0, key, "") if isinstance(key, int) else (1, 0, str(key))


def compute_balance(
    invoices: Iterable[ClaimInvoice],
    payments: Iterable[ClaimPayment],
    rules: ClaimRules,
    book: RateBook,
    as_of: date,
) -> CaseBalance:
    """The balance as of `as_of` (inclusive); payments received after it are ignored."""
    running = [_Running(invoice, rules, book) for invoice in invoices]
    allocations: list[Allocation] = []
    credit = 0
    ordered = sorted(
        (p for p in payments if p.received_on <= as_of),
        key=lambda p: (p.received_on, _in_recorded_order(p.key)),
    )
    for payment in ordered:
        credit += _allocate(payment, running, allocations)
    for item in running:
        item.settle_through(as_of)
    return CaseBalance(
        as_of=as_of,
        invoices=[item.balance for item in running],
        allocations=allocations,
        credit_cents=credit,
    )
