"""The agency's case page shows everything: parties, invoices, documents, calls, full timeline."""

from __future__ import annotations

from datetime import date

import pytest

from app.domain import roles
from app.services import casework, intake
from tests import factories
from tests.helpers import page_text as text

pytestmark = pytest.mark.usefixtures("frozen_today")


@pytest.fixture
def case(people, today):
    return factories.make_case(
        people.creditor_user,
        invoices=[
            factories.invoice("F-100", 100_000),
            factories.invoice("F-101", 50_050, paid_cents=10_000),
        ],
        uploads=[intake.UploadInput("facture-100.pdf", factories.minimal_pdf(), "invoice")],
        today=today,
    )


def test_it_shows_the_parties_the_invoices_with_totals_and_the_documents(
    people, login, client, case
):
    login(people.agent)
    response = client.get(f"/agence/dossiers/{case.reference}")
    page = text(response)

    assert response.status_code == 200
    assert case.reference in page
    assert "Client Mauvais Payeur SARL" in page
    assert "732829320" in page
    assert "12 avenue des Champs" in page and "69001 Lyon" in page
    assert "compta@mauvais-payeur" in page
    assert "04 72 00 00 00" in page
    assert "Boulangerie Dupont SAS" in page
    assert "Mandat MAN-BOU-001 signé le 15/01/2026" in page
    assert "Réception" in page
    assert "Non attribué" in page
    assert "Ouvert le" in page and "23/11/2026" in page
    assert "F-100" in page and "F-101" in page
    # Totals: 1 500,50 € claimed, 100,00 € already paid, 1 400,50 € left.
    assert "1 500,50 €" in page and "100,00 €" in page and "1 400,50 €" in page
    assert "facture-100.pdf" in page
    assert f"/agence/documents/{case.documents[0].id}" in page


def test_it_warns_when_the_creditor_has_no_mandate(people, login, client, today):
    org = factories.make_org(name="Sans Mandat SARL", mandate=False)
    user = factories.make_user(org, roles.CREDITOR_USER, "compta@sansmandat.example")
    case = factories.make_case(user, today=today)

    login(people.agent)
    page = text(client.get(f"/agence/dossiers/{case.reference}"))

    assert "Aucun mandat signé enregistré pour ce créancier" in page


def test_it_shows_internal_notes_and_the_call_log(people, login, client, case, today):
    casework.add_note(people.agent, case, "Le gérant est difficile à joindre le matin.")
    casework.log_call(
        people.agent,
        case,
        direction="outbound",
        phone_number="04 72 00 00 00",
        outcome="no_answer",
        duration_seconds=120,
        notes="Standard fermé.",
        follow_up_on=date(2026, 11, 26),
        today=today,
    )

    login(people.supervisor)
    page = text(client.get(f"/agence/dossiers/{case.reference}"))

    assert "Le gérant est difficile à joindre le matin." in page
    assert "Standard fermé." in page
    assert "pas de réponse" in page
    assert "2 min" in page
    assert "26/11/2026" in page
    assert "Alice Agent" in page


def test_an_agent_downloads_a_document_of_the_case(people, login, client, case):
    login(people.agent)
    response = client.get(f"/agence/documents/{case.documents[0].id}")

    assert response.status_code == 200
    assert response.data == factories.minimal_pdf()
    assert "attachment" in response.headers["Content-Disposition"]


def test_an_unknown_document_is_not_found(people, login, client):
    login(people.agent)
    assert client.get("/agence/documents/999").status_code == 404


def test_an_unknown_reference_is_not_found(people, login, client):
    login(people.agent)
    assert client.get("/agence/dossiers/REC-2026-999999").status_code == 404


def test_creditor_users_are_refused_the_agency_case_page_and_documents(people, login, client, case):
    login(people.creditor_user)
    assert client.get(f"/agence/dossiers/{case.reference}").status_code == 403
    assert client.get(f"/agence/documents/{case.documents[0].id}").status_code == 403


def test_an_anonymous_visitor_is_sent_to_login(client, case):
    response = client.get(f"/agence/dossiers/{case.reference}")
    assert response.status_code == 302
    assert "/connexion" in response.headers["Location"]


def test_an_agent_does_not_see_the_judicial_approval_panel_but_a_supervisor_does(
    people, login, client, case
):
    login(people.agent)
    assert 'data-testid="judicial-panel"' not in text(
        client.get(f"/agence/dossiers/{case.reference}")
    )
    client.post("/deconnexion")
    login(people.supervisor)
    assert 'data-testid="judicial-panel"' in text(client.get(f"/agence/dossiers/{case.reference}"))


def test_the_call_form_is_prefilled_with_the_debtors_first_phone(people, login, client, case):
    login(people.agent)
    page = text(client.get(f"/agence/dossiers/{case.reference}"))
    assert 'name="call-phone_number" type="tel" value="04 72 00 00 00"' in page
