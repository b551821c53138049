"""What a case's debtor owes on a date: the case's invoices and terms fed to domain.balance."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from app.domain import pipeline
from app.domain.balance import CaseBalance, ClaimInvoice, ClaimPayment, ClaimRules, compute_balance
from app.domain.interest import RateBook
from app.extensions import db
from app.models import Case, Payment
from app.services import rates

# Which rule makes interest run on a case, for the one-line explanation under the balance.
B2B = "b2b"
CONSUMER = "consumer"
CONSUMER_WITHOUT_NOTICE = "consumer_without_notice"


def claim_rules(case: Case) -> ClaimRules:
    creditor = case.creditor
    return ClaimRules.for_debtor(
        business_debtor=case.debtor.is_company,
        creditor_is_individual=creditor.creditor_is_individual,
        contractual_rate_bp=creditor.contractual_rate_bp,
        formal_notice_received_on=case.formal_notice_received_on,
        insolvency=case.stage == pipeline.INSOLVENCY,
    )


def interest_basis(case: Case) -> str:
    if case.debtor.is_company:
        return B2B
    return CONSUMER if case.formal_notice_received_on else CONSUMER_WITHOUT_NOTICE


def case_balance(
    case: Case,
    as_of: date,
    book: RateBook | None = None,
    payments: list[Payment] | None = None,
) -> CaseBalance:
    """Principal, interest, indemnity, costs, paid and outstanding per invoice as of `as_of`.
    `payments`: the case's payments already loaded (any order, reversed ones included), to save
    the query.

    Raises interest.MissingRate (naming the semester) when a rate it needs is not stored.
    """
    invoices = [
        ClaimInvoice(
            key=invoice.id,
            number=invoice.number,
            due_date=invoice.due_date,
            principal_cents=invoice.amount_cents - invoice.paid_cents,
        )
        for invoice in case.invoices
    ]
    payments = [
        ClaimPayment(
            key=payment.id,
            received_on=payment.received_on,
            amount_cents=payment.amount_cents,
            designated_invoice=payment.designated_invoice_id,
        )
        for payment in (
            effective_payments(case) if payments is None else standing_payments(payments)
        )
    ]
    return compute_balance(invoices, payments, claim_rules(case), book or rates.rate_book(), as_of)


def standing_payments(payments: list[Payment]) -> list[Payment]:
    """Of a case's payments, those that stand (not reversed), oldest first."""
    standing = [payment for payment in payments if payment.reversed_at is None]
    return sorted(standing, key=lambda payment: (payment.received_on, payment.id))


def effective_payments(case: Case) -> list[Payment]:
    """The case's payments that stand (not reversed), oldest first."""
    query = (
        sa.select(Payment)
        .where(Payment.case_id == case.id, Payment.reversed_at.is_(None))
        .order_by(Payment.received_on, Payment.id)
    )
    return list(db.session.scalars(query))
