"""Recording a debtor's payment: allocation in the legal order, books, commission, closure."""

from datetime import date

import pytest
import sqlalchemy as sa

from app.domain import ledger, pipeline
from app.extensions import db
from app.models import AuditEvent, LedgerTransaction, Payment, TimelineEntry
from app.services import casework, claims, payments
from app.services import ledger as books
from app.services.errors import Forbidden, ValidationFailed
from tests import factories

PAID_ON = date(2026, 10, 1)


@pytest.fixture
def case(people, today, rates_to_date):
    """1,200.00 due 2026-07-01, accepted into the amicable stage (commission 12 %)."""
    case = factories.make_case(
        people.creditor_user,
        invoices=[factories.invoice("F-1", 120_000, issued=date(2026, 6, 1), days=30)],
        today=today,
    )
    casework.accept_case(people.agent, case, today=today)
    return case


def pay(actor, case, amount_cents, *, on=PAID_ON, today=date(2026, 11, 23), **extra):
    extra.setdefault("method", "transfer")
    return payments.record_payment(
        actor, case, amount_cents=amount_cents, received_on=on, today=today, **extra
    )


def test_a_partial_payment_settles_indemnity_then_interest_then_principal(people, case, today):
    """500.00 on 2026-10-01: 40.00 indemnity, 36.75 interest (92 days at 12.15 %), 423.25 principal;
    the 776.75 left accrues 13.70 more by 2026-11-23 (53 days): 790.45 outstanding."""
    payment = pay(people.agent, case, 50_000)

    balance = claims.case_balance(case, today)
    parts = {a.part: a.cents for a in balance.allocations if a.payment_key == payment.id}
    assert parts == {"indemnity": 4_000, "interest": 3_675, "principal": 42_325}
    (line,) = balance.invoices
    assert line.interest_cents == 3_675 + 1_370
    assert balance.paid_cents == 50_000
    assert balance.outstanding_cents == 79_045
    assert case.stage == pipeline.AMICABLE


def test_the_payment_is_held_for_the_creditor_less_commission_and_vat(people, case):
    pay(people.agent, case, 50_000)

    totals = books.balances(creditor_id=people.creditor.id)
    assert totals[ledger.CLIENT_FUNDS] == 50_000
    assert totals[ledger.COMMISSION_INCOME] == -6_000  # 12 % of 500.00
    assert totals[ledger.VAT_PAYABLE] == -1_200
    assert totals[ledger.CREDITOR_PAYABLE] == -42_800  # owed to the creditor: 428.00
    assert books.verify() == []


def test_the_creditor_is_told_of_the_payment_and_it_is_audited(people, case):
    payment = pay(people.agent, case, 50_000)

    entry = db.session.scalar(
        sa.select(TimelineEntry).where(TimelineEntry.kind == "payment_received")
    )
    assert entry.visible_to_creditor and entry.data["amount_cents"] == 50_000
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "payment.recorded"))
    assert event.entity_id == payment.id and event.actor_id == people.agent.id


def test_judicial_stage_money_takes_the_judicial_rate(people, case, today):
    casework.record_judicial_approval(people.supervisor, case, note="Accord écrit")
    casework.move_stage(people.supervisor, case, pipeline.JUDICIAL, reason="Échec", today=today)

    pay(people.agent, case, 10_000)

    assert books.balances(case_id=case.id)[ledger.COMMISSION_INCOME] == -1_800  # 18 %


def test_paying_the_whole_balance_closes_the_case_as_paid(people, case, today):
    pay(people.agent, case, 50_000)
    pay(people.agent, case, 79_045, on=today)

    assert case.stage == pipeline.CLOSED and case.outcome == "paid"
    assert case.closed_on == today
    assert claims.case_balance(case, today).outstanding_cents == 0


def test_a_paid_case_is_charged_the_mandate_minimum_commission(people, case, today):
    people.creditor.commission_minimum_cents = 20_000
    db.session.commit()

    # 1,297.92 owed on the day (57.92 interest, 40.00 indemnity): 12 % = 155.75 < 200.00.
    pay(people.agent, case, 129_792, on=today)

    fees = books.balances(case_id=case.id)
    assert fees[ledger.COMMISSION_INCOME] == -20_000  # 155.75 + a 44.25 top-up
    assert fees[ledger.VAT_PAYABLE] == -(3_115 + 885)
    kinds = db.session.scalars(sa.select(LedgerTransaction.kind).order_by(LedgerTransaction.id))
    assert list(kinds) == ["payment", "fee", "fee_minimum"]


def test_an_overpayment_is_held_as_the_debtors_credit_never_remitted(people, case, today):
    """1,400.00 against 1,297.92 owed: 102.08 is the debtor's, and earns no commission."""
    pay(people.agent, case, 140_000, on=today)

    assert case.outcome == "paid"
    balance = claims.case_balance(case, today)
    assert balance.credit_cents == 10_208
    totals = books.balances(case_id=case.id)
    assert totals[ledger.DEBTOR_CREDIT] == -10_208
    assert totals[ledger.COMMISSION_INCOME] == -15_575  # 12 % of 1,297.92 only
    assert totals[ledger.CREDITOR_PAYABLE] == -(129_792 - 15_575 - 3_115)
    assert books.verify() == []


