"""The creditor approves a payment plan the agency could not grant alone, then finds its
recovery figures on the home page: charts drawn by the vendored Chart.js, tables beside them."""

from datetime import date

import pytest
from playwright.sync_api import expect

from app.extensions import db
from app.services import casework, payments, plans
from tests import factories
from tests.e2e.test_first_path import log_in

pytestmark = pytest.mark.e2e


def test_the_creditor_approves_a_plan_then_sees_its_dashboard_charts(
    page, live_server, people, screenshots, rates_to_date, today, frozen_today
):
    # frozen_today: the live server runs in this process, so its pages use the test's day too.
    case = factories.make_case(
        people.creditor_user,
        invoices=[factories.invoice("F-2026-301", 120_000, issued=date(2026, 6, 1), days=30)],
        today=today,
    )
    casework.accept_case(people.agent, case, today=today)
    payments.record_payment(
        people.agent,
        case,
        amount_cents=30_000,
        received_on=date(2026, 11, 10),
        method="transfer",
        today=today,
    )
    # 24 monthly installments: beyond the default policy, so the creditor must approve it.
    plan = plans.propose_plan(
        people.agent,
        case,
        down_payment_cents=0,
        installment_count=24,
        frequency="monthly",
        first_due_on=today,
        today=today,
    )
    db.session.commit()
    assert plan.status == "awaiting_creditor"
    reference = case.reference

    log_in(page, live_server, people.creditor_user)
    page.goto(f"{live_server}/creancier/dossiers/{reference}")
    decision = page.get_by_test_id("plan-decision-form")
    expect(decision).to_be_visible()
    screenshots(page, "plan-awaiting-approval")
    decision.get_by_role("button", name="J'accepte l'échéancier").click()
    expect(page.get_by_text("Échéancier accepté.")).to_be_visible()
    expect(page.get_by_test_id("plan-decision-form")).to_have_count(0)
    screenshots(page, "plan-approved")

    page.goto(f"{live_server}/creancier/")
    dashboard = page.get_by_test_id("dashboard")
    expect(dashboard).to_be_visible()
    for chart in ("stages", "ageing", "months"):
        expect(page.get_by_test_id(f"chart-{chart}")).to_have_attribute("data-drawn", "true")
    expect(page.get_by_test_id("table-stages")).to_contain_text("900,00 €")
    expect(page.get_by_test_id("table-months")).to_contain_text("300,00 €")
    expect(page.get_by_test_id("kpi-rate")).to_contain_text("25,0 %")
    # A drawn chart is a canvas with pixels, not an empty box.
    box = page.get_by_test_id("chart-months").bounding_box()
    assert box and box["width"] > 100 and box["height"] > 100
    page.get_by_test_id("dashboard-months").scroll_into_view_if_needed()
    screenshots(page, "home-dashboard")

    with page.expect_download() as download_info:
        page.get_by_test_id("export-mois-csv").click()
    assert download_info.value.suggested_filename == "tableau-de-bord-mois.csv"
