"""A debtor in a collective procedure: every open case of it, for every creditor, stops at once.

`open_proceeding` records the procedure and, in the same transaction, moves each open case of
the company (by SIREN, whichever creditor submitted it) to the insolvency stage: the cadence has
no step there, its pending steps are dropped, tasks and questions to the creditor are closed, no
40 EUR indemnity is claimed any more, and a claim declaration is prepared with the amount owed
on the judgment date and its deadline (2 months from the BODACC publication, 4 for a creditor
outside metropolitan France). `import_bodacc` does the same from BODACC's open-data announcements.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from app.domain import identifiers, judicial, pipeline
from app.domain.i18n import N_
from app.domain.interest import MissingRate
from app.extensions import db
from app.models import (
    CadenceAction,
    Case,
    ClaimDeclaration,
    Debtor,
    DebtorIdentity,
    InsolvencyProceeding,
    Payment,
)
from app.models.base import utcnow
from app.models.insolvency import PROCEEDING_KINDS
from app.services import access, claims, payments, tasks
from app.services.audit import add_timeline, record_audit
from app.services.errors import ValidationFailed

# Stages a procedure stops (a closed or returned case is left as it is).
STOPPED_STAGES = (pipeline.INTAKE, pipeline.AMICABLE, pipeline.JUDICIAL)


@dataclass(frozen=True)
class ProceedingInput:
    siren: str
    kind: str
    court: str
    judgment_date: date | None
    published_on: date | None
    mandataire_name: str = ""
    mandataire_address: str = ""
    bodacc_ref: str | None = None


def _validate(data: ProceedingInput) -> str:
    errors: dict[str, list[str]] = {}
    siren = ""
    try:
        siren = identifiers.normalise_siren(data.siren)
    except identifiers.InvalidIdentifier as exc:
        errors["siren"] = [str(exc)]
    if data.kind not in PROCEEDING_KINDS:
        errors["kind"] = [N_("Choisissez le type de procédure.")]
    if not data.court.strip():
        errors["court"] = [N_("Indiquez le tribunal.")]
    if data.judgment_date is None:
        errors["judgment_date"] = [N_("Indiquez la date du jugement d'ouverture.")]
    if data.published_on is None:
        errors["published_on"] = [N_("Indiquez la date de publication au BODACC.")]
    elif data.judgment_date and data.published_on < data.judgment_date:
        errors["published_on"] = [N_("La publication au BODACC ne peut pas précéder le jugement.")]
    if errors:
        raise ValidationFailed(errors)
    return siren


def cases_of_siren(siren: str) -> list[Case]:
    """Every case, of every creditor, whose debtor has this SIREN (directly or by identity)."""
    identity = sa.select(DebtorIdentity.id).where(DebtorIdentity.siren == siren)
    return list(
        db.session.scalars(
            sa.select(Case)
            .join(Debtor, Debtor.id == Case.debtor_id)
            .where(sa.or_(Debtor.siren == siren, Debtor.identity_id.in_(identity)))
            .order_by(Case.id)
        )
    )


def open_proceeding(
    actor, data: ProceedingInput, *, commit: bool = True
) -> tuple[InsolvencyProceeding, list[Case]]:
    """Record the procedure and stop every open case of the debtor, in one transaction.
    Returns the proceeding and the cases it stopped. Entering the same procedure again (same
    BODACC announcement, or same SIREN, kind and judgment date) changes nothing."""
    if actor is not None:
        access.require_agency(actor)
    siren = _validate(data)
    existing = _existing(siren, data)
    if existing is not None:
        return existing, []
    proceeding = InsolvencyProceeding(
        siren=siren,
        kind=data.kind,
        court=data.court.strip(),
        judgment_date=data.judgment_date,
        bodacc_published_on=data.published_on,
        mandataire_name=data.mandataire_name.strip() or None,
        mandataire_address=data.mandataire_address.strip() or None,
        bodacc_ref=data.bodacc_ref,
        created_by_id=actor.id if actor else None,
    )
    db.session.add(proceeding)
    db.session.flush()
    stopped = [c for c in cases_of_siren(siren) if c.stage in STOPPED_STAGES]
    moment = utcnow()  # one instant for every case: they stop together
    for case in stopped:
        _stop(actor, case, proceeding, moment)
    record_audit(
        actor,
        "insolvency.opened",
        "insolvency_proceeding",
        proceeding.id,
        changes={
            "siren": siren,
            "kind": data.kind,
            "judgment_date": data.judgment_date,
            "published_on": data.published_on,
            "cases": [c.id for c in stopped],
        },
    )
    if commit:
        db.session.commit()
    return proceeding, stopped


def _existing(siren: str, data: ProceedingInput) -> InsolvencyProceeding | None:
    same_judgment = sa.and_(
        InsolvencyProceeding.siren == siren,
        InsolvencyProceeding.kind == data.kind,
        InsolvencyProceeding.judgment_date == data.judgment_date,
    )
    if data.bodacc_ref:
        same_judgment = sa.or_(same_judgment, InsolvencyProceeding.bodacc_ref == data.bodacc_ref)
    return db.session.scalars(sa.select(InsolvencyProceeding).where(same_judgment)).first()


def _stop(actor, case: Case, proceeding: InsolvencyProceeding, moment) -> None:
    from app.services import escalation

    source = case.stage
    case.stage, case.stage_changed_at, case.hold_reason = pipeline.INSOLVENCY, moment, None
    # Pursuit stops (L622-21): nothing the cadence had planned goes out.
    db.session.execute(
        sa.update(CadenceAction)
        .where(CadenceAction.case_id == case.id, CadenceAction.status.in_(("pending", "blocked")))
        .values(status="skipped", detail="Procédure collective ouverte.", performed_at=moment)
        .execution_options(synchronize_session=False)
    )
    tasks.cancel_open_tasks(case, actor)
    escalation.withdraw_pending(case, actor, reason="Procédure collective ouverte.")
    db.session.flush()
    amount = _amount_on(case, proceeding.judgment_date)
    overseas = (case.creditor.country or "FR") != "FR"
    deadline = judicial.declaration_deadline(
        proceeding.bodacc_published_on, creditor_overseas=overseas
    )
    declaration = ClaimDeclaration(
        case_id=case.id, proceeding_id=proceeding.id, amount_cents=amount, deadline_on=deadline
    )
    db.session.add(declaration)
    db.session.flush()
    tasks.raise_task(
        case,
        "claim_declaration",
        due_on=deadline,
        source_key=f"declaration:{declaration.id}",
        data={"deadline_on": deadline, "amount_cents": amount},
    )
    case.next_action_on = deadline
    add_timeline(
        case,
        actor,
        "insolvency_opened",
        data={
            "kind": proceeding.kind,
            "court": proceeding.court,
            "judgment_date": proceeding.judgment_date,
            "deadline_on": deadline,
            "amount_cents": amount,
            "from": source,
        },
        visible_to_creditor=True,
    )
    record_audit(
        actor,
        "case.stage_changed",
        "case",
        case.id,
        case_id=case.id,
        changes={"stage": [source, pipeline.INSOLVENCY], "proceeding_id": proceeding.id},
    )


def _amount_on(case: Case, judgment_date: date) -> int | None:
    """What is declared: the balance on the judgment date, without the 40 EUR indemnity (the case
    is already in the insolvency stage, whose rules leave it out)."""
    try:
        return claims.case_balance(case, judgment_date).outstanding_cents
    except MissingRate:
        return None


# --- BODACC open data -------------------------------------------------------------------------


@dataclass
class BodaccReport:
    opened: int = 0  # procedures recorded
    stopped_cases: int = 0
    unknown_sirens: list[str] = field(default_factory=list)  # announcements about no debtor of ours
    ignored: int = 0  # announcements that open no procedure (plans, closures, other families)


KIND_WORDS = (
    ("liquidation", "liquidation"),
    ("redressement", "redressement"),
    ("sauvegarde", "sauvegarde"),
)


def _kind_of(nature: str) -> str | None:
    """The procedure an opening judgment starts, from its wording; None for other judgments."""
    text = nature.lower()
    if "ouverture" not in text:
        return None
    for word, kind in KIND_WORDS:
        if word in text:
            return kind
    return None


def _records(content: bytes, filename: str) -> list[dict]:
    """BODACC's export as JSON (a list of records, or {"results": [...]}) or CSV (`;`)."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationFailed({"file": [N_("Le fichier n'est pas en UTF-8.")]}) from None
    if filename.lower().endswith(".json") or text.lstrip().startswith(("[", "{")):
        try:
            data = json.loads(text)
        except (json.JSONDecodeError, RecursionError):
            raise ValidationFailed({"file": [N_("Fichier JSON illisible.")]}) from None
        records = data.get("results", data) if isinstance(data, dict) else data
        if not isinstance(records, list):
            raise ValidationFailed({"file": [N_("Fichier JSON illisible.")]})
        return records
    reader = csv.DictReader(io.StringIO(text), delimiter=";")
    if not reader.fieldnames or "registre" not in reader.fieldnames:
        raise ValidationFailed(
            {"file": [N_("Ce n'est pas un export BODACC : colonne « registre » absente.")]}
        )
    return list(reader)


