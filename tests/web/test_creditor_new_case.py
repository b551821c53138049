"""A creditor submits a new case from the portal: debtor, invoice rows, supporting files."""

import io
from datetime import date

import sqlalchemy as sa

from app.extensions import db
from app.models import Case, Debtor, Document, Invoice
from tests import factories


def new_case_form(**overrides):
    """A valid new-case POST for a new company debtor with one invoice row."""
    data = {
        "debtor_mode": "new",
        "debtor-kind": "company",
        "debtor-name": "Client Mauvais Payeur SARL",
        "debtor-siren": "732 829 320",
        "debtor-address_line1": "12 avenue des Champs",
        "debtor-address_line2": "Bâtiment B",
        "debtor-postal_code": "69001",
        "debtor-city": "Lyon",
        "debtor-country": "FR",
        "debtor-email": "compta@mauvais-payeur.example",
        "debtor-phone": "04 72 00 00 00",
        "invoices-0-number": "F-2026-001",
        "invoices-0-issue_date": "2026-06-01",
        "invoices-0-due_date": "2026-07-01",
        "invoices-0-amount": "1 234,56",
        "invoices-0-paid": "",
        "uploads-0-kind": "invoice",
    }
    data.update(overrides)
    return data


def post_new_case(client, data):
    return client.post("/creancier/dossiers/nouveau", data=data, content_type="multipart/form-data")


def test_the_form_offers_one_invoice_row_one_file_slot_and_the_accepted_types(people, login):
    page = login(people.creditor_user).get("/creancier/dossiers/nouveau")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'name="invoices-0-number"' in html
    assert 'name="uploads-0-file"' in html
    assert 'accept=".pdf,.png,.jpg,.jpeg,.docx,.xlsx"' in html
    assert "invoices-__index__-number" in html  # the row template the script clones
    assert "Ajouter une facture" in html and "Retirer" in html
    assert "creditor_new_case.js" in html
    assert "Conditions générales de vente" in html  # document kinds, labelled in French


def test_a_creditor_submits_a_case_with_two_invoices_and_a_pdf(people, login):
    client = login(people.creditor_user)
    data = new_case_form(
        **{
            "invoices-1-number": "F-2026-002",
            "invoices-1-issue_date": "15/06/2026",
            "invoices-1-due_date": "15/07/2026",
            "invoices-1-amount": "500.50",
            "invoices-1-paid": "100",
            "uploads-0-file": (io.BytesIO(factories.minimal_pdf()), "facture F-2026-001.pdf"),
            "uploads-0-kind": "invoice",
        }
    )
    response = post_new_case(client, data)

    case = db.session.scalars(sa.select(Case)).one()
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/creancier/dossiers/{case.reference}")
    assert case.creditor_id == people.creditor.id
    assert case.stage == "intake"
    assert case.claim_cents == 123_456 + 50_050 - 10_000
    assert case.debtor.name == "Client Mauvais Payeur SARL"
    assert case.debtor.siren == "732829320"
    assert case.debtor.phones == ["+33472000000"]
    invoices = {i.number: i for i in case.invoices}
    assert invoices["F-2026-001"].amount_cents == 123_456
    assert invoices["F-2026-001"].paid_cents == 0
    assert invoices["F-2026-002"].issue_date == date(2026, 6, 15)
    assert invoices["F-2026-002"].paid_cents == 10_000
    [document] = case.documents
    assert document.original_name == "facture F-2026-001.pdf"
    assert document.kind == "invoice"
    assert document.content_type == "application/pdf"

    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"Dossier {case.reference} transmis à l&#39;agence." in page
    assert "Client Mauvais Payeur SARL" in page
    assert "F-2026-002" in page
    assert "1 234,56" in page.replace("\u202f", " ").replace("\xa0", " ")
    assert "facture F-2026-001.pdf" in page
    assert "Réception" in page


def test_a_creditor_files_a_new_case_against_one_of_its_debtors(people, login, today):
    first = factories.make_case(people.creditor_user, today=today)
    client = login(people.creditor_user)
    data = {
        "debtor_mode": "existing",
        "debtor_id": str(first.debtor_id),
        "invoices-0-number": "F-2026-050",
        "invoices-0-issue_date": "2026-09-01",
        "invoices-0-due_date": "2026-10-01",
        "invoices-0-amount": "300",
    }
    response = post_new_case(client, data)

    assert response.status_code == 302
    cases = db.session.scalars(sa.select(Case).order_by(Case.id)).all()
    assert len(cases) == 2
    assert cases[1].debtor_id == first.debtor_id
    assert db.session.scalar(sa.select(sa.func.count(Debtor.id))) == 1


def test_my_debtors_are_offered_in_the_select_and_others_are_not(people, login, today):
    factories.make_case(people.creditor_user, debtor=factories.debtor_input("Mon Client SA"))
    factories.make_case(
        people.other_creditor_user, debtor=factories.debtor_input("Leur Client SAS")
    )
    html = login(people.creditor_user).get("/creancier/dossiers/nouveau").get_data(as_text=True)
    assert "Mon Client SA" in html
    assert "Leur Client SAS" not in html


def test_new_case_for_this_debtor_preselects_it(people, login, today):
    case = factories.make_case(people.creditor_user, today=today)
    html = (
        login(people.creditor_user)
        .get(f"/creancier/dossiers/nouveau?debiteur={case.debtor_id}")
        .get_data(as_text=True)
    )
    assert f'<option selected value="{case.debtor_id}">' in html
    assert '<input checked class="form-check-input" id="debtor_mode-0"' in html


def test_choosing_to_pick_a_debtor_without_picking_one_is_refused(people, login, today):
    factories.make_case(people.creditor_user, today=today)
    data = new_case_form(debtor_mode="existing", debtor_id="")
    response = post_new_case(login(people.creditor_user), data)
    assert response.status_code == 422
    assert "Choisissez un débiteur." in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Case.id))) == 1


def test_a_removed_middle_row_does_not_leave_a_gap(people, login):
    # The script removed row 1 of three: the server receives rows 0 and 2.
    data = new_case_form(
        **{
            "invoices-2-number": "F-2026-003",
            "invoices-2-issue_date": "2026-06-01",
            "invoices-2-due_date": "2026-07-01",
            "invoices-2-amount": "10",
        }
    )
    response = post_new_case(login(people.creditor_user), data)
    assert response.status_code == 302
    numbers = db.session.scalars(sa.select(Invoice.number).order_by(Invoice.number)).all()
    assert numbers == ["F-2026-001", "F-2026-003"]


def test_an_individual_debtor_needs_no_siren(people, login):
    data = new_case_form(
        **{"debtor-kind": "individual", "debtor-name": "Jean Dupuis", "debtor-siren": ""}
    )
    response = post_new_case(login(people.creditor_user), data)
    assert response.status_code == 302
    debtor = db.session.scalars(sa.select(Debtor)).one()
    assert debtor.kind == "individual" and debtor.siren is None


def test_a_document_row_left_empty_is_ignored(people, login):
    response = post_new_case(login(people.creditor_user), new_case_form())
    assert response.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(Document.id))) == 0
