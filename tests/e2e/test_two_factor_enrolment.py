"""In a real browser: a supervisor without a second factor is taken to the enrolment page after
the password, scans (here: reads) the key, types a code, and reaches the back-office."""

import pytest
from playwright.sync_api import expect

from app.extensions import db
from app.services import two_factor
from tests import factories

pytestmark = pytest.mark.e2e


def test_a_supervisor_enrols_then_reaches_the_back_office(page, live_server, people, screenshots):
    people.supervisor.totp_secret = None
    people.supervisor.totp_confirmed_at = None
    db.session.commit()
    page.goto(f"{live_server}/connexion")
    page.get_by_label("Adresse e-mail").fill(people.supervisor.email)
    page.get_by_label("Mot de passe").fill(factories.PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/compte/double-authentification")
    expect(page.get_by_test_id("totp-qr").locator("svg")).to_be_visible()
    screenshots(page, "enrolment")
    secret = page.get_by_test_id("totp-secret").inner_text()
    page.get_by_label("Code à 6 chiffres").fill(two_factor.code_at(secret))
    page.get_by_role("button", name="Activer").click()
    expect(page.get_by_text("Double authentification activée.")).to_be_visible()
    page.wait_for_url("**/agence/")
    screenshots(page, "back-office")
