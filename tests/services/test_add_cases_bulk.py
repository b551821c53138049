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


def _new_cases(count: int) -> list[intake.BulkCase]:
    return [
        intake.BulkCase(
            invoices=[factories.invoice(f"N{n}-1"), factories.invoice(f"N{n}-2", 5_000)],
            debtor=intake.DebtorInput(
                kind="company",
                name=f" Client {n} SARL ",
                siren=factories.VALID_SIRENS[n % 5],
                address_line1="12 avenue des Champs",
                postal_code="69001",
                city="Lyon",
                emails=[f"C{n}@x.example"],
                phones=["04 72 00 00 00"],
            ),
        )
        for n in range(count)
    ]


def _statements_of(people, today, cases) -> int:
    statements = []

    def count(*_args):
        statements.append(1)

    engine = db.session.get_bind()
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        intake.add_cases_bulk(people.creditor_user, cases, today=today)
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    db.session.rollback()
    return len(statements)


def test_a_round_of_inserts_is_the_same_statements_for_3_or_30_cases(people, today, monkeypatch):
    monkeypatch.setattr(intake, "BULK_BATCH", 30)
    few = _statements_of(people, today, _new_cases(3))
    many = _statements_of(people, today, _new_cases(30))
    if db.session.get_bind().dialect.name == "postgresql":
        # Ids from the sequences, rows by COPY: one statement per table and round.
        assert many == few
    else:
        # SQLite returns new ids one INSERT at a time (SQLAlchemy keeps RETURNING in order
        # only so): 27 more debtors, 27 more cases, 2 more SIRENs' identities.
        assert many - few == 27 + 27 + 2
    assert few <= 16


def test_each_case_gets_submit_cases_audit_timeline_debtor_and_contacts(people, today):
    added = intake.add_cases_bulk(
        people.creditor_user, _new_cases(6), today=today, source={"import_batch": 7}
    )
    db.session.commit()
    assert len(added) == 6
    for n, item in enumerate(added):
        case = db.session.get(Case, item.id)
        assert (case.reference, case.claim_cents, case.stage) == (
            f"REC-2026-{case.id:06d}",
            125_000,
            "intake",
        )
        assert (case.opened_on, case.next_action_on, case.creditor_id) == (
            today,
            today,
            people.creditor.id,
        )
        assert item.debtor_id == case.debtor_id
        assert [(i.number, i.amount_cents) for i in case.invoices] == [
            (f"N{n}-1", 120_000),
            (f"N{n}-2", 5_000),
        ]
        debtor = case.debtor
        assert (debtor.name, debtor.siren, debtor.emails, debtor.phones, debtor.country) == (
            f"Client {n} SARL",
            factories.VALID_SIRENS[n % 5],
            [f"c{n}@x.example"],
            ["+33472000000"],
            "FR",
        )
        assert (debtor.address_line2, debtor.kind, debtor.creditor_id) == (
            None,
            "company",
            people.creditor.id,
        )
        assert case.debtor.identity.siren == factories.VALID_SIRENS[n % 5]
        (entry,) = db.session.scalars(
            sa.select(TimelineEntry).where(TimelineEntry.case_id == case.id)
        ).all()
        assert (entry.kind, entry.visible_to_creditor, entry.actor_id, entry.text) == (
            "submitted",
            True,
            people.creditor_user.id,
            "",
        )
        assert entry.data == {"invoices": 2, "documents": 0, "import_batch": 7}
        (event,) = db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.case_id == case.id)
        ).all()
        assert (event.action, event.entity, event.entity_id, event.actor_id) == (
            "case.submitted",
            "case",
            case.id,
            people.creditor_user.id,
        )
        assert event.changes == {
            "reference": case.reference,
            "debtor_id": case.debtor_id,
            "invoices": [f"N{n}-1", f"N{n}-2"],
            "claim_cents": 125_000,
            "import_batch": 7,
        }
    # Six debtors over five SIRENs: the sixth shares the first one's identity.
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DebtorIdentity)) == 5
