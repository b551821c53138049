"""An agent records a payment from the case page, sees where it went, and can reverse it."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Payment
from tests.helpers import page_text as text

pytestmark = pytest.mark.usefixtures("frozen_today")


@pytest.fixture
def case(amicable_case):
    return amicable_case


def payment_form(**fields) -> dict:
    data = {
        "amount": "500,00",
        "received_on": "2026-10-01",
        "method": "transfer",
        "reference": "VIR 12345",
        "note": "",
        "idempotency_key": "key-1",
    }
    data.update(fields)
    return {f"payment-{key}": value for key, value in data.items()}


def payments_count() -> int:
    return db.session.scalar(sa.select(sa.func.count(Payment.id)))


def test_a_recorded_payment_shows_how_it_was_allocated(people, login, client, case):
    login(people.agent)

    response = client.post(f"/agence/dossiers/{case.reference}/paiements", data=payment_form())

    assert response.status_code == 302
    page = text(client.get(response.headers["Location"]))
    assert "Paiement de 500,00 € enregistré." in page
    row = re.search(r'data-testid="payment-allocation">(.*?)</td>', page, re.S).group(1)
    assert re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", row)).strip() == (
        "F-1 : indemnité 40,00 €, intérêts 36,75 €, principal 423,25 €"
    )
    assert "Paiement reçu : 500,00 € le 01/10/2026" in page  # in the timeline
    assert "790,45 €" in page  # outstanding as of today


def test_a_bad_amount_is_refused_and_what_was_typed_stays(people, login, client, case):
    login(people.agent)

    response = client.post(
        f"/agence/dossiers/{case.reference}/paiements", data=payment_form(amount="12,3,4")
    )

    assert response.status_code == 422
    page = text(response)
    assert 'value="12,3,4"' in page
    assert 'value="VIR 12345"' in page
    assert payments_count() == 0


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"amount": "0"}, "Le montant doit être supérieur à zéro."),
        ({"received_on": "2026-11-24"}, "La date de réception ne peut pas être dans le futur."),
        ({"method": ""}, "Choisissez le moyen de paiement."),
    ],
)
def test_refused_payments_say_why_in_french(people, login, client, case, fields, message):
    login(people.agent)

    response = client.post(
        f"/agence/dossiers/{case.reference}/paiements", data=payment_form(**fields)
    )

    assert response.status_code == 422
    assert message in text(response)
    assert payments_count() == 0


def test_the_same_form_sent_twice_records_one_payment(people, login, client, case):
    login(people.agent)
    for _ in range(2):
        client.post(f"/agence/dossiers/{case.reference}/paiements", data=payment_form())

    assert payments_count() == 1


def test_each_displayed_form_carries_its_own_key(people, login, client, case):
    login(people.agent)
    keys = {
        re.search(r'name="payment-idempotency_key"[^>]*value="([0-9a-f]{32})"', text(page))[1]
        for page in (client.get(f"/agence/dossiers/{case.reference}") for _ in range(2))
    }
    assert len(keys) == 2


def test_paying_the_balance_closes_the_case(people, login, client, case):
    login(people.agent)

    response = client.post(
        f"/agence/dossiers/{case.reference}/paiements",
        data=payment_form(amount="1 297,92", received_on="2026-11-23"),
        follow_redirects=True,
    )

    page = text(response)
    assert "Le solde est réglé : le dossier est clôturé comme payé." in page
    assert 'data-testid="payment-panel"' not in page


def test_a_payment_is_reversed_after_a_confirmation_page(people, login, client, case):
    login(people.agent)
    client.post(f"/agence/dossiers/{case.reference}/paiements", data=payment_form())
    payment = db.session.scalar(sa.select(Payment))
    url = f"/agence/paiements/{payment.id}/annulation"

    confirm = text(client.get(url))
    assert "Annuler ce paiement de 500,00 € ?" in confirm
    refused = client.post(url, data={"reason": "", "note": ""})
    assert refused.status_code == 422
    assert "Choisissez le motif de l'annulation." in text(refused)

    done = client.post(url, data={"reason": "bounced_cheque", "note": "Rejet banque"})

    assert done.status_code == 302
    page = text(client.get(done.headers["Location"]))
    assert 'data-testid="payment-reversed"' in page
    assert "Paiement annulé : 500,00 € du 01/10/2026" in page
    again = text(client.get(url))
    assert "Ce paiement a déjà été annulé" in again
    assert 'data-testid="reverse-form"' not in again


def test_the_creditor_sees_the_payment_but_cannot_reverse_it(people, login, client, case):
    login(people.agent)
    client.post(f"/agence/dossiers/{case.reference}/paiements", data=payment_form())
    client.post("/deconnexion")
    login(people.creditor_user)

    page = text(client.get(f"/creancier/dossiers/{case.reference}"))

    assert 'data-testid="payment-row"' in page
    assert "principal 423,25 €" in page
    assert "Paiement reçu : 500,00 €" in page  # told of every payment (R124-5)
    assert 'data-testid="reverse-link"' not in page


def test_a_refusal_from_the_service_is_shown_in_english_to_an_english_user(
    people, login, client, case
):
    login(people.agent)
    client.post("/langue/en")

    response = client.post(
        f"/agence/dossiers/{case.reference}/paiements",
        data=payment_form(received_on="2026-11-24"),
    )

    assert response.status_code == 422
    assert "The date received cannot be in the future." in text(response)


def test_each_payment_has_a_receipt_saying_where_it_went_and_what_is_left(
    people, login, client, case
):
    login(people.agent)
    client.post(f"/agence/dossiers/{case.reference}/paiements", data=payment_form())
    payment = db.session.scalar(sa.select(Payment))

    page = text(client.get(f"/agence/paiements/{payment.id}/recu"))

    assert "a reçu de Client Mauvais Payeur SARL la somme de 500,00 € le 01/10/2026" in page
    assert "pour le compte de Boulangerie Dupont SAS" in page
    assert "Reste dû au 01/10/2026 : 776,75 €" in page  # 1,200.00 - 423.25 of principal
    assert "R124-6" in page
    client.post("/deconnexion")
    login(people.creditor_user)
    assert client.get(f"/creancier/paiements/{payment.id}/recu").status_code == 200
    client.post("/deconnexion")
    login(people.other_creditor_user)
    assert client.get(f"/creancier/paiements/{payment.id}/recu").status_code == 404
