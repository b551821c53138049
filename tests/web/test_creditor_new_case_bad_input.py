"""Bad input on the new-case form: a French message next to the field, what was typed kept,
nothing saved."""

import html
import io
from html.parser import HTMLParser
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Case, Debtor, Document, Invoice
from tests import factories
from tests.web.test_creditor_new_case import new_case_form, post_new_case


class _Inputs(HTMLParser):
    """Collects each named input's value and the classes it carries."""

    def __init__(self):
        super().__init__()
        self.values: dict[str, str] = {}
        self.classes: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("name") and attrs.get("type") not in ("radio", "checkbox"):
            self.values[attrs["name"]] = attrs.get("value") or ""
            self.classes[attrs["name"]] = attrs.get("class") or ""


def inputs(page: str) -> _Inputs:
    parser = _Inputs()
    parser.feed(page)
    return parser


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def stored_files(app) -> set[Path]:
    root = Path(app.config["UPLOAD_DIR"])
    return {p for p in root.rglob("*") if p.is_file()} if root.exists() else set()


@pytest.fixture
def submit(app, people, login):
    """Post the form as the creditor user; check the refusal saved nothing at all."""
    client = login(people.creditor_user)

    def do_submit(data):
        before = stored_files(app)
        response = post_new_case(client, data)
        assert response.status_code == 422
        for model in (Case, Debtor, Invoice, Document):
            assert db.session.scalar(sa.select(sa.func.count()).select_from(model)) == 0
        assert stored_files(app) == before
        return response

    return do_submit


def message_next_to(page: str, field_name: str, message: str) -> bool:
    """The message is rendered after the field's input and before the next input."""
    start = page.find(f'name="{field_name}"')
    after = page[start:]
    next_input = after.find("<input", 1)
    next_select = after.find("<select", 1)
    ends = [i for i in (next_input, next_select) if i > 0]
    return start >= 0 and message in after[: min(ends) if ends else None]


def test_it_rejects_a_siren_with_a_bad_checksum(submit):
    response = submit(new_case_form(**{"debtor-siren": "732829321"}))
    page = text(response)
    assert message_next_to(
        page, "debtor-siren", "SIREN invalide : 9 chiffres attendus avec une clé de contrôle"
    )
    fields = inputs(page)
    assert fields.values["debtor-siren"] == "732829321"
    assert "is-invalid" in fields.classes["debtor-siren"]
    assert fields.values["debtor-name"] == "Client Mauvais Payeur SARL"
    assert fields.values["invoices-0-amount"] == "1 234,56"


def test_it_asks_for_the_siren_of_a_company(submit):
    page = text(submit(new_case_form(**{"debtor-siren": ""})))
    assert message_next_to(page, "debtor-siren", "Indiquez le SIREN de l'entreprise.")


def test_it_rejects_a_due_date_before_the_issue_date(submit):
    data = new_case_form(
        **{"invoices-0-issue_date": "2026-06-01", "invoices-0-due_date": "2026-05-01"}
    )
    page = text(submit(data))
    assert message_next_to(
        page, "invoices-0-due_date", "L'échéance ne peut pas précéder la date d'émission."
    )
    assert inputs(page).values["invoices-0-due_date"] == "2026-05-01"


def test_it_rejects_a_date_it_cannot_read(submit):
    page = text(submit(new_case_form(**{"invoices-0-issue_date": "31/02/2026"})))
    assert message_next_to(page, "invoices-0-issue_date", "Date invalide")
    assert inputs(page).values["invoices-0-issue_date"] == "31/02/2026"


def test_it_rejects_a_zero_amount(submit):
    page = text(submit(new_case_form(**{"invoices-0-amount": "0"})))
    assert message_next_to(page, "invoices-0-amount", "Le montant doit être supérieur à zéro.")
    assert inputs(page).values["invoices-0-amount"] == "0"


def test_it_rejects_a_negative_amount(submit):
    page = text(submit(new_case_form(**{"invoices-0-amount": "-150,00"})))
    assert message_next_to(page, "invoices-0-amount", "Le montant doit être supérieur à zéro.")
    assert inputs(page).values["invoices-0-amount"] == "-150,00"


def test_it_rejects_an_amount_that_is_not_a_number(submit):
    page = text(submit(new_case_form(**{"invoices-0-amount": "douze euros"})))
    assert message_next_to(page, "invoices-0-amount", "Montant invalide.")
    assert inputs(page).values["invoices-0-amount"] == "douze euros"


def test_it_rejects_an_amount_with_more_than_two_decimals(submit):
    page = text(submit(new_case_form(**{"invoices-0-amount": "12,345"})))
    assert message_next_to(page, "invoices-0-amount", "Un montant a au plus deux décimales.")


