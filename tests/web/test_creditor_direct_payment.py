"""A creditor tells the agency its client paid it directly: the claim goes down, the agency's
commission is still due, nothing is held in the client-funds account."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.domain import ledger
from app.extensions import db
from app.models import Payment
from app.services import claims
from app.services import ledger as books
from tests.helpers import page_text as text

pytestmark = pytest.mark.usefixtures("frozen_today")


@pytest.fixture
def case(amicable_case):
    return amicable_case


def direct(**fields) -> dict:
    data = {
        "amount": "300",
        "received_on": "2026-10-01",
        "method": "cheque",
        "note": "Chèque remis en main propre",
        "idempotency_key": "direct-1",
    }
    data.update(fields)
    return {f"direct-{key}": value for key, value in data.items()}


def test_a_direct_payment_reduces_the_claim_and_the_creditor_owes_the_commission(
    people, login, client, case, today
):
    login(people.creditor_user)

    response = client.post(f"/creancier/dossiers/{case.reference}/paiements-directs", data=direct())

    assert response.status_code == 302
    page = text(client.get(response.headers["Location"]))
    assert "Paiement direct de 300,00 € signalé à l'agence." in page
    assert "payé au créancier" in page
    payment = db.session.scalar(sa.select(Payment))
    assert payment.paid_to_creditor and payment.recorded_by_id == people.creditor_user.id
    assert claims.case_balance(case, today).paid_cents == 30_000
    totals = books.balances(creditor_id=people.creditor.id)
    assert totals[ledger.CLIENT_FUNDS] == 0
    assert totals[ledger.CREDITOR_PAYABLE] == 4_320  # 12 % of 300.00 + VAT, owed by the creditor


def test_a_bad_direct_payment_is_refused_in_french_and_the_note_stays(people, login, client, case):
    login(people.creditor_user)

    response = client.post(
        f"/creancier/dossiers/{case.reference}/paiements-directs",
        data=direct(amount="-10", received_on="2027-01-01"),
    )

    assert response.status_code == 422
    page = text(response)
    assert "Le montant doit être supérieur à zéro." in page
    assert "La date de réception ne peut pas être dans le futur." in page
    assert "Chèque remis en main propre" in page
    assert db.session.scalar(sa.select(sa.func.count(Payment.id))) == 0


def test_another_creditor_cannot_declare_a_payment_on_the_case(people, login, client, case):
    login(people.other_creditor_user)

    response = client.post(f"/creancier/dossiers/{case.reference}/paiements-directs", data=direct())

    assert response.status_code == 404
    assert db.session.scalar(sa.select(sa.func.count(Payment.id))) == 0
