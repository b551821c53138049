"""Submitting an overdue file: debtor, invoices and supporting documents, in one transaction."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from flask import current_app

from app.domain import identifiers, pipeline
from app.domain.i18n import N_
from app.domain.intake import InvoiceInput, case_reference, claim_cents, duplicate_numbers
from app.domain.intake import invoice_errors as invoice_row_errors
from app.extensions import db
from app.integrations import storage
from app.models import (
    AuditEvent,
    Case,
    Debtor,
    DebtorContact,
    DebtorIdentity,
    Document,
    Invoice,
    Organisation,
    TimelineEntry,
)
from app.models.base import utcnow
from app.models.case import UPLOAD_KINDS
from app.models.debtor import DEBTOR_KINDS
from app.services import access
from app.services.audit import add_timeline, audit_values, record_audit, timeline_values
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


@dataclass(frozen=True)
class AddedCase:
    """A case add_cases_bulk created: what its caller reports, without loading the case."""

    id: int
    reference: str
    debtor_id: int
    claim_cents: int


# Cases per round of inserts: each round is the same few statements (one per table), whatever
# the file's size, and only one round's rows are in memory at a time.
BULK_BATCH = 1000
# Ids per IN (...) when reading: well under SQLite's and PostgreSQL's bind-parameter limits.
_IN_CHUNK = 5000


def _debtor_key(data: DebtorInput) -> tuple:
    return (
        data.kind,
        data.name,
        data.siren,
        data.address_line1,
        data.address_line2,
        data.postal_code,
        data.city,
        data.country,
        tuple(data.emails),
        tuple(data.phones),
    )


def checked_debtor(
    data: DebtorInput, cache: dict | None = None
) -> tuple[dict[str, list[str]], str | None, list[str]]:
    """_debtor_errors, remembered in `cache` (one import's dict) for a debtor checked twice:
    by the import's plan, then by add_cases_bulk. The result is shared: do not modify it."""
    if cache is None:
        return _debtor_errors(data)
    key = _debtor_key(data)
    found = cache.get(key)
    if found is None:
        found = cache[key] = _debtor_errors(data)
    return found


def _chunks(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _insert_with_ids(conn, table: sa.Table, rows: list[dict], derived=None) -> list[int]:
    """Insert the rows and return their new ids, in order. `derived(id)` gives the columns
    made from the id (a case's reference).

    PostgreSQL: the ids are drawn from the table's sequence in one query and the rows written
    with them, derived columns included (a plain executemany, which psycopg pipelines; an
    INSERT ... RETURNING of many rows costs several times more there). Elsewhere (SQLite):
    INSERT ... RETURNING, then the derived columns by one executemany UPDATE.
    """
    if not rows:
        return []
    if conn.dialect.name == "postgresql":
        ids = list(
            conn.execute(
                sa.text(
                    "SELECT nextval(pg_get_serial_sequence(:table, 'id'))"
                    " FROM generate_series(1, :n)"
                ),
                {"table": table.name, "n": len(rows)},
            ).scalars()
        )
        for row, new_id in zip(rows, ids, strict=True):
            row["id"] = new_id
            if derived is not None:
                row.update(derived(new_id))
        _insert(conn, table, rows)
        return ids
    ids = list(
        conn.execute(
            table.insert().returning(table.c.id, sort_by_parameter_order=True), rows
        ).scalars()
    )
    if derived is not None:
        values = [{**{f"b_{k}": v for k, v in derived(i).items()}, "b_id": i} for i in ids]
        conn.execute(
            table.update()
            .where(table.c.id == sa.bindparam("b_id"))
            .values({k[2:]: sa.bindparam(k) for k in values[0] if k != "b_id"}),
            values,
        )
    return ids


def _insert(conn, table: sa.Table, rows: list[dict]) -> None:
    """Insert the rows (dicts with the same keys). On PostgreSQL through psycopg: COPY, in the
    session's transaction, each value through its column type's bind processing (JSON, UTC
    datetimes) as an INSERT would; a pipelined executemany took 3 to 4 times as long for
    100,000 invoices. Elsewhere: an executemany INSERT."""
    if not rows:
        return
    dialect = conn.dialect
    if dialect.name != "postgresql" or dialect.driver != "psycopg":
        conn.execute(table.insert(), rows)
        return
    names = list(rows[0])
    processors = [table.c[name].type._cached_bind_processor(dialect) for name in names]
    quote = dialect.identifier_preparer.quote
    statement = f"COPY {quote(table.name)} ({', '.join(quote(name) for name in names)}) FROM STDIN"
    cursor = conn.connection.driver_connection.cursor()
    with cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(
                [
                    value if process is None or value is None else process(value)
                    for value, process in zip(
                        [row[name] for name in names], processors, strict=True
                    )
                ]
            )


def add_cases_bulk(
    actor,
    cases: list[BulkCase],
    *,
    today: date,
    source: dict | None = None,
    progress=None,
    checks: dict | None = None,
) -> list[AddedCase]:
    """Many cases at once under submit_case's rules, audit and timeline, in few statements.

    Validates every case first and raises ValidationFailed (keys cases.N.<field>) with nothing
    added; then writes them with Core inserts, BULK_BATCH cases per round (debtors, contacts,
    cases, invoices, timeline, audit: one statement per table and round). The caller commits,
    so that its own bookkeeping (the import batch) lands in the same transaction, and rolls
    back on failure: then nothing of any round remains. `progress(done, total)` is called
    after each round. `checks`: see checked_debtor.
    """
    if not actor.is_creditor_staff:
        raise Forbidden(N_("Seul le créancier importe ses factures."))
    creditor_id = actor.organisation_id
    known_ids = sorted({c.debtor_id for c in cases if c.debtor_id is not None})
    known: set[int] = set()
    for chunk in _chunks(known_ids, _IN_CHUNK):
        known.update(
            db.session.scalars(
                access.visible_debtors(actor)
                .where(
                    Debtor.id.in_(chunk),
                    Debtor.creditor_id == creditor_id,
                    Debtor.anonymised_at.is_(None),
                )
                .with_only_columns(Debtor.id)
            )
        )
    errors: dict[str, list[str]] = {}
    checked_debtors: list[tuple[str | None, list[str]]] = []
    for n, item in enumerate(cases):
        siren, phones = None, []
        if item.debtor_id is not None:
            if item.debtor_id not in known:
                errors[f"cases.{n}.debtor_id"] = [N_("Débiteur introuvable.")]
        elif item.debtor is not None:
            debtor_errors, siren, phones = checked_debtor(item.debtor, checks)
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

    conn = db.session.connection()
    now = utcnow()
    # One identity per SIREN, shared by every creditor's debtor with that SIREN.
    sirens = sorted({siren for siren, _phones in checked_debtors if siren})
    identities: dict[str, int] = {}
    for chunk in _chunks(sirens, _IN_CHUNK):
        identities.update(
            conn.execute(
                sa.select(DebtorIdentity.siren, DebtorIdentity.id).where(
                    DebtorIdentity.siren.in_(chunk)
                )
            ).all()
        )
    new_sirens = [siren for siren in sirens if siren not in identities]
    for chunk in _chunks(new_sirens, BULK_BATCH * 5):
        ids = _insert_with_ids(conn, DebtorIdentity.__table__, [{"siren": s} for s in chunk])
        identities.update(zip(chunk, ids, strict=True))

    added: list[AddedCase] = []
    total = len(cases)
    for start in range(0, total, BULK_BATCH):
        numbers = range(start, min(start + BULK_BATCH, total))
        new_debtors = [n for n in numbers if cases[n].debtor_id is None]
        debtor_rows = [
            _debtor_row(creditor_id, cases[n].debtor, checked_debtors[n][0], identities, now)
            for n in new_debtors
        ]
        debtor_of = dict(
            zip(new_debtors, _insert_with_ids(conn, Debtor.__table__, debtor_rows), strict=True)
        )
        contacts = []
        for n in new_debtors:
            debtor_id = debtor_of[n]
            for email in cases[n].debtor.emails:
                if email.strip():
                    contacts.append(
                        {"debtor_id": debtor_id, "kind": "email", "value": email.strip().lower()}
                    )
            for phone in checked_debtors[n][1]:
                contacts.append({"debtor_id": debtor_id, "kind": "phone", "value": phone})
        _insert(conn, DebtorContact.__table__, contacts)

        case_rows = []
        for n in numbers:
            item = cases[n]
            case_rows.append(
                {
                    "creditor_id": creditor_id,
                    "debtor_id": item.debtor_id if item.debtor_id is not None else debtor_of[n],
                    "stage": pipeline.INTAKE,
                    "opened_on": today,
                    "next_action_on": today,
                    "external_ref": item.external_ref or None,
                    "claim_cents": claim_cents(item.invoices),
                    "currency": "EUR",
                    "stage_changed_at": now,
                    "created_at": now,
                    # add_timeline's rule: the timeline entry below changes the case.
                    "updated_at": now,
                }
            )
        case_ids = _insert_with_ids(
            conn,
            Case.__table__,
            case_rows,
            lambda case_id: {"reference": case_reference(today, case_id)},
        )

        invoices, timeline, audit = [], [], []
        for n, row, case_id in zip(numbers, case_rows, case_ids, strict=True):
            item = cases[n]
            reference = case_reference(today, case_id)
            for invoice in item.invoices:
                invoices.append(
                    {
                        "case_id": case_id,
                        "number": invoice.number.strip(),
                        "issue_date": invoice.issue_date,
                        "due_date": invoice.due_date,
                        "amount_cents": invoice.amount_cents,
                        "paid_cents": invoice.paid_cents,
                        "currency": "EUR",
                        "disputed": False,
                    }
                )
            timeline.append(
                {
                    **timeline_values(
                        case_id,
                        actor,
                        "submitted",
                        data={"invoices": len(item.invoices), "documents": 0, **(source or {})},
                        visible_to_creditor=True,
                    ),
                    "occurred_at": now,
                }
            )
            audit.append(
                {
                    **audit_values(
                        actor,
                        "case.submitted",
                        "case",
                        case_id,
                        case_id=case_id,
                        changes={
                            "reference": reference,
                            "debtor_id": row["debtor_id"],
                            "invoices": [i.number for i in item.invoices],
                            "claim_cents": row["claim_cents"],
                            **(source or {}),
                        },
                    ),
                    "occurred_at": now,
                }
            )
            added.append(AddedCase(case_id, reference, row["debtor_id"], row["claim_cents"]))
        _insert(conn, Invoice.__table__, invoices)
        _insert(conn, TimelineEntry.__table__, timeline)
        _insert(conn, AuditEvent.__table__, audit)
        if progress is not None:
            progress(numbers.stop, total)
    return added


def _debtor_row(
    creditor_id: int, data: DebtorInput, siren: str | None, identities: dict, now
) -> dict:
    # _new_debtor's columns, as a row.
    return {
        "creditor_id": creditor_id,
        "identity_id": identities[siren] if siren else None,
        "kind": data.kind,
        "name": data.name.strip(),
        "siren": siren,
        "address_line1": data.address_line1.strip() or None,
        "address_line2": data.address_line2.strip() or None,
        "postal_code": data.postal_code.strip() or None,
        "city": data.city.strip() or None,
        "country": (data.country or "FR").upper(),
        "created_at": now,
        "updated_at": now,
    }
