"""Two late events of a claim's life: the debtor's acknowledgment restarts the limitation
period (LAW.md section 5), and a mandataire's dividend on an admitted claim is a payment."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent, ClaimDeclaration, Payment
from app.services import casework, insolvency, intake, prescription
from app.services import ledger as books
from app.services.errors import ValidationFailed
from tests import factories

TODAY = date(2026, 11, 23)


@pytest.fixture
def consumer_case(people, rates_to_date):
    """A consumer's invoice due 15 January 2025: 2 years, so prescribed on 15 January 2027."""
    case = factories.make_case(
        people.creditor_user,
        debtor=intake.DebtorInput(
            kind="individual",
            name="Jean Martin",
            address_line1="3 rue des Lilas",
            postal_code="69003",
            city="Lyon",
            emails=["jean.martin@example.org"],
        ),
        invoices=[factories.invoice("C-1", 45_000, issued=date(2024, 12, 16), days=30)],
        today=TODAY,
    )
    casework.accept_case(people.agent, case, today=TODAY)
    return case


def test_an_acknowledgment_starts_a_new_full_period(people, consumer_case):
    assert prescription.limitation_on(consumer_case) == date(2027, 1, 15)

    prescription.record_acknowledgment(
        people.agent,
        consumer_case,
        acknowledged_on=date(2026, 6, 1),
        note="Lettre signée reconnaissant la dette",
        today=TODAY,
    )

    assert prescription.limitation_on(consumer_case) == date(2028, 6, 1)
    audit = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "case.acknowledgment")
    )
    assert audit.case_id == consumer_case.id


def test_an_older_acknowledgment_does_not_move_the_date_back(people, consumer_case):
    for day in (date(2026, 6, 1), date(2025, 9, 1)):
        prescription.record_acknowledgment(
            people.agent, consumer_case, acknowledged_on=day, note="", today=TODAY
        )
    assert consumer_case.acknowledged_on == date(2026, 6, 1)
    assert prescription.limitation_on(consumer_case) == date(2028, 6, 1)


@pytest.mark.parametrize("day", [None, date(2026, 11, 24)])
def test_an_acknowledgment_needs_a_date_not_in_the_future(people, consumer_case, day):
    with pytest.raises(ValidationFailed) as refused:
        prescription.record_acknowledgment(
            people.agent, consumer_case, acknowledged_on=day, note="", today=TODAY
        )
    assert "acknowledged_on" in refused.value.errors
    assert consumer_case.acknowledged_on is None


@pytest.fixture
def admitted_declaration(people, rates_to_date):
    case = factories.make_case(
        people.creditor_user,
        invoices=[factories.invoice("F-1", 120_000, issued=date(2026, 6, 1), days=30)],
        today=TODAY,
    )
    casework.accept_case(people.agent, case, today=TODAY)
    insolvency.open_proceeding(
        people.agent,
        insolvency.ProceedingInput(
            siren=case.debtor.siren,
            kind="liquidation",
            court="Tribunal de commerce de Lyon",
            judgment_date=date(2026, 10, 1),
            published_on=date(2026, 10, 8),
            mandataire_name="SELARL MJ Synergie",
        ),
    )
    declaration = db.session.scalar(
        sa.select(ClaimDeclaration).where(ClaimDeclaration.case_id == case.id)
    )
    insolvency.move_declaration(
        people.agent, declaration, "filed", on=date(2026, 11, 2), today=TODAY
    )
    return declaration


def test_a_dividend_on_an_admitted_claim_is_recorded_once_as_a_payment(
    people, admitted_declaration
):
    declaration = admitted_declaration
    with pytest.raises(ValidationFailed, match="créance admise"):
        insolvency.record_dividend(
            people.agent,
            declaration,
            amount_cents=5_000,
            received_on=TODAY,
            idempotency_key="k1",
            today=TODAY,
        )
    insolvency.move_declaration(
        people.agent, declaration, "admitted", on=date(2026, 11, 20), today=TODAY
    )
    for _twice in range(2):  # a double click
        insolvency.record_dividend(
            people.agent,
            declaration,
            amount_cents=15_000,
            received_on=TODAY,
            idempotency_key="k2",
            today=TODAY,
        )

    (payment,) = db.session.scalars(sa.select(Payment)).all()
    assert payment.method == "dividend"
    assert payment.reference.startswith("Dividende — SELARL MJ Synergie")
    assert insolvency.dividends_received([declaration]) == {declaration.id: 15_000}
    assert books.verify() == []


def test_a_declarations_next_statuses_are_what_the_page_offers():
    assert insolvency.next_statuses("to_file") == ["filed"]
    assert insolvency.next_statuses("filed") == ["admitted", "rejected"]
    assert insolvency.next_statuses("admitted") == []
