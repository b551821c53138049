"""The CSP in a real browser: the main pages of each face (login, the agent's queue and case
page, the creditor's home with its charts and the new case form, the debtor's page with the
card form on localstripe) run under the policy with no violation reported, and still work."""

from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from app.extensions import db
from app.services import casework, debtor_access, payments
from tests import factories
from tests.e2e.test_first_path import log_in

pytestmark = pytest.mark.e2e

# Reported by the page itself (the event) and by Chromium (its console error); either fails.
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", function (event) {
  console.error("CSP-VIOLATION " + event.violatedDirective + " " + event.blockedURI
                + " " + (event.sourceFile || "") + ":" + event.lineNumber);
});
"""
VIOLATION = re.compile(r"CSP-VIOLATION|Content Security Policy|Refused to", re.IGNORECASE)


@pytest.fixture
def violations(page):
    found: list[str] = []
    page.add_init_script(REPORT_VIOLATIONS)
    page.on(
        "console", lambda message: VIOLATION.search(message.text) and found.append(message.text)
    )
    return found


@pytest.fixture
def page_errors(page):
    """Uncaught script errors: a script the CSP broke halfway would show here."""
    found: list[str] = []
    page.on("pageerror", lambda error: found.append(f"{error} {error.stack}"))
    return found


@pytest.fixture
def case(people, today, rates_to_date):
    case = factories.make_case(
        people.creditor_user,
        invoices=[factories.invoice("F-2026-501", 120_000, issued=date(2026, 6, 1), days=30)],
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
    db.session.commit()
    return case


def test_the_agency_pages_run_under_the_csp(
    page, live_server, people, case, violations, page_errors
):
    page.goto(f"{live_server}/connexion")
    expect(page.get_by_role("heading", name="Connexion")).to_be_visible()
    log_in(page, live_server, people.agent)
    expect(page.get_by_test_id("current-user")).to_be_visible()
    page.goto(f"{live_server}/agence/")
    expect(page.get_by_role("link", name="Dossiers").first).to_be_visible()
    page.goto(f"{live_server}/agence/dossiers/{case.reference}")
    expect(page.get_by_test_id("call-form")).to_be_visible()
    # The navbar's dropdown (Bootstrap's JS) still opens for a manager.
    page.goto(f"{live_server}/agence/automatisation")
    assert violations == [], "\n".join(violations)
    assert page_errors == [], "\n".join(page_errors)


def test_the_creditor_home_draws_its_charts_under_the_csp(
    page, live_server, people, case, violations, page_errors, frozen_today
):
    log_in(page, live_server, people.creditor_user)
    page.goto(f"{live_server}/creancier/")
    for chart in ("stages", "ageing", "months"):
        expect(page.get_by_test_id(f"chart-{chart}")).to_have_attribute("data-drawn", "true")
    box = page.get_by_test_id("chart-months").bounding_box()
    assert box and box["width"] > 100 and box["height"] > 100
    page.goto(f"{live_server}/creancier/dossiers/nouveau")
    expect(page.locator("form").first).to_be_visible()
    page.goto(f"{live_server}/creancier/dossiers/{case.reference}")
    expect(page.get_by_text(case.reference).first).to_be_visible()
    assert violations == [], "\n".join(violations)
    assert page_errors == [], "\n".join(page_errors)


def test_the_debtor_pays_by_card_on_localstripe_under_the_csp(
    page, live_server, people, case, violations, frozen_today
):
    token = debtor_access.create_link(people.agent, case)
    db.session.commit()
    page.goto(f"{live_server}/p/{token}")
    page.get_by_test_id("check-form").locator("input[name=answer]").fill("732829320")
    page.get_by_role("button", name="Continuer").click()
    page.locator("#card-amount").fill("100,00")
    card = page.get_by_test_id("card-element")
    card.get_by_placeholder("number").fill("4242424242424242")
    card.get_by_placeholder("exp_month").fill("12")
    card.get_by_placeholder("exp_year").fill("30")
    card.get_by_placeholder("cvc").fill("123")
    card.get_by_placeholder("postal_code").fill("33000")
    page.get_by_role("button", name="Payer par carte").click()
    # Stripe.js reached localstripe (connect-src) and the server charged the card: the page
    # moved on to the confirmation, with no error under the form.
    expect(page).not_to_have_url(re.compile(rf"/p/{token}$"), timeout=15_000)
    expect(page.locator("#card-error")).to_have_count(0)
    assert violations == [], "\n".join(violations)


def test_the_admin_reaches_the_audit_log_through_the_menu_under_the_csp(
    page, live_server, people, case, violations, page_errors
):
    log_in(page, live_server, people.admin)
    page.goto(f"{live_server}/agence/")
    # Bootstrap's dropdown (our vendored JS) opens under the policy.
    page.get_by_test_id("nav-management").click()
    page.get_by_test_id("nav-audit-log").click()
    expect(page.get_by_role("heading", name="Journal d'audit")).to_be_visible()
    page.get_by_label("Dossier (référence)").fill(case.reference)
    page.get_by_role("button", name="Filtrer").click()
    expect(page.get_by_test_id("audit-row").first).to_be_visible()
    assert violations == [], "\n".join(violations)
    assert page_errors == [], "\n".join(page_errors)