def _parse(record: dict, line: int) -> ProceedingInput | None:
    """One announcement as a procedure to open, or None when it opens none."""
    family = str(record.get("familleavis") or record.get("familleavis_lib") or "").lower()
    if family and "collective" not in family:
        return None
    jugement = record.get("jugement") or {}
    if isinstance(jugement, str):
        try:
            jugement = json.loads(jugement) if jugement.strip() else {}
        except (json.JSONDecodeError, RecursionError):
            jugement = None
    if not isinstance(jugement, dict):
        raise ValidationFailed({"file": [f"Ligne {line} : champ « jugement » illisible."]})
    kind = _kind_of(str(jugement.get("nature", "")))
    if kind is None:
        return None
    registre = record.get("registre") or ""
    if isinstance(registre, list):
        registre = registre[0] if registre else ""
    siren = "".join(ch for ch in str(registre).split(",")[0] if ch.isdigit())[:9]
    try:
        judgment_date = date.fromisoformat(str(jugement.get("date", ""))[:10])
        published_on = date.fromisoformat(str(record.get("dateparution", ""))[:10])
    except ValueError:
        raise ValidationFailed({"file": [f"Ligne {line} : date illisible."]}) from None
    return ProceedingInput(
        siren=siren,
        kind=kind,
        court=str(record.get("tribunal") or "").strip() or "Tribunal (BODACC)",
        judgment_date=judgment_date,
        published_on=published_on,
        bodacc_ref=str(record.get("id") or f"{siren}:{judgment_date}:{kind}"),
    )


