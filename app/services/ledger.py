"""The books: write domain.ledger transactions, read balances, and prove they hold.

Entries are only ever inserted. A balance is a sum of entries; `verify` re-derives every check
an auditor of the client-funds account would make and returns what does not hold.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from app.domain import ledger
from app.extensions import db
from app.models import LedgerEntry, LedgerTransaction, Payment

# Transactions that carry a debtor's money into the books, and their reversals.
PAYMENT_KINDS = ("payment",)
FEE_KINDS = ("fee", "fee_minimum")


def post(
    transactions: Iterable[ledger.Transaction],
    *,
    creditor_id: int,
    case_id: int | None = None,
    payment_id: int | None = None,
    remittance_id: int | None = None,
    actor=None,
) -> list[LedgerTransaction]:
    """Write balanced transactions (each is checked again before it is stored)."""
    rows = []
    for transaction in transactions:
        transaction.check()
        row = LedgerTransaction(
            kind=transaction.kind,
            creditor_id=creditor_id,
            case_id=case_id,
            payment_id=payment_id,
            remittance_id=remittance_id,
            created_by_id=getattr(actor, "id", None),
        )
        row.entries = [
            LedgerEntry(
                account=entry.account,
                side=entry.side,
                cents=entry.cents,
                creditor_id=creditor_id,
                case_id=case_id,
            )
            for entry in transaction.entries
        ]
        db.session.add(row)
        rows.append(row)
    db.session.flush()
    return rows


def _as_domain(row: LedgerTransaction) -> ledger.Transaction:
    return ledger.Transaction(
        row.kind, tuple(ledger.Entry(e.account, e.side, e.cents) for e in row.entries)
    )


def reverse(row: LedgerTransaction, *, actor=None) -> LedgerTransaction:
    """Post the mirror image of a transaction; the unique `reverses_id` refuses a second one."""
    mirror = ledger.reversal_of(_as_domain(row))
    (reversal,) = post(
        [mirror],
        creditor_id=row.creditor_id,
        case_id=row.case_id,
        payment_id=row.payment_id,
        actor=actor,
    )
    # Not copied: remittance_id is the statement that reports a movement, and the reversal is a
    # new movement for the next statement.
    reversal.reverses_id = row.id
    db.session.flush()
    return reversal


def _signed():
    """Debit-positive amount of an entry."""
    return sa.case((LedgerEntry.side == ledger.DEBIT, LedgerEntry.cents), else_=-LedgerEntry.cents)


def balances(*, creditor_id: int | None = None, case_id: int | None = None) -> dict[str, int]:
    """Debit-positive balance of every account, for one creditor, one case, or the agency."""
    query = sa.select(LedgerEntry.account, sa.func.sum(_signed())).group_by(LedgerEntry.account)
    if creditor_id is not None:
        query = query.where(LedgerEntry.creditor_id == creditor_id)
    if case_id is not None:
        query = query.where(LedgerEntry.case_id == case_id)
    totals = dict.fromkeys(ledger.ACCOUNTS, 0)
    for account, total in db.session.execute(query):
        totals[account] = int(total or 0)
    return totals


def case_credit_cents(case_id: int) -> int:
    """The overpayment held for the debtor of a case, as the books say."""
    return -balances(case_id=case_id)[ledger.DEBTOR_CREDIT]


def verify() -> list[str]:
    """Every problem found in the books, in words; an empty list means they hold."""
    problems = []
    sums = (
        sa.select(
            LedgerEntry.transaction_id,
            sa.func.sum(_signed()).label("net"),
            sa.func.count().label("entries"),
        )
        .group_by(LedgerEntry.transaction_id)
        .subquery()
    )
    unbalanced = db.session.execute(
        sa.select(sums.c.transaction_id, sums.c.net).where(sums.c.net != 0)
    )
    problems += [f"transaction {tx}: debits and credits differ by {net}" for tx, net in unbalanced]
    lonely = db.session.execute(
        sa.select(LedgerTransaction.id)
        .outerjoin(sums, sums.c.transaction_id == LedgerTransaction.id)
        .where(sa.func.coalesce(sums.c.entries, 0) < 2)
    )
    problems += [f"transaction {tx}: fewer than two entries" for (tx,) in lonely]
    strays = db.session.execute(
        sa.select(LedgerEntry.id, LedgerTransaction.id)
        .join(LedgerTransaction, LedgerTransaction.id == LedgerEntry.transaction_id)
        .where(
            sa.or_(
                LedgerEntry.creditor_id != LedgerTransaction.creditor_id,
                LedgerEntry.case_id.is_distinct_from(LedgerTransaction.case_id),
            )
        )
    )
    problems += [
        f"entry {entry}: creditor or case differs from its transaction {tx}" for entry, tx in strays
    ]
    problems += _payments_match_entries()
    return problems


def _payments_match_entries() -> list[str]:
    """Each case's paid amount (payments not reversed) equals what its payment entries hold,
    and each payment is in the books exactly as often as it should be."""
    problems = []
    paid_by_case = dict(
        db.session.execute(
            sa.select(Payment.case_id, sa.func.sum(Payment.amount_cents))
            .where(Payment.reversed_at.is_(None))
            .group_by(Payment.case_id)
        ).all()
    )
    booked = (
        sa.select(LedgerTransaction.case_id, sa.func.sum(_signed()))
        .join(LedgerEntry, LedgerEntry.transaction_id == LedgerTransaction.id)
        .where(
            LedgerTransaction.kind.in_(("payment", "payment_reversal")),
            LedgerEntry.account.in_((ledger.CLIENT_FUNDS, ledger.CREDITOR_DIRECT)),
        )
        .group_by(LedgerTransaction.case_id)
    )
    booked_by_case = {case_id: int(total) for case_id, total in db.session.execute(booked)}
    for case_id in sorted(set(paid_by_case) | set(booked_by_case)):
        paid = int(paid_by_case.get(case_id) or 0)
        in_books = booked_by_case.get(case_id, 0)
        if paid != in_books:
            problems.append(f"case {case_id}: payments {paid} but payment entries {in_books}")
    # A payment has one payment transaction; a reversed one has its reversal too.
    counts = db.session.execute(
        sa.select(
            Payment.id,
            Payment.reversed_at.is_not(None),
            sa.func.count(LedgerTransaction.id).filter(LedgerTransaction.kind == "payment"),
            sa.func.count(LedgerTransaction.id).filter(
                LedgerTransaction.kind == "payment_reversal"
            ),
        )
        .outerjoin(LedgerTransaction, LedgerTransaction.payment_id == Payment.id)
        .group_by(Payment.id, Payment.reversed_at)
    )
    for payment_id, is_reversed, booked_count, reversal_count in counts:
        if booked_count != 1 or reversal_count != (1 if is_reversed else 0):
            problems.append(
                f"payment {payment_id}: {booked_count} payment and {reversal_count} reversal "
                "transactions in the books"
            )
    return problems
