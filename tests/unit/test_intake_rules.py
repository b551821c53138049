"""What an invoice row must contain, duplicate numbers, the claim and the case reference."""

from datetime import date

import pytest

from app.domain.intake import (
    InvoiceInput,
    case_reference,
    claim_cents,
    duplicate_numbers,
    invoice_errors,
)

ISSUED = date(2026, 6, 1)
DUE = date(2026, 7, 1)


def row(number="F-001", issue_date=ISSUED, due_date=DUE, amount_cents=10_000, paid_cents=0):
    return InvoiceInput(number, issue_date, due_date, amount_cents, paid_cents)


def test_a_complete_invoice_has_no_errors():
    assert invoice_errors(row()) == {}


def test_an_invoice_due_the_day_it_is_issued_is_fine():
    assert invoice_errors(row(due_date=ISSUED)) == {}


def test_a_partly_paid_invoice_is_fine():
    assert invoice_errors(row(paid_cents=9_999)) == {}


@pytest.mark.parametrize(
    ("invoice", "field", "message"),
    [
        (row(number="  "), "number", "Indiquez le numéro de la facture."),
        (row(issue_date=None), "issue_date", "Indiquez la date d'émission."),
        (row(due_date=None), "due_date", "Indiquez la date d'échéance."),
        (
            row(due_date=date(2026, 5, 31)),
            "due_date",
            "L'échéance ne peut pas précéder la date d'émission.",
        ),
        (row(amount_cents=None), "amount", "Indiquez le montant."),
        (row(amount_cents=0), "amount", "Le montant doit être supérieur à zéro."),
        (row(amount_cents=-500), "amount", "Le montant doit être supérieur à zéro."),
        (row(paid_cents=-1), "paid", "Le montant déjà payé ne peut pas être négatif."),
        (row(paid_cents=10_001), "paid", "Le montant déjà payé dépasse le montant de la facture."),
        (row(paid_cents=10_000), "paid", "Cette facture est entièrement payée : rien à recouvrer."),
    ],
    ids=[
        "blank number",
        "no issue date",
        "no due date",
        "due before issue",
        "no amount",
        "zero amount",
        "negative amount",
        "negative paid",
        "paid above amount",
        "fully paid",
    ],
)
def test_each_problem_is_reported_on_its_field_in_french(invoice, field, message):
    assert invoice_errors(invoice) == {field: message}


def test_every_problem_of_one_row_is_reported_at_once():
    errors = invoice_errors(InvoiceInput("", None, None, None))
    assert set(errors) == {"number", "issue_date", "due_date", "amount"}


def test_it_finds_numbers_typed_twice_whatever_the_case_or_spaces():
    invoices = [row("F-001"), row(" f-001 "), row("F-002"), row("F-003"), row("F-003")]
    assert duplicate_numbers(invoices) == {"F-001", "F-003"}


def test_distinct_numbers_are_not_duplicates():
    assert duplicate_numbers([row("F-001"), row("F-0010")]) == set()


def test_the_claim_is_what_remains_unpaid_on_every_invoice():
    assert claim_cents([row(amount_cents=100_000), row(amount_cents=50_050, paid_cents=50)]) == (
        150_000
    )


@pytest.mark.parametrize(
    ("opened_on", "case_id", "reference"),
    [
        (date(2026, 11, 23), 123, "REC-2026-000123"),
        (date(2027, 1, 1), 1, "REC-2027-000001"),
        (date(2026, 3, 4), 1_234_567, "REC-2026-1234567"),
    ],
)
def test_the_case_reference_carries_the_year_and_a_six_digit_number(opened_on, case_id, reference):
    assert case_reference(opened_on, case_id) == reference
