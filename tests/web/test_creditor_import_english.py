"""The import pages in English: the upload page, the mapping, the report's reasons and the
refusal of an unreadable file."""

import pytest

from tests.web._import_helpers import batch_id_of, upload, upload_and_check
from tests.web.test_english_locale import (
    assert_english_page,
    french_leftovers,
    page_text,
    read_catalog,
)


@pytest.fixture(scope="module")
def catalog():
    return read_catalog()


@pytest.fixture
def english(client):
    client.post("/langue/en")
    return client


FILE_COLUMNS = (
    "Client", "Type", "SIREN", "Adresse", "Code postal", "Ville", "Numéro de facture",
    "Date facture", "Échéance", "Montant", "Déjà payé",
)  # fmt: skip


def test_the_import_pages_are_in_english(people, login, english, catalog):
    login(people.creditor_user)
    assert_english_page(
        english.get("/creancier/import"), catalog, "Import invoices", "Upload the file"
    )
    batch_id = batch_id_of(upload(english, "invoices_with_bad_rows.csv"))
    assert_english_page(
        english.get(f"/creancier/import/{batch_id}/colonnes"),
        catalog,
        "Debtor name",
        "Check the file",
        data=FILE_COLUMNS,
    )


def test_the_report_gives_its_reasons_in_english(people, login, english, catalog):
    login(people.creditor_user)
    batch_id = upload_and_check(english, "invoices_with_bad_rows.csv")
    page = english.get(f"/creancier/import/{batch_id}")
    text = page_text(page)
    assert "The due date cannot be before the issue date." in text
    assert "Invalid date: dd/mm/yyyy or yyyy-mm-dd expected." in text
    assert "Invoice MD-001 already appears on row 2." in text
    assert "Import the 1 valid row(s)" in text
    assert french_leftovers(page, catalog) == []


def test_an_unreadable_file_is_refused_in_english(people, login, english, catalog):
    login(people.creditor_user)
    page = upload(english, "f.csv", b"")
    assert page.status_code == 422
    assert "The file is empty." in page_text(page)
