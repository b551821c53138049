"""Reversing a payment that did not stand: mirror entries, nothing edited, nothing twice."""

from datetime import date

import pytest
import sqlalchemy as sa

from app.domain import ledger, pipeline
from app.extensions import db
from app.models import LedgerEntry, LedgerTransaction
from app.services import casework, claims, payments
from app.services import ledger as books
from app.services.errors import Forbidden, ValidationFailed
from tests import factories


@pytest.fixture
def case(people, today, rates_to_date):
    """1,200.00 due 2026-07-01: 1,297.92 owed on 2026-11-23 (57.92 interest, 40.00 indemnity)."""
    case = factories.make_case(
        people.creditor_user,
        invoices=[factories.invoice("F-1", 120_000, issued=date(2026, 6, 1), days=30)],
        today=today,
    )
    casework.accept_case(people.agent, case, today=today)
    return case


def pay(actor, case, amount_cents, on, today=date(2026, 11, 23)):
    return payments.record_payment(
        actor, case, amount_cents=amount_cents, received_on=on, method="cheque", today=today
    )


def test_a_bounced_cheque_is_reversed_and_the_debt_is_back_with_its_interest(people, case, today):
    cheque = pay(people.agent, case, 50_000, date(2026, 10, 1))
    entries_before = db.session.scalar(sa.select(sa.func.count(LedgerEntry.id)))

    payments.reverse_payment(people.agent, cheque, reason="bounced_cheque", today=today)

    assert cheque.is_reversed and cheque.reversal_reason == "bounced_cheque"
    assert cheque.amount_cents == 50_000  # the payment itself is kept as it was
    balance = claims.case_balance(case, today)
    assert balance.paid_cents == 0
    assert balance.outstanding_cents == 129_792
    assert all(v == 0 for v in books.balances(case_id=case.id).values())
    # Only additions: the original entries are all still there.
    assert db.session.scalar(sa.select(sa.func.count(LedgerEntry.id))) == 2 * entries_before
    assert books.verify() == []


def test_a_payment_cannot_be_reversed_twice(people, case, today):
    cheque = pay(people.agent, case, 50_000, date(2026, 10, 1))
    payments.reverse_payment(people.agent, cheque, reason="bounced_cheque", today=today)

    with pytest.raises(ValidationFailed) as refused:
        payments.reverse_payment(people.agent, cheque, reason="bounced_cheque", today=today)

    assert refused.value.errors["reason"] == ["Ce paiement a déjà été annulé."]
    reversals = db.session.scalar(
        sa.select(sa.func.count(LedgerTransaction.id)).where(
            LedgerTransaction.kind == "payment_reversal"
        )
    )
    assert reversals == 1


def test_a_reversal_needs_a_reason(people, case, today):
    cheque = pay(people.agent, case, 50_000, date(2026, 10, 1))

    with pytest.raises(ValidationFailed) as refused:
        payments.reverse_payment(people.agent, cheque, reason=None, today=today)

    assert refused.value.errors["reason"]
    db.session.rollback()
    assert not db.session.get(type(cheque), cheque.id).is_reversed


def test_reversing_the_payment_that_closed_a_case_reopens_it(people, case, today):
    people.creditor.commission_minimum_cents = 20_000
    db.session.commit()
    cheque = pay(people.agent, case, 129_792, today)
    assert case.outcome == "paid"

    payments.reverse_payment(people.agent, cheque, reason="bounced_cheque", today=today)

    assert case.stage == pipeline.AMICABLE and case.outcome is None
    assert books.balances(case_id=case.id)[ledger.COMMISSION_INCOME] == 0
    assert books.verify() == []


def test_reversing_an_earlier_payment_turns_a_later_credit_back_into_payment(people, case, today):
    """500.00 then 900.00: 109.55 over. Once the 500.00 bounces, the 900.00 is all claim."""
    first = pay(people.agent, case, 50_000, date(2026, 10, 1))
    pay(people.agent, case, 90_000, today)
    assert books.case_credit_cents(case.id) > 0

    payments.reverse_payment(people.agent, first, reason="bounced_cheque", today=today)

    assert books.case_credit_cents(case.id) == 0
    assert claims.case_balance(case, today).credit_cents == 0
    assert books.verify() == []


def test_only_the_agency_reverses_payments(people, case, today):
    cheque = pay(people.agent, case, 50_000, date(2026, 10, 1))

    with pytest.raises(Forbidden):
        payments.reverse_payment(people.creditor_user, cheque, reason="refund", today=today)
