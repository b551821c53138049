"""A debtor's personal data: the export (right of access) and the erasure after retention,
with the books left whole (LAW.md section 8)."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date

import pytest
import sqlalchemy as sa

from app.domain import pipeline
from app.extensions import db
from app.integrations import storage
from app.jobs.personal_data import purge_personal_data
from app.models import (
    AuditEvent,
    CallLog,
    Case,
    Debtor,
    DebtorContact,
    DebtorLink,
    Document,
    Invoice,
    LedgerEntry,
    Message,
    Payment,
    Remittance,
    TimelineEntry,
)
from app.services import (
    casework,
    debtor_access,
    intake,
    ledger,
    letters,
    messages,
    payments,
    personal_data,
    remittance,
)
from app.services.errors import Forbidden
from tests import factories

# The world's case is paid and closed on TODAY (2026-11-23); its last payment restarts the
# 5-year limitation period: kept until 2031-11-23, then one year of archive.
LAST_KEPT_DAY = date(2032, 11, 23)
AFTER_RETENTION = date(2032, 11, 24)


@pytest.fixture
def lived_case(people, today, amicable_case):
    """A case with all a debtor leaves behind: calls, notes, messages, documents, a letter, a
    payment link, a payment that settles it (closed as paid) and a remittance."""
    case = amicable_case
    casework.log_call(
        people.agent,
        case,
        direction="outbound",
        phone_number="04 72 00 00 00",
        outcome="reached",
        notes="M. Durand dit qu'il paiera à la fin du mois",
        today=today,
    )
    casework.add_note(people.agent, case, "Le gérant M. Durand vit au 3 rue des Lilas")
    messages.post_message(people.creditor_user, case, "M. Durand est souvent absent")
    intake.add_documents(
        people.agent,
        case,
        [intake.UploadInput("contrat-durand.pdf", factories.minimal_pdf(), "contract")],
    )
    letters.generate_letter(people.agent, case, "relance_amiable", letter_date=today)
    debtor_access.create_link(people.agent, case)
    payments.record_payment(
        people.agent,
        case,
        amount_cents=129_792,
        received_on=today,
        method="transfer",
        reference="VIR DURAND JEAN",
        note="payé par sa fille",
        today=today,
    )
    remittance.run_remittance(people.supervisor, people.creditor, today=today)
    db.session.refresh(case)
    assert case.stage == pipeline.CLOSED
    return case


def _money_snapshot() -> dict:
    return {
        "invoices": sorted(
            db.session.execute(
                sa.select(Invoice.id, Invoice.number, Invoice.amount_cents, Invoice.due_date)
            ).all()
        ),
        "payments": sorted(
            db.session.execute(
                sa.select(Payment.id, Payment.amount_cents, Payment.received_on, Payment.method)
            ).all()
        ),
        "entries": sorted(
            db.session.execute(
                sa.select(LedgerEntry.id, LedgerEntry.account, LedgerEntry.side, LedgerEntry.cents)
            ).all()
        ),
        "remittances": sorted(
            db.session.execute(sa.select(Remittance.id, Remittance.amount_cents)).all()
        ),
        "balances": ledger.balances(),
    }


def test_a_debtor_past_retention_is_anonymised_and_the_books_still_hold(lived_case, today):
    case_id, debtor_id = lived_case.id, lived_case.debtor_id
    keys = [d.storage_key for d in lived_case.documents]
    assert keys and all(storage.read(k) for k in keys)
    before = _money_snapshot()
    assert ledger.verify() == []

    report = personal_data.purge(AFTER_RETENTION)

    assert [e.debtor_id for e in report.erased] == [debtor_id]
    db.session.expire_all()
    debtor = db.session.get(Debtor, debtor_id)
    assert debtor.anonymised_at is not None
    assert debtor.name == f"Débiteur anonymisé n° {debtor_id}"
    assert (debtor.address_line1, debtor.postal_code, debtor.city) == (None, None, None)
    assert db.session.scalars(sa.select(DebtorContact)).all() == []
    assert db.session.scalars(sa.select(DebtorLink)).all() == []
    call = db.session.scalars(sa.select(CallLog)).one()
    assert (call.notes, call.phone_number) == ("", "")
    assert "Durand" not in db.session.scalars(sa.select(Message.body)).one()
    texts = db.session.scalars(
        sa.select(TimelineEntry.text).where(TimelineEntry.case_id == case_id)
    )
    assert all("Durand" not in t and "Lilas" not in t for t in texts)
    data = json.dumps(
        list(db.session.scalars(sa.select(TimelineEntry.data))), ensure_ascii=False
    ).lower()
    assert "durand" not in data and "@" not in data and "04 72" not in data
    payment = db.session.scalars(sa.select(Payment)).one()
    assert (payment.reference, payment.note) == (None, None)
    documents = db.session.scalars(sa.select(Document)).all()
    assert documents and all(personal_data.document_is_erased(d) for d in documents)
    assert all("durand" not in d.original_name.lower() for d in documents)
    for key in keys:
        with pytest.raises(FileNotFoundError):
            storage.read(key)
    # The books: every amount as it was, and they still verify.
    assert _money_snapshot() == before
    assert ledger.verify() == []
    case = db.session.get(Case, case_id)
    assert (case.stage, case.outcome, case.reference) == (
        pipeline.CLOSED,
        "paid",
        lived_case.reference,
    )
    # Audited with ids and counts, nothing that names the debtor.
    event = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "debtor.anonymise")
    ).one()
    assert event.entity_id == debtor_id and event.changes["cases"] == [case_id]
    assert event.changes["documents_deleted"] == len(keys)
    assert "Durand" not in json.dumps(event.changes) and "Mauvais" not in json.dumps(event.changes)


def test_the_purge_run_twice_erases_once(lived_case):
    assert len(personal_data.purge(AFTER_RETENTION).erased) == 1
    assert personal_data.purge(AFTER_RETENTION).erased == []
    assert personal_data.anonymise_debtor(None, lived_case.debtor_id, today=AFTER_RETENTION) is None
    events = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "debtor.anonymise")
    )
    assert len(list(events)) == 1
    assert ledger.verify() == []


def test_a_debtor_before_its_date_is_untouched(lived_case):
    assert personal_data.purge(LAST_KEPT_DAY, dry_run=False).candidates == []
    debtor = db.session.get(Debtor, lived_case.debtor_id)
    assert debtor.anonymised_at is None and debtor.name == "Client Mauvais Payeur SARL"
    assert all(storage.read(d.storage_key) for d in lived_case.documents)


def test_a_debtor_with_an_open_case_is_untouched_even_long_after(people, today, lived_case):
    # The same debtor has a second case with this creditor, still open.
    second = intake.submit_case(
        people.creditor_user,
        debtor_id=lived_case.debtor_id,
        invoices=[factories.invoice("F-2")],
        today=today,
    )
    assert second.debtor_id == lived_case.debtor_id and second.is_open
    assert personal_data.purge(date(2045, 1, 1)).erased == []
    assert db.session.get(Debtor, lived_case.debtor_id).anonymised_at is None
    # Asked directly, the erasure refuses too.
    assert (
        personal_data.anonymise_debtor(None, lived_case.debtor_id, today=date(2045, 1, 1)) is None
    )
    assert db.session.get(Debtor, lived_case.debtor_id).anonymised_at is None


def test_the_dry_run_lists_without_erasing(lived_case):
    report = personal_data.purge(AFTER_RETENTION, dry_run=True)
    assert [c.debtor_id for c in report.candidates] == [lived_case.debtor_id]
    assert report.candidates[0].kept_until == LAST_KEPT_DAY
    assert report.erased == []
    assert db.session.get(Debtor, lived_case.debtor_id).anonymised_at is None


def test_the_scheduled_job_is_registered_and_erases(lived_case, monkeypatch):
    from app.jobs.scheduler import PERIODIC_JOBS

    assert purge_personal_data in [job[0] for job in PERIODIC_JOBS]
    assert purge_personal_data(AFTER_RETENTION.isoformat()) == 1
    assert purge_personal_data(AFTER_RETENTION.isoformat()) == 0


def test_an_individuals_siren_goes_and_a_companys_stays(people, today, rates_to_date):
    person = factories.make_case(
        people.creditor_user,
        debtor=intake.DebtorInput(
            kind="individual",
            name="Jean Durand",
            siren=factories.VALID_SIRENS[1],
            address_line1="3 rue des Lilas",
            postal_code="69003",
            city="Lyon",
            emails=["jean.durand@example.org"],
            phones=["06 12 34 56 78"],
        ),
        today=today,
    )
    company = factories.make_case(people.creditor_user, today=today)
    for case in (person, company):
        casework.move_stage(
            people.supervisor,
            case,
            pipeline.RETURNED,
            reason="Incomplet",
            return_reason="incomplete",
            today=today,
        )
    later = date(2040, 1, 1)
    erased = {e.debtor_id for e in personal_data.purge(later).erased}
    assert erased == {person.debtor_id, company.debtor_id}
    db.session.expire_all()
    assert db.session.get(Debtor, person.debtor_id).siren is None
    assert db.session.get(Debtor, person.debtor_id).identity_id is None
    assert db.session.get(Debtor, company.debtor_id).siren == factories.VALID_SIRENS[0]


def test_the_export_holds_the_json_and_the_documents(lived_case, people, today):
    export = personal_data.export_debtor(people.supervisor, lived_case.debtor_id, today=today)
    archive = zipfile.ZipFile(io.BytesIO(export.data))
    names = archive.namelist()
    data = json.loads(archive.read("debiteur.json"))
    assert data["debtor"]["name"] == "Client Mauvais Payeur SARL"
    assert {c["value"] for c in data["debtor"]["contacts"]} >= {"compta@mauvais-payeur.example"}
    (case,) = data["cases"]
    assert case["reference"] == lived_case.reference
    for key in (
        "invoices",
        "payments",
        "plans",
        "promises",
        "calls",
        "letters",
        "timeline",
        "messages",
        "documents",
    ):
        assert key in case
    assert case["payments"][0]["amount_cents"] == 129_792
    assert case["calls"][0]["notes"].startswith("M. Durand")
    assert "token_hash" not in json.dumps(data) and "storage_key" not in json.dumps(data)
    files = [d["file"] for d in case["documents"]]
    assert files and all(f in names for f in files)
    contract = next(d for d in case["documents"] if d["original_name"] == "contrat-durand.pdf")
    assert archive.read(contract["file"]) == factories.minimal_pdf()
    event = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "debtor.export")
    ).one()
    assert event.actor_id == people.supervisor.id and event.entity_id == lived_case.debtor_id
    assert event.changes["documents"] == len(files)


def test_the_export_is_refused_to_agents_and_creditors(lived_case, people, today):
    for user in (people.agent, people.creditor_admin, people.creditor_user):
        with pytest.raises(Forbidden):
            personal_data.export_debtor(user, lived_case.debtor_id, today=today)
    assert (
        db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "debtor.export")).all()
        == []
    )


def test_after_erasure_the_export_says_the_files_are_gone(lived_case, people, today):
    personal_data.purge(AFTER_RETENTION)
    export = personal_data.export_debtor(people.admin, lived_case.debtor_id, today=AFTER_RETENTION)
    archive = zipfile.ZipFile(io.BytesIO(export.data))
    assert archive.namelist() == ["debiteur.json"]
    data = json.loads(archive.read("debiteur.json"))
    assert data["debtor"]["anonymised_at"] and data["debtor"]["contacts"] == []
    assert all(d["erased"] and d["file"] is None for d in data["cases"][0]["documents"])


def test_a_card_payment_keeps_its_intent_and_its_stripe_event_loses_the_cardholder(
    people, today, amicable_case
):
    from app.models import StripeEvent

    payments.record_payment(
        people.agent,
        amicable_case,
        amount_cents=129_792,
        received_on=today,
        method="card",
        reference="pi_test_durand",
        today=today,
    )
    db.session.add(
        StripeEvent(
            event_id="evt_test_1",
            type="payment_intent.succeeded",
            payment_intent="pi_test_durand",
            payload={
                "id": "evt_test_1",
                "type": "payment_intent.succeeded",
                "data": {
                    "object": {
                        "id": "pi_test_durand",
                        "amount": 129_792,
                        "currency": "eur",
                        "status": "succeeded",
                        "billing_details": {"name": "Jean Durand", "email": "jd@example.org"},
                    }
                },
            },
        )
    )
    db.session.commit()
    assert [e.debtor_id for e in personal_data.purge(AFTER_RETENTION).erased] == [
        amicable_case.debtor_id
    ]
    db.session.expire_all()
    assert db.session.scalars(sa.select(Payment.reference)).one() == "pi_test_durand"
    payload = db.session.scalars(sa.select(StripeEvent.payload)).one()
    assert payload["data"]["object"] == {
        "id": "pi_test_durand",
        "amount": 129_792,
        "currency": "eur",
        "status": "succeeded",
    }
    assert "Jean Durand" not in json.dumps(payload)
    assert "jd@example.org" not in json.dumps(payload)
    assert ledger.verify() == []


def test_a_new_claim_cannot_reuse_an_erased_debtors_record(lived_case, people):
    from app.services import intake
    from app.services.errors import ValidationFailed

    personal_data.purge(AFTER_RETENTION)
    with pytest.raises(ValidationFailed) as refused:
        intake.submit_case(
            people.creditor_user,
            debtor_id=lived_case.debtor_id,
            invoices=[factories.invoice("N-1", 10_000, issued=date(2032, 11, 1), days=30)],
            today=AFTER_RETENTION,
        )
    assert "debtor_id" in refused.value.errors
