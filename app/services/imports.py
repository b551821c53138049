"""Bulk import of a creditor's invoices from a file: upload, map the columns, check every row,
then import the valid rows as cases (grouped by debtor) in one transaction."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from flask import current_app

from app.domain import import_rows, money
from app.domain.i18n import N_
from app.domain.intake import InvoiceInput, invoice_errors
from app.extensions import db
from app.integrations import storage
from app.models import Case, Debtor, ImportBatch, ImportMapping, Invoice
from app.models.base import utcnow
from app.services import intake
from app.services.audit import record_audit
from app.services.errors import Forbidden, NotFound, ValidationFailed

# intake's error keys -> our field names, so the report points at the file's column.
_INTAKE_FIELDS = {
    "debtor.kind": "debtor_kind",
    "debtor.name": "debtor_name",
    "debtor.siren": "siren",
    "debtor.address": "address_line1",
    "debtor.emails": "email",
    "debtor.phones": "phone",
    "number": "invoice_number",
    "issue_date": "issue_date",
    "due_date": "due_date",
    "amount": "amount",
    "paid": "paid",
}


def _require_creditor(actor) -> None:
    if not actor.is_creditor_staff:
        raise Forbidden(N_("Seul le créancier importe ses factures."))


def get_batch(user, batch_id: int) -> ImportBatch:
    """The batch, if it is the user's organisation's; another creditor's looks absent."""
    batch = db.session.get(ImportBatch, batch_id)
    if batch is None or not user.is_creditor_staff or batch.creditor_id != user.organisation_id:
        raise NotFound(N_("Import introuvable."))
    return batch


def recent_batches(user, limit: int = 10) -> list[ImportBatch]:
    _require_creditor(user)
    return list(
        db.session.scalars(
            sa.select(ImportBatch)
            .where(ImportBatch.creditor_id == user.organisation_id)
            .order_by(ImportBatch.id.desc())
            .limit(limit)
        )
    )


def remembered_mapping(creditor_id: int) -> dict[str, str]:
    row = db.session.scalars(
        sa.select(ImportMapping).where(ImportMapping.creditor_id == creditor_id)
    ).first()
    return dict(row.mapping) if row else {}


def upload(actor, filename: str, data: bytes) -> ImportBatch:
    """Keep the file and propose a mapping (the creditor's last one where its columns fit, else
    a guess from the column names). Raises ValidationFailed({"file": [why]})."""
    _require_creditor(actor)
    name = storage.safe_display_name(filename or "")
    if len(data) > current_app.config["MAX_UPLOAD_BYTES"]:
        max_mb = current_app.config["MAX_UPLOAD_BYTES"] // (1024 * 1024)
        raise ValidationFailed({"file": [f"« {name} » dépasse la taille maximale de {max_mb} Mo."]})
    if data[:4] == b"PK\x03\x04" and (problem := storage.archive_problem(data)):
        raise ValidationFailed({"file": [f"« {name} » est refusé : {problem}."]})
    try:
        table = import_rows.read_file(name, data)
    except import_rows.UnreadableFile as exc:
        raise ValidationFailed({"file": [str(exc)]}) from exc
    if table.kind == "fec":
        mapping = {key: key for key in table.columns}
    else:
        remembered = {
            key: column
            for key, column in remembered_mapping(actor.organisation_id).items()
            if column in table.columns
        }
        mapping = remembered or import_rows.guess_mapping(table.columns)
    key = storage.save(data)
    batch = ImportBatch(
        creditor_id=actor.organisation_id,
        uploaded_by_id=actor.id,
        original_name=name,
        storage_key=key,
        kind=table.kind,
        mapping=mapping,
        report={"rows": len(table.rows)},
    )
    db.session.add(batch)
    try:
        db.session.flush()
        record_audit(
            actor,
            "import.uploaded",
            "import_batch",
            batch.id,
            changes={"name": name, "kind": table.kind, "rows": len(table.rows)},
        )
        db.session.commit()
    except Exception:
        db.session.rollback()
        storage.delete(key)
        raise
    return batch


def table_of(batch: ImportBatch) -> import_rows.Table:
    return import_rows.read_file(batch.original_name, storage.read(batch.storage_key))


@dataclass
class Plan:
    """What importing the file would do: the cases to create and every bad row."""

    rows: int
    cases: list[intake.BulkCase] = field(default_factory=list)
    lines: list[list[int]] = field(default_factory=list)  # file lines of each case
    errors: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def valid_rows(self) -> int:
        return sum(len(lines) for lines in self.lines)

    def report(self) -> dict:
        bad = {e["row"] for e in self.errors}
        return {
            "rows": self.rows,
            "valid": self.valid_rows,
            "invalid": len(bad),
            "cases": len(self.cases),
            "errors": self.errors,
            "notes": self.notes,
        }


@dataclass
class _Row:
    line: int
    values: dict
    invoice: InvoiceInput | None = None
    errors: list[dict] = field(default_factory=list)

    def error(self, field_name: str, message: str, **params) -> None:
        self.errors.append(
            {"row": self.line, "field": field_name, "message": message, "params": params}
        )


