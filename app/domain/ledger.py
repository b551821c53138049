"""Double-entry bookkeeping of the money the agency handles (R124-2: creditors' funds apart).

Every movement is a transaction of entries whose debits equal its credits; balances are sums of
entries, so they can always be re-derived. Amounts are positive cents on one side.

Accounts (each entry also carries the creditor and, where it applies, the case):
- client_funds: the bank account dedicated to creditors' funds (what the agency holds);
- creditor_direct: money a debtor paid straight to the creditor (never held by the agency);
- creditor_payable: what the agency owes the creditor (negative: the creditor owes fees);
- commission_income: the agency's fee, excluding VAT;
- vat_payable: VAT on that fee, owed to the State;
- debtor_credit: what a debtor paid beyond the claim, held to be refunded (never the creditor's);
- agency_costs: court costs the agency advanced, charged back to the creditor on its statement.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.domain.commission import Fee

CLIENT_FUNDS = "client_funds"
CREDITOR_DIRECT = "creditor_direct"
CREDITOR_PAYABLE = "creditor_payable"
COMMISSION_INCOME = "commission_income"
VAT_PAYABLE = "vat_payable"
DEBTOR_CREDIT = "debtor_credit"
AGENCY_COSTS = "agency_costs"
ACCOUNTS = (
    CLIENT_FUNDS,
    CREDITOR_DIRECT,
    CREDITOR_PAYABLE,
    COMMISSION_INCOME,
    VAT_PAYABLE,
    DEBTOR_CREDIT,
    AGENCY_COSTS,
)

DEBIT = "debit"
CREDIT = "credit"


class Unbalanced(ValueError):
    pass


@dataclass(frozen=True)
class Entry:
    account: str
    side: str  # DEBIT or CREDIT
    cents: int


@dataclass(frozen=True)
class Transaction:
    kind: str  # payment, fee, remittance, and their reversals
    entries: tuple[Entry, ...]

    def check(self) -> Transaction:
        debits = sum(e.cents for e in self.entries if e.side == DEBIT)
        credits = sum(e.cents for e in self.entries if e.side == CREDIT)
        if debits != credits:
            raise Unbalanced(f"{self.kind}: debits {debits} != credits {credits}")
        if any(e.cents <= 0 or e.account not in ACCOUNTS for e in self.entries):
            raise Unbalanced(f"{self.kind}: entries must be positive, on known accounts")
        return self


def _tx(kind: str, *entries: Entry) -> Transaction:
    return Transaction(kind, tuple(e for e in entries if e.cents)).check()


def payment_received(amount_cents: int, *, direct_to_creditor: bool) -> list[Transaction]:
    """A debtor's payment. Paid to the agency, it is held for the creditor; paid to the creditor,
    it is recorded (commission is still due on it) and at once settled with the creditor."""
    if amount_cents <= 0:
        raise Unbalanced("a payment is positive")
    if not direct_to_creditor:
        return [
            _tx(
                "payment",
                Entry(CLIENT_FUNDS, DEBIT, amount_cents),
                Entry(CREDITOR_PAYABLE, CREDIT, amount_cents),
            )
        ]
    return [
        _tx(
            "payment",
            Entry(CREDITOR_DIRECT, DEBIT, amount_cents),
            Entry(CREDITOR_PAYABLE, CREDIT, amount_cents),
        ),
        _tx(
            "direct_settlement",
            Entry(CREDITOR_PAYABLE, DEBIT, amount_cents),
            Entry(CREDITOR_DIRECT, CREDIT, amount_cents),
        ),
    ]


def fee_charged(fee: Fee, kind: str = "fee") -> list[Transaction]:
    """The agency's commission and its VAT, taken from what it owes the creditor."""
    if fee.total_cents == 0:
        return []
    return [
        _tx(
            kind,
            Entry(CREDITOR_PAYABLE, DEBIT, fee.total_cents),
            Entry(COMMISSION_INCOME, CREDIT, fee.commission_cents),
            Entry(VAT_PAYABLE, CREDIT, fee.vat_cents),
        )
    ]


def cost_charged(amount_cents: int) -> list[Transaction]:
    """A court cost the agency advanced, taken from what it owes the creditor (as a fee is)."""
    if amount_cents <= 0:
        raise Unbalanced("a cost is positive")
    return [
        _tx(
            "cost_charged",
            Entry(CREDITOR_PAYABLE, DEBIT, amount_cents),
            Entry(AGENCY_COSTS, CREDIT, amount_cents),
        )
    ]


def remitted(amount_cents: int) -> list[Transaction]:
    """Money paid out of the client-funds account to the creditor."""
    if amount_cents <= 0:
        raise Unbalanced("a remittance is positive")
    return [
        _tx(
            "remittance",
            Entry(CREDITOR_PAYABLE, DEBIT, amount_cents),
            Entry(CLIENT_FUNDS, CREDIT, amount_cents),
        )
    ]


def credit_adjusted(change_cents: int) -> list[Transaction]:
    """An overpayment moved out of what the creditor is owed into the debtor's credit (positive
    change), or back when a reversal makes it part of the claim again (negative change)."""
    if change_cents == 0:
        return []
    if change_cents > 0:
        return [
            _tx(
                "credit_held",
                Entry(CREDITOR_PAYABLE, DEBIT, change_cents),
                Entry(DEBTOR_CREDIT, CREDIT, change_cents),
            )
        ]
    return [
        _tx(
            "credit_released",
            Entry(DEBTOR_CREDIT, DEBIT, -change_cents),
            Entry(CREDITOR_PAYABLE, CREDIT, -change_cents),
        )
    ]


def reversal_of(transaction: Transaction) -> Transaction:
    """The mirror image: nothing is deleted or edited, the reversal cancels it."""
    flipped = tuple(
        Entry(e.account, CREDIT if e.side == DEBIT else DEBIT, e.cents) for e in transaction.entries
    )
    return Transaction(f"{transaction.kind}_reversal", flipped).check()


def balances(transactions) -> dict[str, int]:
    """Debit-positive balance of every account."""
    totals = dict.fromkeys(ACCOUNTS, 0)
    for transaction in transactions:
        for entry in transaction.entries:
            totals[entry.account] += entry.cents if entry.side == DEBIT else -entry.cents
    return totals
