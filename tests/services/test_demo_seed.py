"""The demo data `make run` loads: what a newcomer finds when they first log in.

Seeding takes a few seconds, and the tables are emptied after each test, so the checks on the
seeded data sit in one test.
"""

import hashlib
from collections import Counter
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import filetype
import phonenumbers
import sqlalchemy as sa
from flask import current_app

from app.demo import DEMO_EMAILS, DEMO_PASSWORD, seed_demo
from app.domain import identifiers, pipeline, roles
from app.extensions import db
from app.models import (
    AuditEvent,
    CallLog,
    Case,
    Debtor,
    DebtorIdentity,
    Document,
    Invoice,
    Organisation,
    Payment,
    Remittance,
    TimelineEntry,
    User,
)
from app.services import accounts, ledger

PARIS = ZoneInfo("Europe/Paris")
COUNTED = (
    Organisation,
    User,
    Debtor,
    DebtorIdentity,
    Case,
    Invoice,
    Document,
    TimelineEntry,
    CallLog,
    AuditEvent,
)


def _counts() -> dict[str, int]:
    return {
        model.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(model))
        for model in COUNTED
    }


def _all(model):
    return list(db.session.scalars(sa.select(model).order_by(model.id)))


def test_the_demo_seed_builds_the_agency_three_creditors_and_cases_at_every_stage_once(today):
    assert seed_demo(today) is True

    agency = db.session.scalars(sa.select(Organisation).where(Organisation.kind == "agency")).one()
    assert agency.legal_name == "Recouvra Agence SAS"
    assert agency.city == "Paris" and agency.iban
    identifiers.normalise_siren(agency.siren)
    assert Counter(u.role for u in agency.users) == {
        roles.AGENCY_ADMIN: 1,
        roles.SUPERVISOR: 1,
        roles.AGENT: 3,
    }
    # The managers' mandatory second factor, with the key the README and seed-demo give.
    from app.demo import DEMO_TOTP_SECRET

    for user in agency.users:
        assert (user.totp_secret == DEMO_TOTP_SECRET) == (user.role in roles.MANAGER_ROLES)
        assert (user.totp_confirmed_at is not None) == (user.role in roles.MANAGER_ROLES)

    creditors = _all(Organisation)[1:]
    assert len(creditors) == 3
    for creditor in creditors:
        assert creditor.kind == "creditor" and creditor.has_mandate
        assert creditor.commission_amicable_bp and creditor.commission_judicial_bp
        assert identifiers.normalise_siren(creditor.siren) == creditor.siren
        assert identifiers.normalise_iban(creditor.iban) == creditor.iban
        assert sorted(u.role for u in creditor.users) == [
            roles.CREDITOR_ADMIN,
            roles.CREDITOR_USER,
        ]

    assert sorted(u.email for u in _all(User)) == sorted(DEMO_EMAILS)
    assert accounts.authenticate("compta@fournilpro.demo", DEMO_PASSWORD) is not None
    assert accounts.authenticate("agent1@recouvra.demo", DEMO_PASSWORD) is not None

    cases = _all(Case)
    assert len(cases) >= 55
    assert {c.stage for c in cases} == set(pipeline.STAGES)
    assert len({c.outcome for c in cases if c.stage == pipeline.CLOSED}) >= 4
    assert any(c.hold_reason for c in cases)
    assert {c.creditor_id for c in cases} == {c.id for c in creditors}
    agents = {u.id for u in agency.users if u.role == roles.AGENT}
    assert {c.assigned_agent_id for c in cases} - {None} <= agents
    assert any(c.assigned_agent_id is None and c.stage == pipeline.AMICABLE for c in cases)

    timeline = Counter(e.case_id for e in _all(TimelineEntry))
    for case in cases:
        assert 1 <= len(case.invoices) <= 4
        assert case.claim_cents > 0
        assert timeline[case.id] >= 1
        for invoice in case.invoices:
            assert 150_00 <= invoice.amount_cents <= 25_000_00
            assert invoice.issue_date <= invoice.due_date < case.opened_on <= today

    # Every action is stamped on the day it was played, not on the day the seed ran.
    for entry in _all(TimelineEntry):
        assert entry.occurred_at.astimezone(PARIS).date() < today
    for case in cases:
        submitted = db.session.scalars(
            sa.select(TimelineEntry).where(
                TimelineEntry.case_id == case.id, TimelineEntry.kind == "submitted"
            )
        ).one()
        assert submitted.occurred_at.astimezone(PARIS).date() == case.opened_on
    assert min(c.opened_on for c in cases) < today - timedelta(days=300)

    documents = _all(Document)
    assert len(documents) >= len(cases)
    upload_dir = Path(current_app.config["UPLOAD_DIR"])
    for document in documents:
        data = (upload_dir / document.storage_key[:2] / document.storage_key).read_bytes()
        assert filetype.guess_mime(data) == "application/pdf"
        assert hashlib.sha256(data).hexdigest() == document.sha256
    invoice_pdf = next(d for d in documents if d.kind == "invoice")
    number = invoice_pdf.original_name.removeprefix("facture-").removesuffix(".pdf")
    path = upload_dir / invoice_pdf.storage_key[:2] / invoice_pdf.storage_key
    assert number.encode() in path.read_bytes()

    debtors = _all(Debtor)
    assert {d.kind for d in debtors} == {"company", "individual"}
    for debtor in debtors:
        assert debtor.phones and debtor.emails and debtor.postal_code and debtor.city
        for phone in debtor.phones:
            assert phonenumbers.is_valid_number(phonenumbers.parse(phone))
        if debtor.is_company:
            assert identifiers.normalise_siren(debtor.siren) == debtor.siren
    shared = [i for i in _all(DebtorIdentity) if len({d.creditor_id for d in i.debtors}) == 2]
    assert len(shared) >= 2

    calls = _all(CallLog)
    assert {"promise_to_pay", "no_answer", "reached", "dispute"} <= {c.outcome for c in calls}
    assert any(e.kind == "note" for e in _all(TimelineEntry))
    assert db.session.scalar(
        sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.action == "case.stage_changed")
    )

    # Money: payments booked through the ledger, one bounced cheque, books that verify.
    demo_payments = _all(Payment)
    assert demo_payments and sum(p.is_reversed for p in demo_payments) == 1
    assert {p.method for p in demo_payments} >= {"transfer", "cheque"}
    assert ledger.verify() == []
    (statement,) = _all(Remittance)
    assert statement.amount_cents > 0

    before = _counts()
    assert seed_demo(today) is False
    assert _counts() == before


def test_the_demo_seed_leaves_a_database_that_already_has_an_organisation_alone(people, today):
    assert seed_demo(today) is False
    assert db.session.scalar(sa.select(sa.func.count(Case.id))) == 0
    assert not db.session.scalars(sa.select(User).where(User.email.in_(DEMO_EMAILS))).all()