def test_a_payment_designated_to_an_invoice_goes_there_first(people, today, rates_to_date):
    older = factories.invoice("F-OLD", 100_000, issued=date(2026, 5, 1), days=30)
    newer = factories.invoice("F-NEW", 100_000, issued=date(2026, 6, 1), days=30)
    case = factories.make_case(people.creditor_user, invoices=[older, newer], today=today)
    designated = next(i for i in case.invoices if i.number == "F-NEW")

    payment = pay(people.agent, case, 30_000, designated_invoice_id=designated.id)

    balance = claims.case_balance(case, today)
    invoices = {a.invoice_key for a in balance.allocations if a.payment_key == payment.id}
    assert invoices == {designated.id}


def test_a_payment_straight_to_the_creditor_earns_commission_but_is_not_held(people, case):
    pay(people.creditor_user, case, 50_000, paid_to_creditor=True)

    totals = books.balances(creditor_id=people.creditor.id)
    assert totals[ledger.CLIENT_FUNDS] == 0
    assert totals[ledger.CREDITOR_PAYABLE] == 7_200  # the creditor owes 60.00 + 12.00 VAT
    assert books.verify() == []


def test_a_creditor_cannot_book_money_as_received_by_the_agency(people, case):
    with pytest.raises(Forbidden):
        pay(people.creditor_user, case, 50_000)


def test_another_creditor_cannot_declare_a_payment_on_the_case(people, case):
    with pytest.raises(Forbidden):
        pay(people.other_creditor_user, case, 50_000, paid_to_creditor=True)


@pytest.mark.parametrize(
    ("amount", "on", "field", "message"),
    [
        (0, PAID_ON, "amount", "Le montant doit être supérieur à zéro."),
        (-500, PAID_ON, "amount", "Le montant doit être supérieur à zéro."),
        (None, PAID_ON, "amount", "Indiquez le montant."),
        (10_000, date(2026, 11, 24), "received_on", "ne peut pas être dans le futur"),
        (10_000, None, "received_on", "Indiquez la date"),
    ],
)
def test_bad_payments_are_refused_with_a_reason_and_nothing_is_booked(
    people, case, amount, on, field, message
):
    with pytest.raises(ValidationFailed) as refused:
        pay(people.agent, case, amount, on=on)

    assert message in " ".join(refused.value.errors[field])
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(Payment.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(LedgerTransaction.id))) == 0


def test_a_payment_on_a_closed_case_is_refused(people, case, today):
    casework.move_stage(
        people.agent, case, pipeline.CLOSED, reason="Retrait", outcome="withdrawn", today=today
    )

    with pytest.raises(ValidationFailed) as refused:
        pay(people.agent, case, 10_000)

    assert "clôturé" in refused.value.errors["amount"][0]


def test_an_invoice_of_another_case_cannot_be_designated(people, case, today):
    other = factories.make_case(people.creditor_user, today=today)

    with pytest.raises(ValidationFailed) as refused:
        pay(people.agent, case, 10_000, designated_invoice_id=other.invoices[0].id)

    assert refused.value.errors["designated_invoice_id"]


def test_the_same_submission_twice_records_one_payment(people, case):
    first = pay(people.agent, case, 50_000, idempotency_key="form-123")
    again = pay(people.agent, case, 50_000, idempotency_key="form-123")

    assert again.id == first.id
    assert db.session.scalar(sa.select(sa.func.count(Payment.id))) == 1
    assert books.verify() == []


def test_a_payment_is_recorded_even_when_a_rate_is_missing(people, today, published_rates):
    """Money received is a fact: without the 2026 S2 rate the balance waits, the payment counts."""
    case = factories.make_case(people.creditor_user, today=today)

    payment = pay(people.agent, case, 50_000)

    assert payment.id and case.is_open
    assert books.balances(case_id=case.id)[ledger.CLIENT_FUNDS] == 50_000
    assert books.verify() == []


def test_the_debtor_gets_a_receipt_by_email_once(people, case, run_jobs, mailbox):
    payment = pay(people.agent, case, 50_000)
    run_jobs()
    from app.jobs.tasks import send_payment_receipt

    send_payment_receipt(payment.id)  # a job run twice

    (message,) = mailbox
    assert message["To"] == "compta@mauvais-payeur.example"
    body = next(p for p in message.walk() if p.get_content_type() == "text/plain")
    text = body.get_payload(decode=True).decode().replace("\u202f", " ").replace("\xa0", " ")
    assert "la somme de 500,00 € le 01/10/2026" in text and "R124-6" in text


def test_a_payment_made_to_the_creditor_gets_no_receipt_from_the_agency(
    people, case, run_jobs, mailbox
):
    pay(people.creditor_user, case, 50_000, paid_to_creditor=True)
    run_jobs()

    assert mailbox == []
