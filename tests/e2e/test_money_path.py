"""Money in a real browser: an agent records a cheque, sees where it went, reverses it after a
confirmation; the creditor follows every step (R124-5)."""

from datetime import date

import pytest
from playwright.sync_api import expect

from app.services import casework
from tests import factories
from tests.e2e.test_first_path import log_in, log_out

pytestmark = pytest.mark.e2e


def test_an_agent_records_then_reverses_a_cheque_and_the_creditor_sees_both(
    page, live_server, people, screenshots, rates_to_date, today
):
    case = factories.make_case(
        people.creditor_user,
        invoices=[factories.invoice("F-2026-201", 120_000, issued=date(2026, 6, 1), days=30)],
        today=today,
    )
    casework.accept_case(people.agent, case, today=today)
    reference = case.reference

    log_in(page, live_server, people.agent)
    page.goto(f"{live_server}/agence/dossiers/{reference}")
    panel = page.get_by_test_id("payment-panel")
    panel.get_by_label("Montant reçu").fill("500,00")
    panel.get_by_label("Reçu le").fill("2026-10-01")
    panel.get_by_label("Moyen de paiement").select_option("cheque")
    panel.get_by_label("Référence").fill("Chèque n° 0012345")
    panel.get_by_role("button", name="Enregistrer le paiement").click()

    expect(page.get_by_text("Paiement de 500,00 € enregistré.")).to_be_visible()
    allocation = page.get_by_test_id("payment-allocation")
    expect(allocation).to_contain_text("indemnité 40,00 €")
    expect(allocation).to_contain_text("intérêts 36,75 €")
    expect(allocation).to_contain_text("principal 423,25 €")
    screenshots(page, "agent-payment-recorded")

    page.get_by_test_id("reverse-link").click()
    page.get_by_label("Motif").select_option("bounced_cheque")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Annuler le paiement").click()
    expect(page.get_by_test_id("payment-reversed")).to_be_visible()
    screenshots(page, "agent-payment-reversed")
    log_out(page)

    log_in(page, live_server, people.creditor_user)
    page.goto(f"{live_server}/creancier/dossiers/{reference}")
    timeline = page.get_by_test_id("timeline")
    expect(timeline).to_contain_text("Paiement reçu : 500,00 € le 01/10/2026")
    expect(timeline).to_contain_text("Paiement annulé : 500,00 € du 01/10/2026")
    expect(page.get_by_test_id("reverse-link")).to_have_count(0)
    screenshots(page, "creditor-sees-payments")
