from datetime import date

import pytest
import sqlalchemy as sa

from app.domain import pipeline
from app.extensions import db
from app.models import AuditEvent, Case, Debtor, DebtorIdentity, TimelineEntry
from app.services import intake
from app.services.errors import ValidationFailed
from tests import factories


def test_a_creditor_submits_a_case_that_lands_in_intake_with_a_reference(people, today):
    case = factories.make_case(
        people.creditor_user,
        invoices=[factories.invoice("F1", 100_000), factories.invoice("F2", 50_050, paid_cents=50)],
        uploads=[intake.UploadInput("facture.pdf", factories.minimal_pdf(), "invoice")],
        today=today,
    )
    assert case.stage == pipeline.INTAKE
    assert case.reference == f"REC-2026-{case.id:06d}"
    assert case.creditor_id == people.creditor.id
    assert case.claim_cents == 150_000
    assert [d.original_name for d in case.documents] == ["facture.pdf"]
    assert case.debtor.phones == ["+33472000000"]
    kinds = db.session.scalars(
        sa.select(TimelineEntry.kind).where(TimelineEntry.case_id == case.id)
    )
    assert list(kinds) == ["submitted"]
    audit = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.case_id == case.id)).one()
    assert audit.action == "case.submitted" and audit.actor_id == people.creditor_user.id


def test_it_saves_nothing_when_one_invoice_row_is_bad(people, today):
    bad = factories.invoice("F2", 0)
    with pytest.raises(ValidationFailed) as error:
        factories.make_case(people.creditor_user, invoices=[factories.invoice("F1"), bad])
    assert "invoices.1.amount" in error.value.errors
    assert db.session.scalar(sa.select(sa.func.count(Case.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(Debtor.id))) == 0


def test_the_same_siren_at_two_creditors_is_two_debtors_sharing_one_identity(people):
    first = factories.make_case(people.creditor_user)
    second = factories.make_case(people.other_creditor_user)
    assert first.debtor_id != second.debtor_id
    assert first.debtor.identity_id == second.debtor.identity_id
    assert db.session.scalar(sa.select(sa.func.count(DebtorIdentity.id))) == 1


def test_a_creditor_cannot_file_a_case_against_another_creditors_debtor(people):
    theirs = factories.make_case(people.other_creditor_user)
    with pytest.raises(ValidationFailed) as error:
        intake.submit_case(
            people.creditor_user,
            debtor_id=theirs.debtor_id,
            invoices=[factories.invoice()],
            today=date(2026, 11, 23),
        )
    assert "debtor_id" in error.value.errors
