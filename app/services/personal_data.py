"""A debtor's personal data (LAW.md section 8): export it on request, erase it after retention.

The export is the right of access: one ZIP with everything the agency holds about one debtor
(a JSON file and the documents themselves), for supervisors and the agency admin, audited.

The erasure anonymises a debtor once domain.retention says its retention is over: who the
debtor is (name, addresses, contacts, an individual's SIREN), the free text that may name or
describe them (call, timeline, message, payment, plan notes), its payment-page links and its
documents' files. The books stay: cases, invoice numbers, amounts and dates, payments, ledger
entries and remittances are kept as they are, so statements and `ledger verify` still hold.
The audit log is append-only: the erasure adds an event (ids and counts only), it never
rewrites older ones.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from app.clock import paris_date
from app.domain import pipeline, retention
from app.extensions import db
from app.integrations import storage
from app.models import (
    ApprovalRequest,
    CadenceAction,
    CallLog,
    Case,
    ClaimDeclaration,
    Debtor,
    DebtorContact,
    DebtorLink,
    Document,
    JudicialProcedure,
    Letter,
    Message,
    Payment,
    PaymentPlan,
    PlanInstallment,
    ProcedureStep,
    Promise,
    StripeEvent,
    Task,
    TimelineEntry,
)
from app.models.base import utcnow
from app.services import access, prescription
from app.services.audit import _jsonable, record_audit

EXPORT_FORMAT = "recouvra-debtor-export/1"
# A document whose file was erased keeps its row (letters and steps point to it) under this key.
ERASED_KEY_PREFIX = "erased"
_CHUNK = 5000
ERASED_MESSAGE = "(message effacé à la fin de la durée de conservation)"

# Never exported: secrets and internal bookkeeping that say nothing about the debtor.
_NOT_EXPORTED = {"token_hash", "storage_key", "idempotency_key", "claimed_at", "source_key"}


# --- Export (right of access) -----------------------------------------------------------


def _row(obj, *, exclude: tuple[str, ...] = ()) -> dict:
    mapper = sa.inspect(obj).mapper
    return {
        attr.key: _jsonable(getattr(obj, attr.key))
        for attr in mapper.column_attrs
        if attr.key not in _NOT_EXPORTED and attr.key not in exclude
    }


def _all(model, *criteria, order=None) -> list:
    query = sa.select(model).where(*criteria).order_by(order if order is not None else model.id)
    return list(db.session.scalars(query))


def document_is_erased(document: Document) -> bool:
    return document.storage_key.startswith(ERASED_KEY_PREFIX)


def _document_entry(document: Document) -> tuple[dict, str | None]:
    entry = _row(document)
    entry["erased"] = document_is_erased(document)
    path = None
    if not entry["erased"]:
        path = f"documents/{document.id}-{storage.safe_display_name(document.original_name)}"
    entry["file"] = path
    return entry, path


def _case_export(case: Case) -> tuple[dict, list[tuple[str, Document]]]:
    files = []
    documents = []
    for document in case.documents:
        entry, path = _document_entry(document)
        documents.append(entry)
        if path:
            files.append((path, document))
    plans = []
    for plan in _all(PaymentPlan, PaymentPlan.case_id == case.id):
        item = _row(plan)
        item["installments"] = [_row(i) for i in plan.installments]
        plans.append(item)
    procedures = []
    for procedure in _all(JudicialProcedure, JudicialProcedure.case_id == case.id):
        item = _row(procedure)
        item["steps"] = [_row(s) for s in procedure.steps]
        procedures.append(item)
    data = _row(case)
    data.update(
        creditor=case.creditor.legal_name,
        invoices=[_row(i) for i in case.invoices],
        payments=[_row(p) for p in _all(Payment, Payment.case_id == case.id)],
        plans=plans,
        promises=[_row(p) for p in _all(Promise, Promise.case_id == case.id)],
        calls=[_row(c) for c in _all(CallLog, CallLog.case_id == case.id)],
        letters=[_row(x) for x in _all(Letter, Letter.case_id == case.id)],
        timeline=[
            _row(t)
            for t in _all(
                TimelineEntry,
                TimelineEntry.case_id == case.id,
                order=TimelineEntry.occurred_at,
            )
        ],
        messages=[_row(m) for m in _all(Message, Message.case_id == case.id)],
        procedures=procedures,
        claim_declarations=[
            _row(d) for d in _all(ClaimDeclaration, ClaimDeclaration.case_id == case.id)
        ],
        documents=documents,
    )
    return data, files


def _debtor_cases(debtor_id: int) -> list[Case]:
    return _all(Case, Case.debtor_id == debtor_id)


@dataclass(frozen=True)
class DebtorExport:
    filename: str
    data: bytes
    cases: int
    documents: int


def export_debtor(actor, debtor_id: int, *, today: date) -> DebtorExport:
    """Everything about one debtor as a ZIP: `debiteur.json` and `documents/`. Agency
    supervisors and admins only (actor None: the command line); audited with ids and counts."""
    if actor is not None:
        access.require_manager(actor)
        debtor = access.get_debtor(actor, debtor_id)
    else:
        debtor = db.session.get(Debtor, debtor_id)
        if debtor is None:
            from app.domain.i18n import N_
            from app.services.errors import NotFound

            raise NotFound(N_("Débiteur introuvable."))
    cases = _debtor_cases(debtor.id)
    payload = {
        "format": EXPORT_FORMAT,
        "exported_at": _jsonable(utcnow()),
        "debtor": {
            **_row(debtor),
            "contacts": [_row(c) for c in debtor.contacts],
            "identity_siren": debtor.identity.siren if debtor.identity else None,
        },
        "cases": [],
    }
    files: list[tuple[str, Document]] = []
    for case in cases:
        data, case_files = _case_export(case)
        payload["cases"].append(data)
        files.extend(case_files)
    buffer = io.BytesIO()
    written = 0
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "debiteur.json", json.dumps(payload, ensure_ascii=False, indent=2, sort_keys=True)
        )
        for path, document in files:
            try:
                archive.writestr(path, storage.read(document.storage_key))
                written += 1
            except FileNotFoundError:
                archive.writestr(f"{path}.absent.txt", "Fichier absent du stockage.\n")
    record_audit(
        actor,
        "debtor.export",
        "debtor",
        debtor.id,
        changes={
            "cases": [c.id for c in cases],
            "documents": written,
            "origin": "cli" if actor is None else "web",
        },
    )
    db.session.commit()
    return DebtorExport(
        filename=f"debiteur-{debtor.id}-{today.isoformat()}.zip",
        data=buffer.getvalue(),
        cases=len(cases),
        documents=written,
    )


# --- Retention and erasure --------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    debtor_id: int
    kept_until: date
    case_ids: tuple[int, ...]


def _retention_facts(cases: list, limits: dict[int, date | None]) -> list:
    facts = []
    for row in cases:
        ended_on = row.closed_on
        if ended_on is None and row.stage == pipeline.RETURNED:
            ended_on = paris_date(row.stage_changed_at)
        facts.append(
            retention.CaseRetention(
                is_open=pipeline.is_open(row.stage),
                ended_on=ended_on,
                limitation_on=limits.get(row.id),
            )
        )
    return facts


def purge_candidates(today: date) -> list[Candidate]:
    """Debtors not yet anonymised whose every case is finished and past retention."""
    open_debtors = sa.select(Case.debtor_id).where(Case.stage.in_(pipeline.OPEN_STAGES))
    rows = db.session.execute(
        sa.select(Case.id, Case.debtor_id, Case.stage, Case.closed_on, Case.stage_changed_at)
        .join(Debtor, Debtor.id == Case.debtor_id)
        .where(Debtor.anonymised_at.is_(None), Case.debtor_id.not_in(open_debtors))
        .order_by(Case.debtor_id, Case.id)
    ).all()
    by_debtor: dict[int, list] = {}
    for row in rows:
        by_debtor.setdefault(row.debtor_id, []).append(row)
    limits: dict[int, date | None] = {}
    ids = [row.id for row in rows]
    for start in range(0, len(ids), _CHUNK):  # a statement's parameters are bounded
        limits.update(prescription.limitation_dates(ids[start : start + _CHUNK]))
    candidates = []
    for debtor_id, cases in by_debtor.items():
        facts = _retention_facts(cases, limits)
        if retention.is_erasable(facts, today):
            candidates.append(
                Candidate(
                    debtor_id=debtor_id,
                    kept_until=retention.debtor_kept_until(facts),
                    case_ids=tuple(c.id for c in cases),
                )
            )
    return candidates


_EMAIL = re.compile(r"[^\s@]+@[^\s@]+")
# Timeline and task data keys that hold the debtor's words or coordinates.
_PERSONAL_KEYS = {"phone", "names", "email", "to_email", "address", "note", "text", "body"}


def _personal_values(debtor: Debtor) -> list[str]:
    values = [debtor.name, debtor.address_line1, debtor.address_line2]
    values += [c.value for c in debtor.contacts]
    if debtor.kind == "individual":
        values.append(debtor.siren)
    return [v.strip().lower() for v in values if v and len(v.strip()) >= 4]


def scrub_data(value, personal: list[str]):
    """A JSON value with what may identify the debtor replaced by None: email addresses, the
    debtor's own names and coordinates, and the keys that carry free text. Ids, amounts,
    dates and codes stay, so the timeline still reads (and idempotency checks still match)."""
    if isinstance(value, dict):
        return {
            k: (None if k in _PERSONAL_KEYS else scrub_data(v, personal)) for k, v in value.items()
        }
    if isinstance(value, list):
        return [scrub_data(v, personal) for v in value]
    if isinstance(value, str):
        lowered = value.lower()
        if _EMAIL.search(value) or any(p in lowered for p in personal):
            return None
    return value


@dataclass
class Erasure:
    debtor_id: int
    cases: int = 0
    documents_deleted: int = 0


def _case_ids_sq(debtor_id: int):
    return sa.select(Case.id).where(Case.debtor_id == debtor_id)


def anonymise_debtor(actor, debtor_id: int, *, today: date) -> Erasure | None:
    """Erase one debtor's personal data, in one transaction; None if it was already done (or
    is being done by another worker: the claim is one conditional UPDATE)."""
    claimed = db.session.execute(
        sa.update(Debtor)
        .where(Debtor.id == debtor_id, Debtor.anonymised_at.is_(None))
        .values(anonymised_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        db.session.rollback()
        return None
    cases = db.session.execute(
        sa.select(Case.id, Case.stage, Case.closed_on, Case.stage_changed_at).where(
            Case.debtor_id == debtor_id
        )
    ).all()
    facts = _retention_facts(cases, prescription.limitation_dates([c.id for c in cases]))
    if not retention.is_erasable(facts, today):
        # Asked too early, or a case was reopened since the candidates were listed.
        db.session.rollback()
        return None
    debtor = db.session.get(Debtor, debtor_id)
    db.session.refresh(debtor)
    personal = _personal_values(debtor)
    case_ids = list(db.session.scalars(_case_ids_sq(debtor_id)))
    result = Erasure(debtor_id=debtor_id, cases=len(case_ids))
    in_cases = _case_ids_sq(debtor_id)

    identity = debtor.identity
    debtor.name = f"Débiteur anonymisé n° {debtor.id}"
    debtor.address_line1 = debtor.address_line2 = debtor.postal_code = debtor.city = None
    debtor.contact_preference = None
    if debtor.kind == "individual":
        debtor.siren = None
        debtor.identity_id = None
    db.session.execute(sa.delete(DebtorContact).where(DebtorContact.debtor_id == debtor_id))
    db.session.flush()
    if debtor.kind == "individual" and identity is not None:
        still_used = db.session.scalar(
            sa.select(sa.func.count(Debtor.id)).where(Debtor.identity_id == identity.id)
        )
        if not still_used:
            db.session.delete(identity)

    def blank(model, *columns, value=None):
        db.session.execute(
            sa.update(model)
            .where(model.case_id.in_(in_cases))
            .values({column: value for column in columns})
            .execution_options(synchronize_session=False)
        )

    db.session.execute(
        sa.update(Case)
        .where(Case.debtor_id == debtor_id)
        .values(return_note=None)
        .execution_options(synchronize_session=False)
    )
    blank(CallLog, "notes", "phone_number", value="")
    blank(Message, "body", value=ERASED_MESSAGE)
    blank(Promise, "note")
    blank(PaymentPlan, "note", "decision_note", "card_customer", "card_payment_method")
    blank(ApprovalRequest, "note", "decision_note")
    blank(Letter, "sent_to", "last_error")
    blank(CadenceAction, "detail")
    blank(ClaimDeclaration, "note")
    db.session.execute(
        sa.update(ProcedureStep)
        .where(
            ProcedureStep.procedure_id.in_(
                sa.select(JudicialProcedure.id).where(JudicialProcedure.case_id.in_(in_cases))
            )
        )
        .values(note=None)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(sa.delete(DebtorLink).where(DebtorLink.case_id.in_(in_cases)))

    # Card payments keep their PaymentIntent id (the Stripe side of the books); any other
    # reference (a cheque number, a transfer's wording) may carry the debtor's name or bank.
    intents = set()
    for payment in _all(Payment, Payment.case_id.in_(in_cases)):
        payment.note = payment.reversal_note = None
        if payment.reference and payment.reference.startswith("pi_"):
            intents.add(payment.reference)
        else:
            payment.reference = None
    intents |= set(
        db.session.scalars(
            sa.select(PlanInstallment.card_intent_id)
            .join(PaymentPlan, PaymentPlan.id == PlanInstallment.plan_id)
            .where(PaymentPlan.case_id.in_(in_cases), PlanInstallment.card_intent_id.is_not(None))
        )
    )
    for event in _all(StripeEvent, StripeEvent.payment_intent.in_(intents)) if intents else []:
        obj = ((event.payload or {}).get("data") or {}).get("object") or {}
        event.payload = {
            "id": event.event_id,
            "type": event.type,
            "data": {"object": {k: obj.get(k) for k in ("id", "amount", "currency", "status")}},
            "anonymised": True,
        }

    for entry in _all(TimelineEntry, TimelineEntry.case_id.in_(in_cases)):
        entry.text = ""
        entry.data = scrub_data(entry.data or {}, personal)
    for task in _all(Task, Task.case_id.in_(in_cases)):
        task.data = scrub_data(task.data or {}, personal)

    doomed = []
    for document in _all(Document, Document.case_id.in_(in_cases)):
        if document_is_erased(document):
            continue
        doomed.append(document.storage_key)
        document.storage_key = f"{ERASED_KEY_PREFIX}{document.id}"
        document.original_name = f"document-{document.id}"
        document.sha256 = ""
    db.session.flush()
    # Files go before the commit: if the commit then fails, the debtor is still "to erase" and
    # the next run deletes nothing twice (a missing file is fine). The other order could leave
    # files nobody points to any more, with the personal data in them, forever.
    for key in doomed:
        storage.delete(key)
    result.documents_deleted = len(doomed)
    record_audit(
        actor,
        "debtor.anonymise",
        "debtor",
        debtor_id,
        changes={
            "cases": case_ids,
            "documents_deleted": result.documents_deleted,
            "retention_checked_on": today,
        },
    )
    db.session.commit()
    return result


@dataclass
class PurgeReport:
    candidates: list[Candidate]
    erased: list[Erasure] = field(default_factory=list)
    dry_run: bool = False


def purge(today: date, *, dry_run: bool = False, actor=None) -> PurgeReport:
    """Anonymise every debtor past retention (`dry_run`: only say who). Safe to run twice: an
    anonymised debtor is no longer a candidate, and each is claimed once."""
    candidates = purge_candidates(today)
    report = PurgeReport(candidates=candidates, dry_run=dry_run)
    if dry_run:
        return report
    for candidate in candidates:
        done = anonymise_debtor(actor, candidate.debtor_id, today=today)
        if done is not None:
            report.erased.append(done)
    return report
