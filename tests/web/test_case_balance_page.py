"""Both case pages show what the debtor owes on a date: per invoice and in total, with the
rule that makes interest run, or the missing rate that stops the computation."""

from __future__ import annotations

import html
import re
from datetime import date

import pytest

from app.domain import pipeline
from app.extensions import db
from app.services import casework, intake, rates
from tests import factories

pytestmark = pytest.mark.usefixtures("frozen_today")


def text(response) -> str:
    page = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    page = html.unescape(page).replace("\u202f", " ").replace("\xa0", " ")
    return " ".join(page.split())


def law_invoice(number="F-2024-031"):
    """10,000.00 due 2024-03-31."""
    return factories.invoice(number, 1_000_000, issued=date(2024, 3, 1), days=30)


@pytest.fixture
def case(people, today):
    return factories.make_case(people.creditor_user, invoices=[law_invoice()], today=today)


@pytest.fixture
def consumer_case(people, today):
    debtor = intake.DebtorInput(
        kind="individual",
        name="Hélène Vidal",
        address_line1="17 rue de Marseille",
        postal_code="69007",
        city="Lyon",
        emails=["helene.vidal@example.net"],
        phones=["06 12 34 56 78"],
    )
    return factories.make_case(
        people.creditor_user, invoices=[law_invoice()], debtor=debtor, today=today
    )


AGENCY_PAGE = "/agence/dossiers/{}"
CREDITOR_PAGE = "/creancier/dossiers/{}"


@pytest.mark.parametrize(
    ("persona", "page"), [("agent", AGENCY_PAGE), ("creditor_user", CREDITOR_PAGE)]
)
def test_both_portals_show_the_law_example_as_of_the_chosen_date(
    people, login, client, case, published_rates, persona, page
):
    login(getattr(people, persona))
    response = client.get(page.format(case.reference) + "?au=2024-12-31")
    page_text = text(response)

    assert response.status_code == 200
    assert "Solde au 31/12/2024" in page_text
    # Invoice row: principal, interest, indemnity, costs, paid, outstanding.
    assert "F-2024-031 10 000,00 € 1 079,86 € 40,00 € 0,00 € 0,00 € 11 119,86 €" in page_text
    assert "Total 10 000,00 € 1 079,86 € 40,00 € 0,00 € 0,00 € 11 119,86 €" in page_text
    assert "Pénalités de retard au taux BCE + 10 points (ou taux contractuel)" in page_text
    assert "Indemnité forfaitaire de 40 € par facture (art. D441-5)" in page_text
    body = response.get_data(as_text=True)
    assert 'name="au" value="2024-12-31"' in body
    assert 'data-testid="balance-date-form"' in body


def test_without_a_date_the_balance_is_as_of_today(people, login, client, case, published_rates):
    rates.add_rate(people.admin, "ecb", date(2026, 7, 1), 215)
    login(people.creditor_user)
    response = client.get(CREDITOR_PAGE.format(case.reference))

    assert "Solde au 23/11/2026" in text(response)
    assert 'name="au" value="2026-11-23"' in response.get_data(as_text=True)


def test_a_date_that_is_not_one_falls_back_to_today_and_says_so(
    people, login, client, case, published_rates
):
    login(people.agent)
    response = client.get(AGENCY_PAGE.format(case.reference) + "?au=31/12/2024")
    page_text = text(response)

    assert response.status_code == 200
    assert "Date invalide : le solde est calculé à la date du jour." in page_text
    assert "Solde au 23/11/2026" in page_text


@pytest.mark.parametrize("persona", ["supervisor", "agent", "creditor_user"])
def test_a_missing_rate_shows_a_warning_naming_the_semester_instead_of_figures(
    people, login, client, case, published_rates, persona
):
    login(getattr(people, persona))
    page = AGENCY_PAGE if persona != "creditor_user" else CREDITOR_PAGE
    response = client.get(page.format(case.reference))
    page_text = text(response)
    body = response.get_data(as_text=True)

    assert response.status_code == 200
    assert (
        "Taux manquant : taux BCE pour le semestre 2026 S2. Ajoutez-le au barème avant de "
        "calculer." in page_text
    )
    assert 'data-testid="balance-table"' not in body
    # Only a manager can fix it, so only a manager gets the link to the rate table.
    assert ('href="/agence/taux"' in body.split('data-testid="missing-rate"')[1]) is (
        persona == "supervisor"
    )