def import_bodacc(actor, content: bytes, filename: str) -> BodaccReport:
    """Open every procedure the file announces for a debtor we know, in one transaction. The
    whole file is read and checked first: a file with an unreadable line changes nothing."""
    parsed = []
    for line, record in enumerate(_records(content, filename), start=2):
        if not isinstance(record, dict):
            raise ValidationFailed({"file": [f"Ligne {line} : enregistrement illisible."]})
        data = _parse(record, line)
        if data is not None:
            try:
                _validate(data)
            except ValidationFailed as exc:
                reasons = " ".join(m for messages in exc.errors.values() for m in messages)
                raise ValidationFailed({"file": [f"Ligne {line} : {reasons}"]}) from None
        parsed.append(data)
    report = BodaccReport()
    try:
        for data in parsed:
            if data is None:
                report.ignored += 1
            elif not cases_of_siren(data.siren):
                report.unknown_sirens.append(data.siren)
            elif _existing(data.siren, data) is None:
                _proceeding, stopped = open_proceeding(actor, data, commit=False)
                report.opened += 1
                report.stopped_cases += len(stopped)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return report


# --- Following the declarations ---------------------------------------------------------------

DECLARATION_MOVES = {"filed": ("to_file",), "admitted": ("filed",), "rejected": ("filed",)}


