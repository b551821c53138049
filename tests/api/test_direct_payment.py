"""POST /api/v1/cases/{reference}/payments: what the debtor paid the creditor directly."""

from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent, Payment


def _payments():
    return list(db.session.scalars(sa.select(Payment)))


def test_it_records_a_payment_made_to_the_creditor(api, amicable_case, token, frozen_today):
    response = api.post(
        f"/cases/{amicable_case.reference}/payments",
        {"amount": "250.00", "received_on": "2026-11-20", "invoice_number": "F-1"},
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["amount"] == "250.00" and body["paid_to_creditor"] is True
    (payment,) = _payments()
    assert payment.paid_to_creditor and payment.amount_cents == 25_000
    assert payment.designated_invoice_id == amicable_case.invoices[0].id
    event = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "payment.recorded")
    ).one()
    assert event.changes["api_token_id"] == token[0].id
    balance = api.get(f"/cases/{amicable_case.reference}/balance?as_of=2026-11-23").get_json()
    assert balance["paid"] == "250.00"


def test_the_same_idempotency_key_books_the_payment_once(api, amicable_case, frozen_today):
    body = {"amount": "100.00", "received_on": "2026-11-20"}
    headers = {"Idempotency-Key": "erp-pay-1"}
    first = api.post(f"/cases/{amicable_case.reference}/payments", body, headers=headers)
    again = api.post(f"/cases/{amicable_case.reference}/payments", body, headers=headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.get_json()["id"] == again.get_json()["id"]
    assert len(_payments()) == 1


def test_bad_payments_name_their_fields(api, amicable_case, frozen_today):
    url = f"/cases/{amicable_case.reference}/payments"
    cases = (
        ({"amount": "1.234", "received_on": "2026-11-20"}, "amount"),
        ({"amount": "0.00", "received_on": "2026-11-20"}, "amount"),
        ({"amount": "10.00", "received_on": "2027-01-01"}, "received_on"),
        ({"amount": "10.00", "received_on": "2026-11-20", "invoice_number": "X"}, "invoice_number"),
        ({"amount": "10.00"}, "received_on"),
        ({"amount": "10.00", "received_on": "2026-11-20", "tip": "1"}, "tip"),
    )
    for body, field in cases:
        response = api.post(url, body)
        assert response.status_code == 422, body
        assert field in {e["field"] for e in response.get_json()["errors"]}, body
    assert _payments() == []


def test_a_closed_case_takes_no_payment(api, amicable_case, people, today, frozen_today):
    from app.services import casework

    casework.move_stage(
        people.agent,
        amicable_case,
        "closed",
        outcome="withdrawn",
        reason="Le créancier retire le dossier",
        today=today,
    )
    response = api.post(
        f"/cases/{amicable_case.reference}/payments",
        {"amount": "10.00", "received_on": "2026-11-20"},
    )
    assert response.status_code == 409
    assert "clôturé" in response.get_json()["detail"]