def test_an_empty_rate_table_is_a_missing_rate_too(people, login, client, case):
    login(people.agent)
    page_text = text(client.get(AGENCY_PAGE.format(case.reference) + "?au=2024-12-31"))
    assert "Taux manquant : taux BCE pour le semestre 2024 S1." in page_text


def test_another_creditor_cannot_see_the_balance(people, login, client, case, published_rates):
    login(people.other_creditor_user)
    response = client.get(CREDITOR_PAGE.format(case.reference) + "?au=2024-12-31")
    assert response.status_code == 404
    assert "11 119,86" not in text(response)


def test_a_consumer_without_a_formal_notice_owes_no_interest(
    people, login, client, consumer_case, published_rates
):
    login(people.creditor_user)
    page_text = text(client.get(CREDITOR_PAGE.format(consumer_case.reference) + "?au=2024-12-31"))

    assert "Total 10 000,00 € 0,00 € 0,00 € 0,00 € 0,00 € 10 000,00 €" in page_text
    assert "Pas d'intérêts : aucune mise en demeure reçue" in page_text
    assert "Indemnité forfaitaire" not in page_text


def test_the_agency_records_the_formal_notice_and_both_portals_show_legal_interest(
    people, login, client, consumer_case, published_rates
):
    """Notice received 2024-06-30: 184 days at 4.92 % on 10,000.00 = 248.02."""
    login(people.agent)
    response = client.post(
        f"/agence/dossiers/{consumer_case.reference}/mise-en-demeure",
        data={"notice-received_on": "2024-06-30"},
    )
    assert response.status_code == 302
    page_text = text(client.get(AGENCY_PAGE.format(consumer_case.reference) + "?au=2024-12-31"))
    assert "Date de réception de la mise en demeure enregistrée." in page_text
    assert "Total 10 000,00 € 248,02 € 0,00 € 0,00 € 0,00 € 10 248,02 €" in page_text

    client.post("/deconnexion")
    login(people.creditor_user)
    page_text = text(client.get(CREDITOR_PAGE.format(consumer_case.reference) + "?au=2024-12-31"))
    assert "Total 10 000,00 € 248,02 € 0,00 € 0,00 € 0,00 € 10 248,02 €" in page_text
    assert (
        "Intérêts au taux légal à compter du lendemain de la réception de la mise en demeure "
        "(reçue le 30/06/2024)" in page_text
    )
    assert "Mise en demeure reçue par le débiteur le 30/06/2024" in page_text


def test_a_formal_notice_in_the_future_is_refused_next_to_the_field(
    people, login, client, consumer_case
):
    login(people.agent)
    response = client.post(
        f"/agence/dossiers/{consumer_case.reference}/mise-en-demeure",
        data={"notice-received_on": "2026-12-01"},
    )
    page_text = text(response)

    assert response.status_code == 422
    assert "La date de réception ne peut pas être dans le futur." in page_text
    assert 'value="2026-12-01"' in response.get_data(as_text=True)
    assert consumer_case.formal_notice_received_on is None


def test_an_insolvency_procedure_stops_the_indemnity(
    people, login, client, case, published_rates, today
):
    casework.move_stage(
        people.agent, case, pipeline.INSOLVENCY, reason="Redressement judiciaire.", today=today
    )
    login(people.creditor_user)
    page_text = text(client.get(CREDITOR_PAGE.format(case.reference) + "?au=2024-12-31"))

    assert "Total 10 000,00 € 1 079,86 € 0,00 € 0,00 € 0,00 € 11 079,86 €" in page_text
    assert "Pas d'indemnité forfaitaire : une procédure collective empêche le paiement." in (
        page_text
    )


def test_the_creditors_contractual_rate_is_named_under_the_balance(
    people, login, client, case, published_rates
):
    people.creditor.contractual_rate_bp = 2000
    db.session.commit()
    login(people.agent)
    page_text = text(client.get(AGENCY_PAGE.format(case.reference) + "?au=2024-12-31"))

    assert "Taux contractuel du créancier : 20,00 %" in page_text
    assert "1 506,85 €" in page_text
