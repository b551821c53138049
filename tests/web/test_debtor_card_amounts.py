"""Card amounts are checked before any call to Stripe: zero, under 1 EUR, more than is owed."""

from __future__ import annotations

from datetime import date

import pytest

from app import web
from app.integrations import stripe_gateway
from app.services import casework, debtor_access
from tests import factories


@pytest.fixture(autouse=True)
def card_payments_on(app, monkeypatch, today):
    monkeypatch.setattr(web, "today", lambda: today)
    monkeypatch.setitem(app.config, "STRIPE_SECRET_KEY", "sk_test_unit")
    monkeypatch.setitem(app.config, "STRIPE_PUBLISHABLE_KEY", "pk_test_unit")

    def no_stripe(*args, **kwargs):
        raise AssertionError("Stripe must not be called for a refused amount")

    monkeypatch.setattr(stripe_gateway, "start_card_setup", no_stripe)


@pytest.fixture
def token(people, today, rates_to_date):
    case = factories.make_case(
        people.creditor_user,
        invoices=[factories.invoice("F-1", 120_000, issued=date(2026, 6, 1), days=30)],
        today=today,
    )
    casework.accept_case(people.agent, case, today=today)
    return debtor_access.create_link(people.agent, case)


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("0", "Indiquez un montant supérieur à zéro."),
        ("abc", "Indiquez un montant supérieur à zéro."),
        ("0,50", "Le paiement par carte commence à 1,00 €."),
        ("1 297,93", "Le montant dépasse ce que vous devez (1 297,92"),
    ],
)
def test_a_refused_amount_never_reaches_stripe(client, token, amount, message):
    client.post(f"/p/{token}", data={"answer": "732829320"})

    response = client.post(f"/p/{token}/carte/intention", data={"amount": amount})

    assert response.status_code == 422
    assert message in response.get_json()["error"].replace("\u202f", " ").replace("\xa0", " ")


def test_without_stripe_keys_the_page_says_card_payment_is_off(client, token, app, monkeypatch):
    monkeypatch.setitem(app.config, "STRIPE_SECRET_KEY", None)
    client.post(f"/p/{token}", data={"answer": "732829320"})

    page = client.get(f"/p/{token}").get_data(as_text=True)

    assert 'data-testid="card-off"' in page
    assert client.post(f"/p/{token}/carte/intention", data={"amount": "10"}).status_code == 404


def test_a_declined_card_says_nothing_was_taken(client, token, monkeypatch):
    monkeypatch.setattr(
        stripe_gateway, "start_card_setup", lambda **k: ("seti_1", "seti_1_secret_x", None)
    )
    monkeypatch.setattr(
        stripe_gateway, "charge", lambda *a, **k: ("pi_declined", "requires_payment_method")
    )
    client.post(f"/p/{token}", data={"answer": "732829320"})
    client.post(f"/p/{token}/carte/intention", data={"amount": "100"})

    response = client.post(f"/p/{token}/carte/paiement")

    assert response.status_code == 402
    assert "aucune somme n'a été prélevée" in response.get_json()["error"]
