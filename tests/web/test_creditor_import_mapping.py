"""The column mapping: guessed from the file's column names, remembered per creditor and
proposed again with the next file; the template files; FEC and XLSX uploads."""

import io
from datetime import datetime

import sqlalchemy as sa
from openpyxl import Workbook, load_workbook

from app.domain import import_rows
from app.extensions import db
from app.models import Case, ImportBatch, ImportMapping
from app.services import intake
from tests import factories
from tests.helpers import page_text
from tests.web._import_helpers import batch_id_of, upload, upload_and_check

CUSTOM_HEADER = "Qui;Pièce;Le;Pour le;Combien;Où;CP;Ville;Sorte;Siren\n"
CUSTOM_ROW = "Dupont SA;Z-1;01/03/2026;31/03/2026;10,00;1 rue A;75001;Paris;entreprise;732829320\n"
CUSTOM_MAPPING = {
    "debtor_name": "Qui",
    "invoice_number": "Pièce",
    "issue_date": "Le",
    "due_date": "Pour le",
    "amount": "Combien",
    "address_line1": "Où",
    "postal_code": "CP",
    "city": "Ville",
    "debtor_kind": "Sorte",
    "siren": "Siren",
}


def test_the_mapping_page_shows_the_guess_from_the_column_names(client, login, people):
    login(people.creditor_user)
    batch_id = batch_id_of(upload(client, "invoices_latin1_semicolons.csv"))
    page = client.get(f"/creancier/import/{batch_id}/colonnes").get_data(as_text=True)
    assert '<option selected value="Date échéance">' in page or (
        'value="Date échéance" selected' in page
    )
    assert "Électricité Bréguet SA" in page_text(
        client.get(f"/creancier/import/{batch_id}/colonnes")
    )


def test_the_chosen_mapping_is_remembered_for_the_creditors_next_file(client, login, people):
    login(people.creditor_user)
    data = (CUSTOM_HEADER + CUSTOM_ROW).encode()
    upload_and_check(client, "a.csv", data, mapping=CUSTOM_MAPPING)
    remembered = db.session.scalars(sa.select(ImportMapping)).one()
    assert remembered.creditor_id == people.creditor.id
    assert remembered.mapping == CUSTOM_MAPPING

    second = batch_id_of(upload(client, "b.csv", data))
    assert db.session.get(ImportBatch, second).mapping == CUSTOM_MAPPING
    # Another creditor's file gets a guess, not this creditor's choice.
    client.post("/deconnexion")
    login(people.other_creditor_user)
    third = batch_id_of(upload(client, "c.csv", data))
    assert db.session.get(ImportBatch, third).mapping != CUSTOM_MAPPING


def test_an_xlsx_file_imports_like_a_csv(client, login, people, run_jobs):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append([label for _key, label in import_rows.FIELDS])
    sheet.append(
        ["Dupont SA", "entreprise", 732829320, "", "", "1 rue A", "", 75001, "Paris", "FR",
         "X-1", datetime(2026, 3, 1), datetime(2026, 3, 31), 1234.5, 0, ""]
    )  # fmt: skip
    buffer = io.BytesIO()
    workbook.save(buffer)
    login(people.creditor_user)
    batch_id = upload_and_check(client, "clients.xlsx", buffer.getvalue())
    assert db.session.get(ImportBatch, batch_id).kind == "xlsx"
    client.post(f"/creancier/import/{batch_id}/lancer")
    run_jobs()
    case = db.session.scalars(sa.select(Case)).one()
    assert case.invoices[0].amount_cents == 123_450
    assert case.debtor.postal_code == "75001"


def test_an_fec_imports_open_invoices_of_a_known_debtor_and_says_the_due_date_rule(
    client, login, people, run_jobs
):
    known = factories.make_case(
        people.creditor_user,
        debtor=intake.DebtorInput(
            kind="company",
            name="Électricité Bréguet SA",
            siren=factories.VALID_SIRENS[2],
            address_line1="8 rue de la Forêt",
            postal_code="67000",
            city="Strasbourg",
        ),
    )
    login(people.creditor_user)
    batch_id = upload_and_check(client, "fec_extract.txt")
    report_page = page_text(client.get(f"/creancier/import/{batch_id}"))
    assert "date de la pièce + 30 jours" in report_page
    client.post(f"/creancier/import/{batch_id}/lancer")
    run_jobs()
    new = db.session.scalars(sa.select(Case).where(Case.id != known.id)).one()
    assert new.debtor_id == known.debtor_id
    assert [(i.number, i.amount_cents, i.due_date.isoformat()) for i in new.invoices] == [
        ("FV2026-0001", 144_000, "2026-02-14"),
        ("FV2026-0003", 200_000, "2026-03-12"),
    ]


def test_the_template_files_have_our_columns_and_an_example_row(client, login, people):
    login(people.creditor_user)
    csv_response = client.get("/creancier/import/modele.csv")
    assert csv_response.status_code == 200
    table = import_rows.read_file("modele.csv", csv_response.data)
    assert table.columns == [label for _key, label in import_rows.FIELDS]
    assert len(table.rows) == 1
    assert import_rows.guess_mapping(table.columns) == {
        key: label for key, label in import_rows.FIELDS
    }

    xlsx_response = client.get("/creancier/import/modele.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx_response.data), read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == [label for _key, label in import_rows.FIELDS]
    assert rows[1][0] == "Menuiserie Dubois SARL"


def test_the_template_file_checks_clean(client, login, people):
    login(people.creditor_user)
    data = client.get("/creancier/import/modele.csv").data
    batch_id = upload_and_check(client, "modele.csv", data)
    report = db.session.get(ImportBatch, batch_id).report
    assert (report["valid"], report["errors"]) == (1, [])


def test_an_fec_invoice_of_an_unknown_debtor_is_a_bad_row_saying_what_is_missing(
    client, login, people
):
    login(people.creditor_user)
    batch_id = upload_and_check(client, "fec_extract.txt")
    report = db.session.get(ImportBatch, batch_id).report
    assert report["valid"] == 0
    assert {(e["row"], e["field"]) for e in report["errors"]} >= {
        (2, "address_line1"),
        (2, "debtor_kind"),
        (3, "address_line1"),
    }
    page = page_text(client.get(f"/creancier/import/{batch_id}"))
    assert "importez un CSV avec son adresse" in page
    assert "Indiquez l'adresse postale complète." in page