def _parse(line: int, values: dict) -> _Row:
    row = _Row(line, values)
    dates, cents = {}, {}
    for key in ("issue_date", "due_date"):
        try:
            dates[key] = import_rows.parse_date(values.get(key))
        except ValueError as exc:
            row.error(key, str(exc))
            dates[key] = "bad"
    for key in ("amount", "paid"):
        try:
            cents[key] = import_rows.parse_cents(values.get(key))
        except money.InvalidAmount as exc:
            row.error(key, str(exc))
            cents[key] = "bad"
    invoice = InvoiceInput(
        number=import_rows.text(values.get("invoice_number")),
        issue_date=None if dates["issue_date"] == "bad" else dates["issue_date"],
        due_date=None if dates["due_date"] == "bad" else dates["due_date"],
        amount_cents=None if cents["amount"] == "bad" else cents["amount"],
        paid_cents=0 if cents["paid"] in ("bad", None) else cents["paid"],
    )
    already = {e["field"] for e in row.errors}
    for key, message in invoice_errors(invoice).items():
        name = _INTAKE_FIELDS.get(key, key)
        if name not in already:  # "invalid date" already said; not also "missing date"
            row.error(name, message)
    if len(invoice.number) > 50:
        row.error("invoice_number", N_("Numéro de facture trop long (50 caractères au plus)."))
    row.invoice = invoice
    return row


def _debtor_input(values: dict) -> intake.DebtorInput:
    siren = import_rows.text(values.get("siren"))
    return intake.DebtorInput(
        kind=import_rows.parse_kind(values.get("debtor_kind"), has_siren=bool(siren)),
        name=import_rows.text(values.get("debtor_name")),
        siren=siren,
        address_line1=import_rows.text(values.get("address_line1")),
        address_line2=import_rows.text(values.get("address_line2")),
        postal_code=import_rows.text(values.get("postal_code")),
        city=import_rows.text(values.get("city")),
        country=import_rows.text(values.get("country"))[:2].upper() or "FR",
        emails=[import_rows.text(values.get("email"))] if values.get("email") else [],
        phones=[import_rows.text(values.get("phone"))] if values.get("phone") else [],
    )


def _group_key(values: dict) -> tuple[str, str]:
    siren = import_rows.text(values.get("siren"))
    if not siren.isdigit():  # the usual 9 digits need no filtering
        siren = "".join(ch for ch in siren if ch.isdigit())
    if siren:
        return ("siren", siren)
    return ("name", " ".join(import_rows.text(values.get("debtor_name")).casefold().split()))


def plan_import(
    creditor_id: int,
    table: import_rows.Table,
    mapping: dict[str, str],
    checks: dict | None = None,
) -> Plan:
    """Check every row of the file against intake's rules and the creditor's existing invoices;
    group the valid ones by debtor (SIREN, else name). Reads the database, writes nothing.
    `checks`: intake.checked_debtor's cache, shared with the add_cases_bulk that follows."""
    records = table.records(mapping)
    plan = Plan(rows=len(records), notes=list(table.notes))
    rows = [_parse(line, values) for line, values in records]

    existing = {
        number.strip().casefold(): reference
        for number, reference in db.session.execute(
            sa.select(Invoice.number, Case.reference)
            .join(Case, Invoice.case_id == Case.id)
            .where(Case.creditor_id == creditor_id)
        )
    }
    seen: dict[str, int] = {}
    for row in rows:
        number = row.invoice.number.strip().casefold()
        if not number:
            continue
        if number in existing:
            row.error(
                "invoice_number",
                N_("La facture %(number)s existe déjà (dossier %(reference)s)."),
                number=row.invoice.number,
                reference=existing[number] or "",
            )
        elif number in seen:
            row.error(
                "invoice_number",
                N_("La facture %(number)s apparaît déjà ligne %(line)s."),
                number=row.invoice.number,
                line=seen[number],
            )
        else:
            seen[number] = row.line

    known_by_siren: dict[str, int] = {}
    known_by_name: dict[str, int] = {}
    for debtor_id, siren, name in db.session.execute(
        sa.select(Debtor.id, Debtor.siren, Debtor.name)
        .where(Debtor.creditor_id == creditor_id)
        .order_by(Debtor.id)
    ):
        if siren:
            known_by_siren.setdefault(siren, debtor_id)
        known_by_name.setdefault(" ".join(name.casefold().split()), debtor_id)
    used_refs = set(
        db.session.scalars(
            sa.select(Case.external_ref).where(
                Case.creditor_id == creditor_id, Case.external_ref.is_not(None)
            )
        )
    )

    groups: dict[tuple[str, str], list[_Row]] = {}
    for row in rows:
        groups.setdefault(_group_key(row.values), []).append(row)
    for (by, key), members in groups.items():
        first = members[0]
        debtor_id = (known_by_siren if by == "siren" else known_by_name).get(key) if key else None
        debtor = None
        if debtor_id is None:
            debtor = _debtor_input(first.values)
            debtor_errors, _siren, _phones = intake.checked_debtor(debtor, checks)
            for intake_key, messages in debtor_errors.items():
                for member in members:
                    for message in messages:
                        member.error(_INTAKE_FIELDS.get(intake_key, intake_key), message)
        refs = {import_rows.text(m.values.get("external_ref")) for m in members} - {""}
        external_ref = None
        if len(refs) > 1:
            for member in members:
                member.error(
                    "external_ref",
                    N_("Un débiteur, un dossier : une seule référence externe par débiteur."),
                )
        elif refs:
            external_ref = refs.pop()
            if external_ref in used_refs or len(external_ref) > 100:
                for member in members:
                    member.error(
                        "external_ref",
                        N_("La référence externe %(ref)s est déjà celle d'un dossier."),
                        ref=external_ref,
                    )
            used_refs.add(external_ref)
        valid = [m for m in members if not m.errors]
        if valid:
            plan.cases.append(
                intake.BulkCase(
                    invoices=[m.invoice for m in valid],
                    debtor=debtor,
                    debtor_id=debtor_id,
                    external_ref=external_ref,
                )
            )
            plan.lines.append([m.line for m in valid])
    plan.errors = sorted((e for row in rows for e in row.errors), key=lambda e: e["row"])
    return plan


