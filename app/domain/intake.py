"""Rules for what an overdue file must contain before the agency can take it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from app.domain.i18n import N_


@dataclass(frozen=True)
class InvoiceInput:
    number: str
    issue_date: date | None
    due_date: date | None
    amount_cents: int | None
    paid_cents: int = 0


def invoice_errors(invoice: InvoiceInput) -> dict[str, str]:
    """Field -> French message for each problem with one invoice row."""
    errors: dict[str, str] = {}
    if not invoice.number.strip():
        errors["number"] = N_("Indiquez le numéro de la facture.")
    if invoice.issue_date is None:
        errors["issue_date"] = N_("Indiquez la date d'émission.")
    if invoice.due_date is None:
        errors["due_date"] = N_("Indiquez la date d'échéance.")
    elif invoice.issue_date and invoice.due_date < invoice.issue_date:
        errors["due_date"] = N_("L'échéance ne peut pas précéder la date d'émission.")
    if invoice.amount_cents is None:
        errors["amount"] = N_("Indiquez le montant.")
    elif invoice.amount_cents <= 0:
        errors["amount"] = N_("Le montant doit être supérieur à zéro.")
    if invoice.paid_cents < 0:
        errors["paid"] = N_("Le montant déjà payé ne peut pas être négatif.")
    elif not invoice.amount_cents or invoice.amount_cents <= 0:
        pass  # The amount itself is wrong: comparing the paid part with it would mislead.
    elif invoice.paid_cents > invoice.amount_cents:
        errors["paid"] = N_("Le montant déjà payé dépasse le montant de la facture.")
    elif invoice.paid_cents == invoice.amount_cents:
        errors["paid"] = N_("Cette facture est entièrement payée : rien à recouvrer.")
    return errors


def duplicate_numbers(invoices: list[InvoiceInput]) -> set[str]:
    """Numbers that appear twice (ignoring case and spaces), as the user first typed them."""
    first_typed: dict[str, str] = {}
    duplicates: set[str] = set()
    for invoice in invoices:
        key = invoice.number.strip().lower()
        if key in first_typed:
            duplicates.add(first_typed[key])
        first_typed.setdefault(key, invoice.number.strip())
    return duplicates


def claim_cents(invoices: list[InvoiceInput]) -> int:
    return sum((i.amount_cents or 0) - i.paid_cents for i in invoices)


def case_reference(opened_on: date, case_id: int) -> str:
    return f"REC-{opened_on.year}-{case_id:06d}"
