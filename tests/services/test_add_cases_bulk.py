"""intake.add_cases_bulk: many cases under submit_case's rules, or none."""

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent, Case, DebtorIdentity, TimelineEntry
from app.services import intake
from app.services.errors import Forbidden, ValidationFailed
from tests import factories


def test_it_creates_each_case_with_its_reference_audit_and_timeline(people, today):
    cases = intake.add_cases_bulk(
        people.creditor_user,
        [
            intake.BulkCase(invoices=[factories.invoice("A-1")], debtor=factories.debtor_input()),
            intake.BulkCase(
                invoices=[factories.invoice("B-1"), factories.invoice("B-2", 5_000)],
                debtor=factories.debtor_input("Autre SARL", factories.VALID_SIRENS[1]),
            ),
        ],
        today=today,
    )
    db.session.commit()
    assert [c.reference for c in cases] == [f"REC-2026-{c.id:06d}" for c in cases]
    assert [c.claim_cents for c in cases] == [120_000, 125_000]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(TimelineEntry)) == 2
    actions = db.session.scalars(sa.select(AuditEvent.action)).all()
    assert actions.count("case.submitted") == 2


def test_two_debtors_with_one_siren_share_one_identity(people, today):
    debtor = factories.debtor_input()
    intake.add_cases_bulk(
        people.creditor_user,
        [
            intake.BulkCase(invoices=[factories.invoice("A-1")], debtor=debtor),
            intake.BulkCase(invoices=[factories.invoice("A-2")], debtor=debtor),
        ],
        today=today,
    )
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DebtorIdentity)) == 1


def test_one_bad_case_adds_none_of_them(people, today):
    bad = factories.debtor_input(siren="123456789")
    with pytest.raises(ValidationFailed) as raised:
        intake.add_cases_bulk(
            people.creditor_user,
            [
                intake.BulkCase(
                    invoices=[factories.invoice("A-1")], debtor=factories.debtor_input()
                ),
                intake.BulkCase(invoices=[factories.invoice("B-1")], debtor=bad),
            ],
            today=today,
        )
    assert "cases.1.debtor.siren" in raised.value.errors
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Case)) == 0


def test_agency_staff_cannot_bulk_submit(people, today):
    with pytest.raises(Forbidden):
        intake.add_cases_bulk(people.agent, [], today=today)
