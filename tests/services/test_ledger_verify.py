"""`flask ledger verify`: the books are proven, and a tampered entry is caught."""

from datetime import date

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import LedgerEntry, Payment
from app.services import casework, payments
from app.services import ledger as books
from tests import factories


@pytest.fixture
def paid_case(people, today, rates_to_date):
    case = factories.make_case(people.creditor_user, today=today)
    casework.accept_case(people.agent, case, today=today)
    for amount in (10_000, 25_000):
        payments.record_payment(
            people.agent,
            case,
            amount_cents=amount,
            received_on=date(2026, 10, 1),
            method="transfer",
            today=today,
        )
    return case


@pytest.fixture
def verify_command(app):
    runner = app.test_cli_runner()
    return lambda: runner.invoke(args=["ledger", "verify"])


def test_the_books_of_recorded_payments_verify(paid_case, verify_command):
    result = verify_command()

    assert result.exit_code == 0, result.output
    assert "Comptabilité équilibrée : 4 transactions vérifiées." in result.output


def test_an_entry_changed_behind_the_apps_back_is_reported(paid_case, verify_command):
    entry = db.session.scalars(sa.select(LedgerEntry).order_by(LedgerEntry.id)).first()
    db.session.execute(
        sa.update(LedgerEntry).where(LedgerEntry.id == entry.id).values(cents=entry.cents + 1)
    )
    db.session.commit()

    result = verify_command()

    assert result.exit_code == 1
    assert f"transaction {entry.transaction_id}: debits and credits differ by" in result.output
    assert "payments 35000 but payment entries 35001" in result.output


def test_a_payment_missing_from_the_books_is_reported(paid_case, people):
    db.session.add(
        Payment(
            case_id=paid_case.id,
            creditor_id=people.creditor.id,
            amount_cents=500,
            received_on=date(2026, 10, 2),
            method="cash",
            stage_at_receipt="amicable",
        )
    )
    db.session.commit()

    problems = books.verify()

    assert f"case {paid_case.id}: payments 35500 but payment entries 35000" in problems
    assert any("0 payment and 0 reversal transactions" in p for p in problems)