def check(actor, batch: ImportBatch, mapping: dict[str, str]) -> ImportBatch:
    """Record the chosen mapping (remembered for the creditor's next file) and the validation
    report. No case is saved here."""
    _require_creditor(actor)
    if batch.status not in ("uploaded", "validated", "failed"):  # failed: fix and check again
        raise Forbidden(N_("Cet import a déjà été lancé."))
    table = table_of(batch)
    mapping = {
        key: column
        for key, column in mapping.items()
        if key in import_rows.FIELD_KEYS and column in table.columns
    }
    missing = [key for key in import_rows.REQUIRED_FIELDS if key not in mapping]
    if missing:
        raise ValidationFailed({key: [N_("Choisissez la colonne de ce champ.")] for key in missing})
    plan = plan_import(batch.creditor_id, table, mapping)
    batch.mapping = mapping
    batch.report = plan.report()
    batch.status = "validated"
    if batch.kind != "fec":
        remembered = db.session.scalars(
            sa.select(ImportMapping).where(ImportMapping.creditor_id == batch.creditor_id)
        ).first()
        if remembered is None:
            db.session.add(ImportMapping(creditor_id=batch.creditor_id, mapping=mapping))
        else:
            remembered.mapping = mapping
    record_audit(
        actor,
        "import.checked",
        "import_batch",
        batch.id,
        changes={k: batch.report[k] for k in ("rows", "valid", "invalid", "cases")},
    )
    db.session.commit()
    return batch


def start(actor, batch: ImportBatch, *, today: date):
    """Queue the import of the valid rows (run now without Redis). Returns the job, if queued."""
    _require_creditor(actor)
    if batch.status != "validated":
        raise Forbidden(N_("Cet import a déjà été lancé."))
    from app.jobs import enqueue
    from app.jobs.imports import import_batch

    result = enqueue(import_batch, batch.id, today.isoformat(), job_timeout=1800)
    job_id = getattr(result, "id", None)
    if job_id:
        db.session.execute(
            sa.update(ImportBatch).where(ImportBatch.id == batch.id).values(job_id=job_id)
        )
        db.session.commit()
    return result


def run(batch_id: int, *, today: date, progress: Callable[[int, int], None] | None = None):
    """Import the batch's valid rows: all of them or, on any failure, none. Safe to run twice:
    only a checked batch is claimed, by one conditional UPDATE."""
    claimed = db.session.execute(
        sa.update(ImportBatch)
        .where(ImportBatch.id == batch_id, ImportBatch.status == "validated")
        .values(status="importing", error=None)
    ).rowcount
    db.session.commit()
    batch = db.session.get(ImportBatch, batch_id)
    if not claimed:
        return batch
    actor = batch.uploaded_by
    try:
        # The database may have changed since the check: plan again, against it as it is now.
        checks: dict = {}
        plan = plan_import(batch.creditor_id, table_of(batch), batch.mapping, checks)
        cases = intake.add_cases_bulk(
            actor,
            plan.cases,
            today=today,
            source={"import_batch": batch.id},
            progress=progress,
            checks=checks,
        )
        del checks
        batch.report = plan.report()
        batch.status = "done"
        batch.imported_cases = len(cases)
        batch.finished_at = utcnow()
        record_audit(
            actor,
            "import.done",
            "import_batch",
            batch.id,
            changes={"cases": len(cases), "rows": plan.valid_rows},
        )
        db.session.commit()
    except Exception as exc:
        db.session.rollback()
        message = (
            "; ".join(f"{k}: {', '.join(v)}" for k, v in getattr(exc, "errors", {}).items())
            or f"{type(exc).__name__}: {exc}"
        )
        db.session.execute(
            sa.update(ImportBatch)
            .where(ImportBatch.id == batch_id)
            .values(status="failed", error=message[:2000], finished_at=utcnow())
        )
        db.session.commit()
        current_app.logger.exception("import batch %s failed", batch_id)
        batch = db.session.get(ImportBatch, batch_id)
    return batch
