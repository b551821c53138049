"""The supervisor's deadline board shows an order for payment whose service deadline is in ten
days, with the case to open."""

from datetime import date

import pytest
from playwright.sync_api import expect

from app.services import casework, judicial
from tests.e2e.test_first_path import log_in

pytestmark = pytest.mark.e2e


def test_the_supervisor_sees_an_order_to_serve_within_ten_days(
    page, live_server, people, screenshots, amicable_case, today, frozen_today
):
    casework.record_judicial_approval(people.supervisor, amicable_case, note="Accord écrit.")
    casework.move_stage(
        people.supervisor, amicable_case, "judicial", reason="Relances sans effet.", today=today
    )
    order = judicial.start_procedure(
        people.agent, amicable_case, kind="payment_order", court_name="Tribunal de commerce de Lyon"
    )
    judicial.record_step(
        people.agent, order, kind="filed", occurred_on=date(2026, 8, 20), note="", today=today
    )
    # Dated 3 September 2026: 3 months to serve it, until 3 December, ten days from today.
    judicial.record_step(
        people.agent,
        order,
        kind="order_obtained",
        occurred_on=date(2026, 9, 3),
        note="",
        today=today,
    )
    reference = amicable_case.reference

    log_in(page, live_server, people.supervisor)
    page.get_by_test_id("nav-management").click()  # the supervision menu
    page.get_by_test_id("nav-deadlines").click()
    row = page.get_by_test_id("deadline-row")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Dans 10 jours")
    expect(row).to_contain_text("03/12/2026")
    expect(row).to_contain_text("Signifier l'ordonnance")
    expect(row).to_contain_text(reference)
    screenshots(page, "deadline-board")
    row.get_by_role("link", name=reference).click()
    expect(page).to_have_url(f"{live_server}/agence/dossiers/{reference}")
