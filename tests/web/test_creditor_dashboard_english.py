"""The dashboard in English: labels, amounts and exports follow the user's language."""

from datetime import date

import pytest

from app.services import casework
from tests import factories
from tests.web.test_english_locale import assert_english_page, read_catalog


@pytest.fixture
def english(client):
    client.post("/langue/en")
    return client


def test_the_dashboard_is_in_english_on_the_home_page_and_in_its_exports(
    people, login, english, frozen_today, today
):
    catalog = read_catalog()
    case = factories.make_case(
        people.creditor_user,
        invoices=[factories.invoice("F-1", 120_000, issued=date(2026, 6, 1), days=30)],
        today=today,
    )
    casework.accept_case(people.agent, case, today=today)
    login(people.creditor_user)
    page = english.get("/creancier/")
    assert_english_page(
        page,
        catalog,
        "Outstanding by stage",
        "Ageing of unpaid amounts",
        "91 to 180 days",
        "€1,200.00",
        data={people.creditor.legal_name},
    )
    export = english.get("/creancier/tableau-de-bord/anciennete.csv").get_data(as_text=True)
    assert export.startswith("\ufeffDays past due;Balance due\r\n")
    assert "91 to 180 days;1200,00" in export  # the file keeps the French number format
