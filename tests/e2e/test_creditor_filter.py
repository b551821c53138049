"""An agent filters the work queue by creditor: typing a few letters suggests the matching
creditors (fetched from the server: the page carries no list of every creditor), and choosing
one shows only that creditor's cases."""

import pytest
from playwright.sync_api import expect

from app.extensions import db
from tests import factories
from tests.e2e.test_first_path import log_in

pytestmark = pytest.mark.e2e


def test_typing_suggests_creditors_and_choosing_one_filters_the_queue(
    page, live_server, people, screenshots, frozen_today
):
    ours = factories.make_case(people.creditor_user)
    theirs = factories.make_case(
        people.other_creditor_user, debtor=factories.debtor_input(siren=factories.VALID_SIRENS[1])
    )
    db.session.commit()

    log_in(page, live_server, people.agent)
    field = page.get_by_label("Créancier")
    field.click()
    field.press_sequentially("gar", delay=50)
    options = page.locator("#creditor-suggestions option")
    expect(options).to_have_count(1)
    expect(options.first).to_have_attribute("value", "Garage Martin SARL")
    field.fill("Garage Martin SARL")
    screenshots(page, "creditor-filter")
    page.get_by_role("button", name="Filtrer").click()

    expect(page.locator(f'[data-reference="{theirs.reference}"]')).to_have_count(1)
    expect(page.locator(f'[data-reference="{ours.reference}"]')).to_have_count(0)
    expect(page.get_by_label("Créancier")).to_have_value("Garage Martin SARL")