def test_it_rejects_a_paid_amount_above_the_invoice(submit):
    data = new_case_form(**{"invoices-0-amount": "100", "invoices-0-paid": "150"})
    page = text(submit(data))
    assert message_next_to(
        page, "invoices-0-paid", "Le montant déjà payé dépasse le montant de la facture."
    )
    assert inputs(page).values["invoices-0-paid"] == "150"


def test_the_message_lands_on_the_row_that_is_wrong(submit):
    data = new_case_form(
        **{
            "invoices-1-number": "F-2026-002",
            "invoices-1-issue_date": "2026-06-01",
            "invoices-1-due_date": "2026-07-01",
            "invoices-1-amount": "0",
        }
    )
    page = text(submit(data))
    assert message_next_to(page, "invoices-1-amount", "Le montant doit être supérieur à zéro.")
    assert "is-invalid" not in inputs(page).classes["invoices-0-amount"]
    assert inputs(page).values["invoices-1-number"] == "F-2026-002"


def test_it_asks_for_the_missing_fields_in_french(submit):
    data = new_case_form(
        **{
            "debtor-name": "",
            "debtor-city": "",
            "invoices-0-number": "",
            "invoices-0-due_date": "",
            "invoices-0-amount": "",
        }
    )
    page = text(submit(data))
    assert message_next_to(page, "debtor-name", "Indiquez le nom du débiteur.")
    assert message_next_to(page, "debtor-city", "Indiquez la ville.")
    assert message_next_to(page, "invoices-0-number", "Indiquez le numéro de la facture.")
    assert message_next_to(page, "invoices-0-due_date", "Indiquez la date d'échéance.")
    assert message_next_to(page, "invoices-0-amount", "Indiquez le montant.")
    assert inputs(page).values["debtor-postal_code"] == "69001"


def test_it_refuses_the_same_invoice_number_twice(submit):
    data = new_case_form(
        **{
            "invoices-1-number": "f-2026-001",
            "invoices-1-issue_date": "2026-06-01",
            "invoices-1-due_date": "2026-07-01",
            "invoices-1-amount": "10",
        }
    )
    page = text(submit(data))
    assert "La facture F-2026-001 apparaît deux fois." in page


def test_it_rejects_a_file_over_the_size_limit(submit, app, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_UPLOAD_BYTES", 1024 * 1024)
    big = factories.minimal_pdf() + b"0" * (1024 * 1024)
    data = new_case_form(**{"uploads-0-file": (io.BytesIO(big), "gros.pdf")})
    page = text(submit(data))
    assert message_next_to(
        page, "uploads-0-file", "« gros.pdf » dépasse la taille maximale de 1 Mo."
    )


def test_it_rejects_an_empty_file(submit):
    data = new_case_form(**{"uploads-0-file": (io.BytesIO(b""), "vide.pdf")})
    page = text(submit(data))
    assert message_next_to(page, "uploads-0-file", "« vide.pdf » est vide.")


def test_it_rejects_a_pdf_that_is_really_a_png(submit):
    data = new_case_form(**{"uploads-0-file": (io.BytesIO(factories.minimal_png()), "scan.pdf")})
    page = text(submit(data))
    assert message_next_to(page, "uploads-0-file", "« scan.pdf » ne correspond pas à son extension")


def test_it_rejects_a_type_it_does_not_accept(submit):
    data = new_case_form(**{"uploads-0-file": (io.BytesIO(b"MZ\x90\x00"), "outil.exe")})
    page = text(submit(data))
    assert message_next_to(page, "uploads-0-file", "type de fichier non accepté")


def test_a_file_error_is_shown_on_the_row_of_that_file(submit):
    # Row 0 left empty, row 1 good, row 2 bad: the service only numbers the files it gets.
    data = new_case_form(
        **{
            "uploads-1-file": (io.BytesIO(factories.minimal_pdf()), "bon.pdf"),
            "uploads-1-kind": "purchase_order",
            "uploads-2-file": (io.BytesIO(b""), "vide.pdf"),
            "uploads-2-kind": "contract",
        }
    )
    page = text(submit(data))
    assert message_next_to(page, "uploads-2-file", "« vide.pdf » est vide.")
    assert "is-invalid" not in inputs(page).classes["uploads-1-file"]
    assert '<option selected value="contract">' in page


def test_it_asks_to_select_the_files_again_after_an_error(submit):
    data = new_case_form(
        **{
            "debtor-siren": "123",
            "uploads-0-file": (io.BytesIO(factories.minimal_pdf()), "facture.pdf"),
        }
    )
    page = text(submit(data))
    assert "sélectionnez-les de nouveau" in page
    assert "Vous aviez choisi « facture.pdf » : sélectionnez-le de nouveau." in page


def test_no_reselect_warning_when_no_file_was_chosen(submit):
    page = text(submit(new_case_form(**{"debtor-siren": "123"})))
    assert "sélectionnez-les de nouveau" not in page
