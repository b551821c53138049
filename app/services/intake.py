"""Submitting an overdue file: debtor, invoices and supporting documents, in one transaction."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from flask import current_app

from app.domain import identifiers
from app.domain.i18n import N_
from app.domain.intake import InvoiceInput, case_reference, claim_cents, duplicate_numbers
from app.domain.intake import invoice_errors as invoice_row_errors
from app.extensions import db
from app.integrations import storage
from app.models import (
    Case,
    Debtor,
    DebtorContact,
    DebtorIdentity,
    Document,
    Invoice,
    Organisation,
)
from app.models.case import UPLOAD_KINDS
from app.models.debtor import DEBTOR_KINDS
from app.services import access
from app.services.audit import add_timeline, record_audit
from app.services.errors import Forbidden, ValidationFailed


@dataclass
class DebtorInput:
    kind: str
    name: str
    siren: str = ""
    address_line1: str = ""
    address_line2: str = ""
    postal_code: str = ""
    city: str = ""
    country: str = "FR"
    emails: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)


@dataclass
class UploadInput:
    filename: str
    data: bytes
    kind: str = "other"


def _debtor_errors(data: DebtorInput) -> tuple[dict[str, list[str]], str | None, list[str]]:
    errors: dict[str, list[str]] = {}
    siren = None
    phones: list[str] = []
    if data.kind not in DEBTOR_KINDS:
        errors["debtor.kind"] = [N_("Choisissez entreprise ou particulier.")]
    if not data.name.strip():
        errors["debtor.name"] = [N_("Indiquez le nom du débiteur.")]
    if data.siren.strip():
        try:
            siren = identifiers.normalise_siren(data.siren)
        except identifiers.InvalidIdentifier as exc:
            errors["debtor.siren"] = [str(exc)]
    elif data.kind == "company":
        errors["debtor.siren"] = [N_("Indiquez le SIREN de l'entreprise.")]
    if not data.postal_code.strip() or not data.city.strip() or not data.address_line1.strip():
        errors["debtor.address"] = [N_("Indiquez l'adresse postale complète.")]
    for raw in data.emails:
        if raw.strip():
            try:
                validate_email(raw.strip(), check_deliverability=False)
            except EmailNotValidError:
                errors.setdefault("debtor.emails", []).append(f"{raw} : adresse e-mail invalide.")
    for raw in data.phones:
        if not raw.strip():
            continue
        try:
            phones.append(identifiers.normalise_phone(raw, (data.country or "FR").upper()))
        except identifiers.InvalidIdentifier as exc:
            errors.setdefault("debtor.phones", []).append(f"{raw} : {exc}")
    return errors, siren, phones


def _identity_for(siren: str) -> DebtorIdentity:
    identity = db.session.scalars(
        sa.select(DebtorIdentity).where(DebtorIdentity.siren == siren)
    ).first()
    if identity is None:
        identity = DebtorIdentity(siren=siren)
        db.session.add(identity)
    return identity


def _new_debtor(
    creditor_id: int,
    data: DebtorInput,
    siren: str | None,
    phones: list[str],
    identity: DebtorIdentity | None = None,
):
    if siren and identity is None:
        identity = _identity_for(siren)
    debtor = Debtor(
        creditor_id=creditor_id,
        kind=data.kind,
        name=data.name.strip(),
        siren=siren,
        address_line1=data.address_line1.strip() or None,
        address_line2=data.address_line2.strip() or None,
        postal_code=data.postal_code.strip() or None,
        city=data.city.strip() or None,
        country=(data.country or "FR").upper(),
        identity=identity if siren else None,
    )
    for email in data.emails:
        if email.strip():
            debtor.contacts.append(DebtorContact(kind="email", value=email.strip().lower()))
    for phone in phones:
        debtor.contacts.append(DebtorContact(kind="phone", value=phone))
    db.session.add(debtor)
    return debtor


def _check_uploads(uploads: list[UploadInput]) -> tuple[list, dict[str, list[str]]]:
    """Validate every upload; return the checked ones and field errors (uploads.N)."""
    errors: dict[str, list[str]] = {}
    checked: list[tuple[UploadInput, storage.CheckedUpload]] = []
    max_bytes = current_app.config["MAX_UPLOAD_BYTES"]
    for index, upload in enumerate(uploads):
        if upload.kind not in UPLOAD_KINDS:
            errors.setdefault(f"uploads.{index}", []).append(N_("Type de document inconnu."))
            continue
        try:
            checked.append((upload, storage.check_upload(upload.filename, upload.data, max_bytes)))
        except storage.UploadRejected as exc:
            errors.setdefault(f"uploads.{index}", []).append(str(exc))
    return checked, errors


def _store_documents(actor, case: Case, checked: list, stored_keys: list[str]) -> list[Document]:
    """Write the files, then their rows; `stored_keys` lets the caller clean up on failure."""
    documents = []
    for upload, file in checked:
        key = storage.save(file.data)
        stored_keys.append(key)
        document = Document(
            kind=upload.kind,
            original_name=file.original_name,
            content_type=file.content_type,
            size_bytes=file.size_bytes,
            sha256=file.sha256,
            storage_key=key,
            uploaded_by_id=getattr(actor, "id", None),
        )
        case.documents.append(document)
        documents.append(document)
    db.session.flush()
    return documents


def submit_case(
    actor,
    *,
    invoices: list[InvoiceInput],
    debtor: DebtorInput | None = None,
    debtor_id: int | None = None,
    uploads: list[UploadInput] | None = None,
    creditor_id: int | None = None,
    external_ref: str | None = None,
    formal_notice_received_on: date | None = None,
    today: date,
) -> Case:
    """Create a case in intake. Raises ValidationFailed listing every problem; saves nothing then.

    `creditor_id` defaults to the actor's organisation; agency staff must name the creditor.
    """
    if actor.is_creditor_staff:
        creditor_id = actor.organisation_id
    else:
        creditor = db.session.get(Organisation, creditor_id) if creditor_id else None
        if creditor is None or creditor.kind != "creditor":
            raise Forbidden(N_("Indiquez le créancier du dossier."))

    errors: dict[str, list[str]] = {}
    existing_debtor = None
    siren = None
    phones: list[str] = []
    if debtor_id is not None:
        existing_debtor = db.session.scalars(
            access.visible_debtors(actor).where(
                Debtor.id == debtor_id,
                Debtor.creditor_id == creditor_id,
                # An erased debtor's record is history: a new claim starts a new debtor.
                Debtor.anonymised_at.is_(None),
            )
        ).first()
        if existing_debtor is None:
            errors["debtor_id"] = [N_("Débiteur introuvable.")]
    elif debtor is not None:
        debtor_errors, siren, phones = _debtor_errors(debtor)
        errors.update(debtor_errors)
    else:
        errors["debtor"] = [N_("Choisissez ou créez un débiteur.")]

    if not invoices:
        errors["invoices"] = [N_("Ajoutez au moins une facture.")]
    for index, invoice in enumerate(invoices):
        for field_name, message in invoice_row_errors(invoice).items():
            errors.setdefault(f"invoices.{index}.{field_name}", []).append(message)
    for number in duplicate_numbers(invoices):
        errors.setdefault("invoices", []).append(f"La facture {number} apparaît deux fois.")

    if formal_notice_received_on is not None and formal_notice_received_on > today:
        errors["formal_notice_received_on"] = [
            N_("La date de réception ne peut pas être dans le futur.")
        ]

    checked, upload_errors = _check_uploads(uploads or [])
    errors.update(upload_errors)
    if errors:
        raise ValidationFailed(errors)

    debtor_row = existing_debtor or _new_debtor(creditor_id, debtor, siren, phones)
    case = Case(
        creditor_id=creditor_id,
        debtor=debtor_row,
        opened_on=today,
        next_action_on=today,
        external_ref=external_ref,
        formal_notice_received_on=formal_notice_received_on,
        claim_cents=claim_cents(invoices),
    )
    for invoice in invoices:
        case.invoices.append(
            Invoice(
                number=invoice.number.strip(),
                issue_date=invoice.issue_date,
                due_date=invoice.due_date,
                amount_cents=invoice.amount_cents,
                paid_cents=invoice.paid_cents,
            )
        )
    db.session.add(case)
    db.session.flush()
    case.reference = case_reference(today, case.id)

    stored_keys: list[str] = []
    try:
        _store_documents(actor, case, checked, stored_keys)
        add_timeline(
            case,
            actor,
            "submitted",
            data={"invoices": len(invoices), "documents": len(checked)},
            visible_to_creditor=True,
        )
        record_audit(
            actor,
            "case.submitted",
            "case",
            case.id,
            case_id=case.id,
            changes={
                "reference": case.reference,
                "debtor_id": debtor_row.id,
                "invoices": [i.number for i in invoices],
                "claim_cents": case.claim_cents,
                **({"external_ref": external_ref} if external_ref else {}),
                **(
                    {"formal_notice_received_on": formal_notice_received_on}
                    if formal_notice_received_on
                    else {}
                ),
            },
        )
        db.session.commit()
    except Exception:
        db.session.rollback()
        for key in stored_keys:  # No orphan files when the transaction fails.
            storage.delete(key)
        raise
    return case


def add_documents(actor, case: Case, uploads: list[UploadInput]) -> list[Document]:
    """Attach more supporting documents to a case the actor can see."""
    checked, errors = _check_uploads(uploads)
    if not uploads:
        errors["uploads"] = [N_("Choisissez au moins un fichier.")]
    if errors:
        raise ValidationFailed(errors)
    stored_keys: list[str] = []
    try:
        documents = _store_documents(actor, case, checked, stored_keys)
        add_timeline(
            case,
            actor,
            "documents_added",
            data={"names": [d.original_name for d in documents]},
            visible_to_creditor=True,
        )
        for document in documents:
            record_audit(
                actor,
                "document.added",
                "document",
                document.id,
                case_id=case.id,
                changes={"name": document.original_name, "sha256": document.sha256},
            )
        db.session.commit()
    except Exception:
        db.session.rollback()
        for key in stored_keys:  # No orphan files when the transaction fails.
            storage.delete(key)
        raise
    return documents


@dataclass
class BulkCase:
    """One case of a bulk submission (a file import): a new debtor or a known one, no uploads."""

    invoices: list[InvoiceInput]
    debtor: DebtorInput | None = None
    debtor_id: int | None = None
    external_ref: str | None = None


def add_cases_bulk(
    actor, cases: list[BulkCase], *, today: date, source: dict | None = None, progress=None
) -> list[Case]:
    """Many cases at once under submit_case's rules, audit and timeline, in few statements.

    Validates every case first and raises ValidationFailed (keys cases.N.<field>) with nothing
    added; then adds and flushes everything. The caller commits, so that its own bookkeeping
    (the import batch) lands in the same transaction, and rolls back on failure.
    `progress(done, total)` is called as cases are built.
    """
    if not actor.is_creditor_staff:
        raise Forbidden(N_("Seul le créancier importe ses factures."))
    creditor_id = actor.organisation_id
    known_ids = {c.debtor_id for c in cases if c.debtor_id is not None}
    known = {
        d.id: d
        for d in db.session.scalars(
            access.visible_debtors(actor).where(
                Debtor.id.in_(known_ids),
                Debtor.creditor_id == creditor_id,
                Debtor.anonymised_at.is_(None),
            )
        )
    }
    errors: dict[str, list[str]] = {}
    checked_debtors: list[tuple[str | None, list[str]]] = []
    for n, item in enumerate(cases):
        siren, phones = None, []
        if item.debtor_id is not None:
            if item.debtor_id not in known:
                errors[f"cases.{n}.debtor_id"] = [N_("Débiteur introuvable.")]
        elif item.debtor is not None:
            debtor_errors, siren, phones = _debtor_errors(item.debtor)
            for key, messages in debtor_errors.items():
                errors[f"cases.{n}.{key}"] = messages
        else:
            errors[f"cases.{n}.debtor"] = [N_("Choisissez ou créez un débiteur.")]
        checked_debtors.append((siren, phones))
        if not item.invoices:
            errors[f"cases.{n}.invoices"] = [N_("Ajoutez au moins une facture.")]
        for index, invoice in enumerate(item.invoices):
            for field_name, message in invoice_row_errors(invoice).items():
                errors.setdefault(f"cases.{n}.invoices.{index}.{field_name}", []).append(message)
        for number in duplicate_numbers(item.invoices):
            errors.setdefault(f"cases.{n}.invoices", []).append(
                f"La facture {number} apparaît deux fois."
            )
    if errors:
        raise ValidationFailed(errors)

    # One query for the identities of every SIREN, instead of one per debtor.
    sirens = {siren for siren, _phones in checked_debtors if siren}
    identities = {
        i.siren: i
        for i in db.session.scalars(
            sa.select(DebtorIdentity).where(DebtorIdentity.siren.in_(sirens))
        )
    }
    rows: list[Case] = []
    total = len(cases)
    for n, (item, (siren, phones)) in enumerate(zip(cases, checked_debtors, strict=True)):
        if item.debtor_id is not None:
            debtor_row = known[item.debtor_id]
        else:
            identity = None
            if siren:
                identity = identities.get(siren)
                if identity is None:
                    identity = identities[siren] = DebtorIdentity(siren=siren)
            debtor_row = _new_debtor(creditor_id, item.debtor, siren, phones, identity)
        case = Case(
            creditor_id=creditor_id,
            debtor=debtor_row,
            opened_on=today,
            next_action_on=today,
            external_ref=item.external_ref or None,
            claim_cents=claim_cents(item.invoices),
        )
        case.invoices = [
            Invoice(
                number=invoice.number.strip(),
                issue_date=invoice.issue_date,
                due_date=invoice.due_date,
                amount_cents=invoice.amount_cents,
                paid_cents=invoice.paid_cents,
            )
            for invoice in item.invoices
        ]
        db.session.add(case)
        rows.append(case)
        if progress is not None and (n + 1) % 500 == 0:
            progress(n + 1, total)
    db.session.flush()
    for item, case in zip(cases, rows, strict=True):
        case.reference = case_reference(today, case.id)
        add_timeline(
            case,
            actor,
            "submitted",
            data={"invoices": len(item.invoices), "documents": 0, **(source or {})},
            visible_to_creditor=True,
        )
        record_audit(
            actor,
            "case.submitted",
            "case",
            case.id,
            case_id=case.id,
            changes={
                "reference": case.reference,
                "debtor_id": case.debtor.id,
                "invoices": [i.number for i in item.invoices],
                "claim_cents": case.claim_cents,
                **(source or {}),
            },
        )
    db.session.flush()
    if progress is not None:
        progress(total, total)
    return rows
