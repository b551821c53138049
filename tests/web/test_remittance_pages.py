"""Statements on screen and in a spreadsheet: the agency issues them, the creditor reads its own."""

from __future__ import annotations

from datetime import date

import pytest

from app.services import casework, payments
from tests import factories
from tests.helpers import page_text as text

pytestmark = pytest.mark.usefixtures("frozen_today")


def _collected_case(people, creditor_user, number, cents, paid, today):
    """A case of one invoice due 01/07/2026, accepted, with these (cents, day) transfers."""
    case = factories.make_case(
        creditor_user,
        invoices=[factories.invoice(number, cents, issued=date(2026, 6, 1), days=30)],
        today=today,
    )
    casework.accept_case(people.agent, case, today=today)
    for amount, day in paid:
        payments.record_payment(
            people.agent, case, amount_cents=amount, received_on=day, method="transfer", today=today
        )
    return case


@pytest.fixture
def collected(people, today, rates_to_date):
    """500.00 on 2026-10-01 and 300.00 on 2026-11-10, collected at 12 %."""
    paid = ((50_000, date(2026, 10, 1)), (30_000, date(2026, 11, 10)))
    return _collected_case(people, people.creditor_user, "F-1", 120_000, paid, today)


def test_a_supervisor_issues_a_statement_and_lands_on_it(people, login, client, collected):
    login(people.supervisor)
    page = text(client.get("/agence/reversements"))
    assert "Boulangerie Dupont SAS" in page and "684,80 €" in page
    assert "R124-6 : délai dépassé" in page  # the 500.00 has waited more than a month

    response = client.post(f"/agence/reversements/{people.creditor.id}", follow_redirects=True)

    page = text(response)
    assert "à virer à Boulangerie Dupont SAS" in page
    assert page.count('data-testid="statement-line"') == 2
    assert "684,80 €" in page
    after = text(client.get("/agence/reversements"))
    assert 'data-testid="nothing-pending"' in after
    assert "R124-6" not in after


def test_an_agent_sees_what_is_due_but_cannot_issue_it(people, login, client, collected):
    login(people.agent)

    page = text(client.get("/agence/reversements"))

    assert "684,80 €" in page
    assert "Émettre le relevé" not in page
    assert "Un superviseur émet les relevés et les virements." in page


def test_the_creditor_reads_its_statement_and_downloads_it_for_a_spreadsheet(
    people, login, client, collected
):
    login(people.supervisor)
    client.post(f"/agence/reversements/{people.creditor.id}")
    client.post("/deconnexion")
    login(people.creditor_user)

    listing = text(client.get("/creancier/releves"))
    assert 'data-testid="remittance-row"' in listing
    statement_id = int(listing.split("/creancier/releves/")[1].split('"')[0])
    page = text(client.get(f"/creancier/releves/{statement_id}"))
    assert "684,80 €" in page and collected.reference in page

    download = client.get(f"/creancier/releves/{statement_id}.csv")

    assert download.mimetype == "text/csv"
    assert "attachment" in download.headers["Content-Disposition"]
    body = download.get_data().decode("utf-8")
    assert body.startswith("\ufeffDate;Dossier;Débiteur;")
    row = ";".join(
        ["01/10/2026", collected.reference, "Client Mauvais Payeur SARL", "Virement", "agence"]
        + ["500,00", "-60,00", "-12,00", "0,00", "428,00"]
    )
    assert row in body
    assert body.rstrip().endswith("Total à reverser;;;;;;;684,80")


def test_the_creditor_home_shows_collected_commission_and_what_is_to_remit(
    people, login, client, collected
):
    login(people.creditor_user)

    page = text(client.get("/creancier/"))

    assert "800,00 €" in page  # collected by the agency
    assert "115,20 €" in page  # 96.00 commission + 19.20 VAT
    assert "684,80 €" in page  # to remit


@pytest.fixture
def other_collected(people, today, collected):
    """The other creditor is owed something too: 100.00 collected today."""
    paid = ((10_000, today),)
    return _collected_case(people, people.other_creditor_user, "O-1", 90_000, paid, today)


def test_what_is_due_is_listed_a_page_of_creditors_at_a_time(
    people, login, client, app, other_collected, monkeypatch
):
    """Thousands of creditors can be owed something: each row builds a statement, so the list
    is paged (25 a page; 1 here) and says how many creditors are waiting."""
    monkeypatch.setitem(app.config, "CASES_PER_PAGE", 1)
    login(people.supervisor)

    first = text(client.get("/agence/reversements"))
    second = text(client.get("/agence/reversements?a_reverser=2"))

    assert "(2 créanciers)" in first
    assert first.count('data-testid="pending-row"') == 1
    assert second.count('data-testid="pending-row"') == 1
    names = {people.creditor.legal_name, people.other_creditor.legal_name}
    shown = {name for name in names if name in first} | {name for name in names if name in second}
    assert shown == names
    assert "a_reverser=2" in first and "Page 1 sur 2" in first


def test_issued_statements_are_filtered_by_a_typed_creditor_name_or_a_link(
    people, login, client, other_collected
):
    login(people.supervisor)
    for creditor in (people.creditor, people.other_creditor):
        client.post(f"/agence/reversements/{creditor.id}")

    mine, theirs = people.creditor.legal_name, people.other_creditor.legal_name
    everything = text(client.get("/agence/reversements"))
    typed = text(client.get(f"/agence/reversements?creditor_name={mine.split()[0]}"))
    linked = text(client.get(f"/agence/reversements?creditor={people.other_creditor.id}"))

    assert everything.count('data-testid="remittance-row"') == 2
    assert typed.count('data-testid="remittance-row"') == 1 and mine in typed
    assert linked.count('data-testid="remittance-row"') == 1 and theirs in linked
    assert f'value="{theirs}' in linked  # the field shows whom the link filtered on
    assert "<option" not in everything.split('role="search"')[1].split("</form>")[0]