def next_statuses(status: str) -> list[str]:
    """Where a declaration in this status may go next (the page offers exactly these)."""
    return [target for target, sources in DECLARATION_MOVES.items() if status in sources]


def dividends_received(declarations: list[ClaimDeclaration]) -> dict[int, int]:
    """Per declaration: the dividends (standing payments of method "dividend") on its case."""
    case_ids = {d.case_id for d in declarations}
    if not case_ids:
        return {}
    by_case = dict(
        db.session.execute(
            sa.select(Payment.case_id, sa.func.sum(Payment.amount_cents))
            .where(
                Payment.case_id.in_(case_ids),
                Payment.method == "dividend",
                Payment.reversed_at.is_(None),
            )
            .group_by(Payment.case_id)
        ).all()
    )
    return {d.id: int(by_case.get(d.case_id) or 0) for d in declarations}


def record_dividend(
    actor,
    declaration: ClaimDeclaration,
    *,
    amount_cents: int | None,
    received_on: date | None,
    idempotency_key: str | None,
    today: date,
) -> Payment:
    """A distribution by the mandataire on an admitted claim: a payment like any other (the
    ledger, the commission at the judicial rate, the creditor's statement), marked as such."""
    access.require_agency(actor)
    if declaration.status != "admitted":
        raise ValidationFailed(
            {"amount": [N_("Un dividende ne se reçoit que sur une créance admise.")]}
        )
    proceeding = declaration.proceeding
    return payments.record_payment(
        actor,
        declaration.case,
        amount_cents=amount_cents,
        received_on=received_on,
        method="dividend",
        reference=f"Dividende — {proceeding.mandataire_name or proceeding.court}"[:100],
        idempotency_key=idempotency_key,
        today=today,
    )


def proceedings_with_declarations(user) -> list[tuple[InsolvencyProceeding, list]]:
    """Every proceeding, newest first, with the declarations of the cases this user sees."""
    access.require_agency(user)
    visible = access.visible_cases(user).with_only_columns(Case.id)
    declarations = db.session.scalars(
        sa.select(ClaimDeclaration)
        .where(ClaimDeclaration.case_id.in_(visible))
        .order_by(ClaimDeclaration.deadline_on, ClaimDeclaration.id)
    ).all()
    by_proceeding: dict[int, list] = {}
    for declaration in declarations:
        by_proceeding.setdefault(declaration.proceeding_id, []).append(declaration)
    proceedings = db.session.scalars(
        sa.select(InsolvencyProceeding).order_by(InsolvencyProceeding.judgment_date.desc())
    ).all()
    return [(p, by_proceeding.get(p.id, [])) for p in proceedings]


def move_declaration(actor, declaration: ClaimDeclaration, status: str, *, on: date | None, today):
    """Filed with the mandataire (by its deadline or late), then admitted or rejected."""
    access.require_agency(actor)
    errors: dict[str, list[str]] = {}
    if declaration.status not in DECLARATION_MOVES.get(status, ()):
        errors["status"] = [N_("Ce changement n'est pas possible pour cette déclaration.")]
    if on is None or on > today:
        errors["on"] = [N_("Indiquez la date (pas dans le futur).")]
    if errors:
        raise ValidationFailed(errors)
    previous = declaration.status
    declaration.status = status
    if status == "filed":
        declaration.filed_on = on
        tasks.complete_open_tasks(
            declaration.case, actor, source_key=f"declaration:{declaration.id}"
        )
    else:
        declaration.decided_on = on
    add_timeline(
        declaration.case,
        actor,
        f"declaration_{status}",
        data={
            "declaration_id": declaration.id,
            "on": on,
            "late": status == "filed" and on > declaration.deadline_on,
        },
        visible_to_creditor=True,
    )
    record_audit(
        actor,
        "declaration.status",
        "claim_declaration",
        declaration.id,
        case_id=declaration.case_id,
        changes={"status": [previous, status], "on": on},
    )
    db.session.commit()
    return declaration
