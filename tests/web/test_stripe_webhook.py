"""Card payments are recorded only from verified Stripe webhooks, once each, whatever the
number or the order of deliveries; refunds and disputes reverse them."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from datetime import date

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import LedgerTransaction, Payment, StripeEvent, TimelineEntry
from app.services import claims, payments
from app.services import ledger as books
from tests import factories

SECRET = "whsec_test_secret"
PAID_AT = int(time.mktime((2026, 11, 20, 12, 0, 0, 0, 0, -1)))


@pytest.fixture(autouse=True)
def webhook_secret(app, monkeypatch):
    monkeypatch.setitem(app.config, "STRIPE_WEBHOOK_SECRET", SECRET)


@pytest.fixture
def case(amicable_case):
    return amicable_case


def signed(event: dict, secret: str = SECRET) -> tuple[bytes, dict]:
    body = json.dumps(event).encode()
    stamp = int(time.time())
    signature = hmac.new(secret.encode(), f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
    return body, {
        "Stripe-Signature": f"t={stamp},v1={signature}",
        "Content-Type": "application/json",
    }


def succeeded(case, amount=50_000, intent="pi_123", event_id="evt_1"):
    return {
        "id": event_id,
        "object": "event",
        "type": "payment_intent.succeeded",
        "created": PAID_AT,
        "data": {
            "object": {
                "id": intent,
                "object": "payment_intent",
                "amount": amount,
                "amount_received": amount,
                "currency": "eur",
                "metadata": {"case_id": str(case.id)},
            }
        },
    }


def refunded(intent="pi_123", event_id="evt_2"):
    return {
        "id": event_id,
        "object": "event",
        "type": "charge.refunded",
        "created": PAID_AT + 3600,
        "data": {"object": {"id": "ch_1", "object": "charge", "payment_intent": intent}},
    }


def deliver(client, event, secret=SECRET):
    body, headers = signed(event, secret)
    return client.post("/stripe/webhook", data=body, headers=headers)


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count(model.id)))


def test_a_succeeded_payment_is_booked_once_however_often_it_is_delivered(
    client, case, run_jobs, today
):
    for _ in range(10):
        assert deliver(client, succeeded(case)).status_code == 200
        run_jobs()

    (payment,) = db.session.scalars(sa.select(Payment)).all()
    assert (payment.amount_cents, payment.method, payment.received_on) == (
        50_000,
        "card",
        date(2026, 11, 20),
    )
    assert count(StripeEvent) == 1
    assert claims.case_balance(case, today).paid_cents == 50_000
    kinds = db.session.scalars(
        sa.select(TimelineEntry.kind).where(TimelineEntry.case_id == case.id)
    )
    assert list(kinds).count("payment_received") == 1
    assert books.verify() == []


def test_a_bad_signature_is_refused_and_nothing_is_recorded(client, case, run_jobs):
    response = deliver(client, succeeded(case), secret="whsec_someone_else")
    run_jobs()

    assert response.status_code == 400
    assert count(StripeEvent) == 0 and count(Payment) == 0


def test_without_a_webhook_secret_events_are_not_accepted(client, case, app, monkeypatch):
    monkeypatch.setitem(app.config, "STRIPE_WEBHOOK_SECRET", None)

    assert deliver(client, succeeded(case)).status_code == 503
    assert count(StripeEvent) == 0


def test_a_refund_reverses_the_payment(client, case, run_jobs):
    deliver(client, succeeded(case))
    run_jobs()

    deliver(client, refunded())
    run_jobs()

    payment = db.session.scalar(sa.select(Payment))
    assert payment.is_reversed and payment.reversal_reason == "refund"
    assert books.verify() == []


def test_a_refund_arriving_before_its_payment_waits_for_it(client, case, run_jobs):
    deliver(client, refunded())
    run_jobs()
    assert count(Payment) == 0

    deliver(client, succeeded(case))
    run_jobs()

    payment = db.session.scalar(sa.select(Payment))
    assert payment.is_reversed
    reversals = db.session.scalar(
        sa.select(sa.func.count(LedgerTransaction.id)).where(
            LedgerTransaction.kind == "payment_reversal"
        )
    )
    assert reversals == 1


def test_a_dispute_reverses_the_payment_as_a_chargeback(client, case, run_jobs):
    deliver(client, succeeded(case))
    run_jobs()
    dispute = refunded(event_id="evt_3")
    dispute["type"] = "charge.dispute.created"

    deliver(client, dispute)
    run_jobs()

    assert db.session.scalar(sa.select(Payment.reversal_reason)) == "chargeback"


def test_a_card_payment_on_a_case_paid_meanwhile_is_kept_as_a_credit(
    people, client, case, run_jobs, today
):
    """The debtor paid everything by transfer, then the card payment went through too."""
    payments.record_payment(
        people.agent,
        case,
        amount_cents=129_792,
        received_on=today,
        method="transfer",
        today=today,
    )
    assert case.outcome == "paid"

    deliver(client, succeeded(case))
    run_jobs()

    assert db.session.scalar(sa.select(sa.func.count(Payment.id))) == 2
    # To refund, never lost: 500.00, plus 0.40 of interest the card payment of the 20th saved
    # on the three days before the transfer of the 23rd.
    assert books.case_credit_cents(case.id) == 50_040
    assert books.verify() == []


def failed(case, intent="pi_declined", event_id="evt_9"):
    event = succeeded(case, intent=intent, event_id=event_id)
    event["type"] = "payment_intent.payment_failed"
    return event


def test_the_debtor_waiting_on_a_card_payment_is_told_when_it_fails(people, client, case, run_jobs):
    from app.services import debtor_access

    token = debtor_access.create_link(people.agent, case)
    client.post(f"/p/{token}", data={"answer": "732829320"})
    waiting = client.get(f"/p/{token}/carte/merci?pi=pi_declined").get_data(as_text=True)
    assert 'data-testid="payment-processing"' in waiting
    assert 'http-equiv="refresh"' in waiting  # the phone checks again by itself

    deliver(client, failed(case))
    run_jobs()

    told = client.get(f"/p/{token}/carte/merci?pi=pi_declined").get_data(as_text=True)
    assert 'data-testid="payment-failed"' in told and "aucune somme n’a été prélevée" in told
    assert 'http-equiv="refresh"' not in told
    assert count(Payment) == 0


def test_another_cases_failed_payment_says_nothing_about_this_one(
    people, client, case, run_jobs, today
):
    from app.services import debtor_access

    other = factories.make_case(
        people.creditor_user, invoices=[factories.invoice("F-9", 50_000)], today=today
    )
    deliver(client, failed(other, intent="pi_other"))
    run_jobs()
    token = debtor_access.create_link(people.agent, case)
    client.post(f"/p/{token}", data={"answer": "732829320"})

    page = client.get(f"/p/{token}/carte/merci?pi=pi_other").get_data(as_text=True)

    assert 'data-testid="payment-failed"' not in page
