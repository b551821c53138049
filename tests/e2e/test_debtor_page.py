"""The debtor on a phone: open the link, answer the check, read what is owed (screenshots at
360 px wide)."""

from datetime import date

import pytest
from playwright.sync_api import expect

from app.services import casework, debtor_access
from tests import factories

pytestmark = pytest.mark.e2e


def test_a_debtor_on_a_phone_opens_the_link_and_sees_the_balance(
    page, live_server, people, screenshots, rates_to_date, today
):
    case = factories.make_case(
        people.creditor_user,
        invoices=[factories.invoice("F-2026-301", 120_000, issued=date(2026, 6, 1), days=30)],
        today=today,
    )
    casework.accept_case(people.agent, case, today=today)
    token = debtor_access.create_link(people.agent, case)
    page.set_viewport_size({"width": 360, "height": 780})

    page.goto(f"{live_server}/p/{token}")
    expect(page.get_by_text("indiquez le numéro SIREN de votre entreprise")).to_be_visible()
    screenshots(page, "debtor-check-phone")
    page.get_by_test_id("check-form").locator("input[name=answer]").fill("732 829 320")
    page.get_by_role("button", name="Continuer").click()

    expect(page.get_by_test_id("who")).to_contain_text("pour le compte de Boulangerie Dupont SAS")
    expect(page.get_by_test_id("outstanding")).to_be_visible()
    expect(page.get_by_test_id("why")).to_contain_text("taux de la BCE + 10 points")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360  # nothing wider than the phone
    screenshots(page, "debtor-page-phone")
