"""Checking an uploaded file: every bad row is listed with its line, field and reason, and
nothing is saved before the creditor imports the valid rows."""

import html
import re

import sqlalchemy as sa

from app.extensions import db
from app.models import Case, Debtor, ImportBatch, Invoice
from tests import factories
from tests.helpers import page_text
from tests.web._import_helpers import upload, upload_and_check


def error_rows(response) -> list[str]:
    rows = re.findall(
        r'<tr data-testid="import-error">(.*?)</tr>', response.get_data(as_text=True), re.S
    )
    return [" ".join(html.unescape(re.sub(r"<[^>]+>", " ", row)).split()) for row in rows]


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_the_report_lists_every_bad_row_with_its_reason(client, login, people):
    login(people.creditor_user)
    batch_id = upload_and_check(client, "invoices_with_bad_rows.csv")

    response = client.get(f"/creancier/import/{batch_id}")
    page = page_text(response)
    assert "8 ligne(s) dans le fichier" in page
    assert "1 ligne(s) valide(s), soit 1 dossier(s) à créer" in page
    expected = [
        (3, "Date d'échéance", "L'échéance ne peut pas précéder la date d'émission."),
        (4, "SIREN", "SIREN invalide"),
        (5, "Date d'émission", "Date invalide : jj/mm/aaaa ou aaaa-mm-jj attendue."),
        (6, "Montant TTC", "Le montant doit être supérieur à zéro."),
        (7, "Montant TTC", "Un montant a au plus deux décimales."),
        (8, "Déjà payé", "Le montant déjà payé dépasse le montant de la facture."),
        (9, "Numéro de facture", "La facture MD-001 apparaît déjà ligne 2."),
    ]
    report = db.session.get(ImportBatch, batch_id).report
    assert [(e["row"], e["field"]) for e in report["errors"]] == [
        (3, "due_date"),
        (4, "siren"),
        (5, "issue_date"),
        (6, "amount"),
        (7, "amount"),
        (8, "paid"),
        (9, "invoice_number"),
    ]
    rows = error_rows(response)
    assert len(rows) == len(expected)
    for row, (line, label, reason) in zip(rows, expected, strict=True):
        assert row.startswith(f"{line} {label} {reason}")


def test_checking_a_file_saves_no_case_debtor_or_invoice(client, login, people):
    login(people.creditor_user)
    upload_and_check(client, "invoices_utf8_commas.csv")
    assert (count(Case), count(Debtor), count(Invoice)) == (0, 0, 0)


def test_an_invoice_number_the_creditor_already_sent_is_a_bad_row(client, login, people):
    existing = factories.make_case(
        people.creditor_user, invoices=[factories.invoice("FA-2026-101")]
    )
    login(people.creditor_user)
    batch_id = upload_and_check(client, "invoices_utf8_commas.csv")
    page = page_text(client.get(f"/creancier/import/{batch_id}"))
    assert f"La facture FA-2026-101 existe déjà (dossier {existing.reference})." in page


def test_another_creditors_invoice_numbers_are_not_duplicates(client, login, people):
    factories.make_case(people.other_creditor_user, invoices=[factories.invoice("FA-2026-101")])
    login(people.creditor_user)
    batch_id = upload_and_check(client, "invoices_utf8_commas.csv")
    assert db.session.get(ImportBatch, batch_id).report["errors"] == []


def test_a_file_that_cannot_be_read_is_refused_with_the_reason(client, login, people):
    login(people.creditor_user)
    response = upload(client, "factures.csv", b"une seule colonne\nsans separateur\n")
    assert response.status_code == 422
    assert "Séparateur introuvable" in page_text(response)
    assert count(ImportBatch) == 0


def test_a_required_field_without_a_column_is_asked_for(client, login, people):
    login(people.creditor_user)
    response = upload(client, "invoices_utf8_commas.csv")
    batch_id = int(response.headers["Location"].split("/")[-2])
    mapping = dict(db.session.get(ImportBatch, batch_id).mapping)
    del mapping["amount"]
    response = client.post(f"/creancier/import/{batch_id}/colonnes", data=mapping)
    assert response.status_code == 422
    assert "Choisissez la colonne de ce champ." in page_text(response)
    assert db.session.get(ImportBatch, batch_id).status == "uploaded"
