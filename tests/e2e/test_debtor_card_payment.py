"""A debtor pays part of the balance by card on a phone, against localstripe: the payment is
recorded from the signed webhook, once, in the balance, the ledger and the timeline, and the
debtor opens its receipt."""

from __future__ import annotations

import time
from datetime import date

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from app.extensions import db
from app.models import Payment, TimelineEntry
from app.services import casework, debtor_access
from app.services import ledger as books
from tests import factories

pytestmark = pytest.mark.e2e


def test_a_debtor_pays_part_of_the_balance_by_card(
    page, live_server, people, screenshots, rates_to_date, today
):
    case = factories.make_case(
        people.creditor_user,
        invoices=[factories.invoice("F-2026-401", 120_000, issued=date(2026, 6, 1), days=30)],
        today=today,
    )
    casework.accept_case(people.agent, case, today=today)
    token = debtor_access.create_link(people.agent, case)
    page.set_viewport_size({"width": 360, "height": 780})

    page.goto(f"{live_server}/p/{token}")
    page.get_by_test_id("check-form").locator("input[name=answer]").fill("732829320")
    page.get_by_role("button", name="Continuer").click()
    page.locator("#card-amount").fill("300,00")
    card = page.get_by_test_id("card-element")
    card.get_by_placeholder("number").fill("4242424242424242")
    card.get_by_placeholder("exp_month").fill("12")
    card.get_by_placeholder("exp_year").fill("30")
    card.get_by_placeholder("cvc").fill("123")
    card.get_by_placeholder("postal_code").fill("33000")
    screenshots(page, "debtor-card-filled-phone")
    page.get_by_role("button", name="Payer par carte").click()

    expect(page.get_by_text("Paiement", exact=False).first).to_be_visible()
    # The webhook arrives about a second later; the page then says the payment is received.
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        db.session.expire_all()
        if db.session.scalar(sa.select(Payment)) is not None:
            break
        time.sleep(0.3)
    page.reload()
    expect(page.get_by_test_id("payment-received")).to_be_visible()
    screenshots(page, "debtor-card-received-phone")

    # The debtor keeps a receipt (R124-6) and sees the payment in what is owed.
    page.get_by_test_id("receipt-link").click()
    receipt = page.get_by_test_id("receipt")
    expect(receipt).to_contain_text("Reçu de paiement")
    expect(receipt).to_contain_text("la somme de 300,00 €")
    screenshots(page, "debtor-card-receipt-phone")
    page.goto(f"{live_server}/p/{token}")
    paid = page.get_by_test_id("owed").locator("dt", has_text="Déjà payé")
    expect(paid.locator("xpath=following-sibling::dd[1]")).to_have_text("− 300,00 €")
    screenshots(page, "debtor-case-after-payment-phone")

    (payment,) = db.session.scalars(sa.select(Payment)).all()
    assert (payment.amount_cents, payment.method) == (30_000, "card")
    assert payment.idempotency_key.startswith("stripe:")
    assert books.verify() == []
    entries = db.session.scalars(
        sa.select(TimelineEntry).where(TimelineEntry.kind == "payment_received")
    ).all()
    assert len(entries) == 1 and entries[0].visible_to_creditor  # the creditor is told
