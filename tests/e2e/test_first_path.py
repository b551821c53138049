"""The foundation's acceptance path, in a real browser: a creditor submits an overdue file, an
agent accepts it and logs a call with a promise, the creditor sees both in the timeline."""

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from tests import factories

pytestmark = pytest.mark.e2e


def log_in(page, base, user):
    page.goto(f"{base}/connexion")
    page.get_by_label("Adresse e-mail").fill(user.email)
    page.get_by_label("Mot de passe").fill(factories.PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    if user.totp_confirmed_at is not None:  # managers: the second factor's code
        page.wait_for_url("**/connexion/code")
        user.totp_last_counter = None
        from app.extensions import db

        db.session.commit()
        page.get_by_label("Code à 6 chiffres").fill(factories.totp_code(user))
        page.get_by_role("button", name="Valider").click()


def log_out(page):
    page.get_by_role("button", name="Déconnexion").click()
    expect(page.get_by_role("heading", name="Connexion")).to_be_visible()


def test_a_submitted_case_is_accepted_worked_and_followed_by_its_creditor(
    page, live_server, people, screenshots, tmp_path
):
    pdf = tmp_path / "facture-F-2026-101.pdf"
    pdf.write_bytes(factories.minimal_pdf())

    # The creditor submits a case with two invoices and a PDF.
    log_in(page, live_server, people.creditor_user)
    expect(page.get_by_role("link", name="Nouveau dossier").first).to_be_visible()
    screenshots(page, "creditor-home")
    page.goto(f"{live_server}/creancier/dossiers/nouveau")
    page.get_by_label("Nom ou raison sociale").fill("Transports Lebrun & Fils <SARL>")
    page.get_by_label("SIREN").fill(factories.VALID_SIRENS[1])
    page.get_by_label("Adresse", exact=True).fill("8 quai des Chartrons")
    page.get_by_label("Code postal").fill("33000")
    page.get_by_label("Ville").fill("Bordeaux")
    page.get_by_label("E-mail").fill("compta@lebrun.example")
    page.get_by_label("Téléphone").fill("05 56 00 00 00")
    page.locator('[name="invoices-0-number"]').fill("F-2026-101")
    page.locator('[name="invoices-0-issue_date"]').fill("2026-06-01")
    page.locator('[name="invoices-0-due_date"]').fill("2026-07-01")
    page.locator('[name="invoices-0-amount"]').fill("1 200,00")
    page.get_by_test_id("add-invoice").click()
    page.locator('[name="invoices-1-number"]').fill("F-2026-102")
    page.locator('[name="invoices-1-issue_date"]').fill("2026-07-01")
    page.locator('[name="invoices-1-due_date"]').fill("2026-07-31")
    page.locator('[name="invoices-1-amount"]').fill("850,50")
    page.locator('[name="invoices-1-paid"]').fill("50")
    page.locator('[name="uploads-0-file"]').set_input_files(str(pdf))
    screenshots(page, "creditor-new-case-filled")
    page.get_by_test_id("submit-case").click()

    expect(page.get_by_text("transmis à l'agence")).to_be_visible()
    reference = page.url.rstrip("/").rsplit("/", 1)[-1]
    assert reference.startswith("REC-")
    expect(page.get_by_text("Transports Lebrun & Fils <SARL>").first).to_be_visible()
    expect(page.get_by_text("facture-F-2026-101.pdf")).to_be_visible()
    expect(page.get_by_test_id("stage").first).to_have_text("Réception")
    screenshots(page, "creditor-case-submitted")
    log_out(page)

    # An agent finds it in the queue, accepts it and logs a call with a promise.
    log_in(page, live_server, people.agent)
    expect(page.get_by_role("link", name=reference)).to_be_visible()
    screenshots(page, "agent-queue")
    page.get_by_role("link", name=reference).click()
    page.get_by_role("button", name="Accepter le dossier").click()
    expect(page.get_by_test_id("stage").first).to_have_text("Amiable")

    promised_on = date.today() + timedelta(days=7)
    call = page.get_by_test_id("call-form")
    call.get_by_label("Résultat").select_option("promise_to_pay")
    call.get_by_label("Montant promis").fill("500,00")
    call.get_by_label("Date promise").fill(promised_on.isoformat())
    call.get_by_label("Durée (minutes)").fill("4")
    call.get_by_label("Notes (internes)").fill("Le gérant promet un virement, reste en attente.")
    screenshots(page, "agent-call-form")
    call.get_by_role("button", name="Enregistrer l'appel").click()
    expect(page.get_by_test_id("call-row")).to_have_count(1)
    expect(page.get_by_test_id("next-action")).to_contain_text(promised_on.strftime("%d/%m/%Y"))
    screenshots(page, "agent-case-worked")
    log_out(page)

    # The creditor sees the stage change and the call, but not the agent's internal notes.
    log_in(page, live_server, people.creditor_user)
    page.goto(f"{live_server}/creancier/dossiers/{reference}")
    expect(page.get_by_test_id("stage").first).to_have_text("Amiable")
    timeline = page.get_by_test_id("timeline")
    expect(timeline).to_contain_text("Réception → Amiable")
    expect(timeline).to_contain_text("promesse de paiement")
    expect(timeline).to_contain_text("500,00")
    expect(timeline).not_to_contain_text("Le gérant promet")
    screenshots(page, "creditor-sees-progress")


def test_the_new_case_form_fits_a_phone_screen(page, live_server, people, screenshots):
    page.set_viewport_size({"width": 360, "height": 740})
    log_in(page, live_server, people.creditor_user)
    page.goto(f"{live_server}/creancier/dossiers/nouveau")
    expect(page.get_by_test_id("submit-case")).to_be_visible()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page is {overflow}px wider than a 360px phone screen"
    screenshots(page, "new-case-phone")
