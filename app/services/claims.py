"""What a case's debtor owes on a date: the case's invoices and terms fed to domain.balance."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.domain import pipeline
from app.domain.balance import CaseBalance, ClaimInvoice, ClaimPayment, ClaimRules, compute_balance
from app.domain.interest import JudgmentTerms, RateBook
from app.extensions import db
from app.models import Case, CaseCost, JudicialProcedure, Payment
from app.services import costs, rates
from app.services.judicial import TITLE_STEPS

# Which rule makes interest run on a case, for the one-line explanation under the balance.
B2B = "b2b"
CONSUMER = "consumer"
CONSUMER_WITHOUT_NOTICE = "consumer_without_notice"


def claim_rules(case: Case, judgment: JudgmentTerms | None = None) -> ClaimRules:
    creditor = case.creditor
    return ClaimRules.for_debtor(
        business_debtor=case.debtor.is_company,
        creditor_is_individual=creditor.creditor_is_individual,
        contractual_rate_bp=creditor.contractual_rate_bp,
        formal_notice_received_on=case.formal_notice_received_on,
        insolvency=case.stage == pipeline.INSOLVENCY,
        judgment=judgment,
    )


@dataclass(frozen=True)
class CourtTerms:
    """What the court route changes in a balance: the title's date, the costs the debtor owes
    from then, and the judgment's interest."""

    title_on: date | None = None
    owed_costs: tuple[tuple[date, int], ...] = ()
    judgment: JudgmentTerms | None = None


def court_terms(case: Case) -> CourtTerms:
    """Two queries; nothing for a case that never had the creditor's go for the court route."""
    if case.judicial_approved_at is None:
        return CourtTerms()
    procedures = list(
        db.session.scalars(
            sa.select(JudicialProcedure)
            .where(JudicialProcedure.case_id == case.id)
            .options(selectinload(JudicialProcedure.steps))
        )
    )
    titles = {
        p.id: min((s.occurred_on for s in p.steps if s.kind in TITLE_STEPS), default=None)
        for p in procedures
    }
    title_on = min((d for d in titles.values() if d), default=None)
    case_costs = list(db.session.scalars(sa.select(CaseCost).where(CaseCost.case_id == case.id)))
    judged = [p for p in procedures if p.judgment_interest_from is not None]
    judgment = None
    if judged:
        latest = max(judged, key=lambda p: (p.judgment_interest_from, p.id))
        judgment = JudgmentTerms(
            starts_on=latest.judgment_interest_from,
            rate_bp=latest.judgment_rate_bp,
            enforceable_on=titles.get(latest.id),
            consumer=not case.debtor.is_company,
            creditor_is_individual=case.creditor.creditor_is_individual,
        )
    return CourtTerms(title_on, tuple(costs.owed_costs(case_costs, title_on)), judgment)


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
    court = court_terms(case)
    invoices = [
        ClaimInvoice(
            key=invoice.id,
            number=invoice.number,
            due_date=invoice.due_date,
            principal_cents=invoice.amount_cents - invoice.paid_cents,
            # The case's court costs ride on its oldest invoice: the first a payment reaches,
            # so they are settled first (C. civ. 1343-1: costs before interest and principal).
            later_costs=court.owed_costs if index == 0 else (),
        )
        for index, invoice in enumerate(case.invoices)
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
    rules = claim_rules(case, court.judgment)
    return compute_balance(invoices, payments, rules, book or rates.rate_book(), as_of)


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
