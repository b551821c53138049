"""Court procedures: started only with the creditor's approval, each step dated and checked, the
next deadline computed, and the deadlines of every judicial case on one board.

The deadline rules are in `domain.judicial`; this module keeps the steps in order (no service
before the order, no opposition outside its month) and says what to do next.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from app.domain import judicial, pipeline
from app.domain.i18n import N_
from app.extensions import db
from app.models import Case, JudicialProcedure, ProcedureStep
from app.models.judicial import PROCEDURE_KINDS, STEP_KINDS
from app.services import access, intake, tasks
from app.services.audit import add_timeline, record_audit
from app.services.errors import ValidationFailed

# Which steps each procedure records, and what must come before each.
STEPS_OF = {
    "payment_order": (
        "filed",
        "order_obtained",
        "order_refused",
        "served",
        "opposition_lodged",
        "title_obtained",
        "garnishment_bank",
        "garnishment_wages",
    ),
    "small_claims": (
        "invitation_sent",
        "accepted",
        "refused",
        "garnishment_bank",
        "garnishment_wages",
    ),
    "summary": ("filed", "hearing", "decision", "appeal", "garnishment_bank", "garnishment_wages"),
    "ordinary": ("filed", "hearing", "decision", "appeal", "garnishment_bank", "garnishment_wages"),
}
NEEDS = {
    "order_obtained": "filed",
    "order_refused": "filed",
    "served": "order_obtained",
    "opposition_lodged": "served",
    "title_obtained": "served",
    "accepted": "invitation_sent",
    "refused": "invitation_sent",
    "hearing": "filed",
    "decision": "filed",
    "appeal": "decision",
}
ENFORCEMENT = ("garnishment_bank", "garnishment_wages")
TITLE_STEPS = judicial.TITLE_STEPS
APPEAL_MONTHS = 1  # the usual appeal window against a judgment (CPC 538)


def start_procedure(actor, case: Case, *, kind: str, court_name: str) -> JudicialProcedure:
    """Open a procedure on a case in the judicial stage: that stage is reached only with the
    creditor's approval, so no court step can start without it."""
    access.require_agency(actor)
    errors: dict[str, list[str]] = {}
    if case.stage != pipeline.JUDICIAL or case.judicial_approved_at is None:
        errors["kind"] = [
            N_("Le dossier doit être en phase judiciaire, avec l'accord du créancier.")
        ]
    if kind not in PROCEDURE_KINDS:
        errors["kind"] = [N_("Choisissez la procédure.")]
    elif kind == "small_claims" and not judicial.small_claims_eligible(case.claim_cents):
        errors["kind"] = [
            N_("La procédure simplifiée est réservée aux créances de 5 000 € au plus.")
        ]
    if not court_name.strip():
        errors["court_name"] = [N_("Indiquez la juridiction.")]
    if errors:
        raise ValidationFailed(errors)
    court_kind = judicial.court_for(
        debtor_is_trader=case.debtor.is_company,
        creditor_is_trader=not case.creditor.creditor_is_individual,
    )
    procedure = JudicialProcedure(
        case_id=case.id,
        kind=kind,
        court_kind=court_kind,
        court_name=court_name.strip(),
        created_by_id=actor.id,
    )
    db.session.add(procedure)
    db.session.flush()
    add_timeline(
        case,
        actor,
        "procedure_started",
        data={"procedure_id": procedure.id, "kind": kind, "court": procedure.court_name},
        visible_to_creditor=True,
    )
    record_audit(
        actor,
        "procedure.started",
        "judicial_procedure",
        procedure.id,
        case_id=case.id,
        changes={"kind": kind, "court": procedure.court_name},
    )
    db.session.commit()
    return procedure


def _check_step(procedure: JudicialProcedure, kind: str, occurred_on: date, today: date) -> None:
    if kind not in STEP_KINDS or kind not in STEPS_OF[procedure.kind]:
        raise ValidationFailed({"kind": [N_("Cette étape n'existe pas pour cette procédure.")]})
    if occurred_on > today:
        raise ValidationFailed({"occurred_on": [N_("La date ne peut pas être dans le futur.")]})
    before = NEEDS.get(kind)
    if before and procedure.first(before) is None:
        raise ValidationFailed({"kind": [N_("Une étape précédente manque pour celle-ci.")]})
    previous = procedure.first(before) if before else None
    if previous and occurred_on < previous:
        raise ValidationFailed(
            {"occurred_on": [N_("Cette date précède celle de l'étape précédente.")]}
        )
    try:
        if kind == "served":
            judicial.check_service(procedure.first("order_obtained"), occurred_on)
        if kind == "opposition_lodged":
            judicial.check_opposition(procedure.first("served"), occurred_on)
    except judicial.DeadlineRefused as exc:
        raise ValidationFailed({"occurred_on": [str(exc)]}) from None
    unopposed = procedure.first("opposition_lodged") is None
    if (
        kind == "title_obtained"
        and unopposed
        and occurred_on <= judicial.opposition_deadline(procedure.first("served"))
    ):
        raise ValidationFailed(
            {"occurred_on": [N_("Le délai d'opposition n'est pas encore écoulé.")]}
        )
    if kind in ENFORCEMENT and not any(procedure.first(k) for k in TITLE_STEPS):
        raise ValidationFailed(
            {"kind": [N_("Une mesure d'exécution demande un titre exécutoire.")]}
        )


def record_step(
    actor,
    procedure: JudicialProcedure,
    *,
    kind: str,
    occurred_on: date | None,
    note: str,
    today,
    upload: intake.UploadInput | None = None,
) -> ProcedureStep:
    """Record a dated step; `upload` is its document (the order, the act of service...), kept
    with the case's documents once the step itself is known to be valid."""
    access.require_agency(actor)
    if occurred_on is None:
        raise ValidationFailed({"occurred_on": [N_("Indiquez la date.")]})
    _check_step(procedure, kind, occurred_on, today)
    document_id = None
    if upload is not None:
        try:
            (document,) = intake.add_documents(actor, procedure.case, [upload])
        except ValidationFailed as exc:
            raise ValidationFailed({"document": sum(exc.errors.values(), [])}) from None
        document_id = document.id
    step = ProcedureStep(
        procedure_id=procedure.id,
        kind=kind,
        occurred_on=occurred_on,
        note=note.strip() or None,
        document_id=document_id,
        recorded_by_id=actor.id,
    )
    db.session.add(step)
    if kind in ("order_refused", "refused"):
        procedure.closed_on = occurred_on
    db.session.flush()
    db.session.refresh(procedure)
    add_timeline(
        procedure.case,
        actor,
        "procedure_step",
        step.note or "",
        data={"procedure_id": procedure.id, "kind": kind, "occurred_on": occurred_on},
        visible_to_creditor=True,
    )
    record_audit(
        actor,
        "procedure.step",
        "procedure_step",
        step.id,
        case_id=procedure.case_id,
        changes={"kind": kind, "occurred_on": occurred_on},
    )
    db.session.commit()
    return step


def next_deadline(procedure: JudicialProcedure) -> judicial.Deadline | None:
    """The next date the procedure must not miss, from its steps."""
    if procedure.closed_on is not None:
        return None
    if procedure.kind == "payment_order":
        return judicial.next_payment_order_deadline(
            procedure.first("order_obtained"),
            procedure.first("served"),
            opposed=procedure.first("opposition_lodged") is not None,
            title_on=procedure.first("title_obtained"),
        )
    if procedure.kind == "small_claims":
        invited = procedure.first("invitation_sent")
        if invited and not (procedure.first("accepted") or procedure.first("refused")):
            return judicial.Deadline(
                judicial.small_claims_acceptance_deadline(invited),
                N_("Fin du délai d'acceptation du débiteur"),
            )
        return None
    decided = procedure.first("decision")
    if decided and procedure.first("appeal") is None:
        return judicial.Deadline(
            judicial.months_deadline(decided, APPEAL_MONTHS), N_("Fin du délai d'appel")
        )
    return None


# --- The deadline board -----------------------------------------------------------------------


@dataclass(frozen=True)
class BoardRow:
    procedure: JudicialProcedure
    deadline: judicial.Deadline
    urgency: str  # "overdue", "soon", "later"


def deadline_board(user, today: date, *, only_urgent: bool = False) -> list[BoardRow]:
    """Every open procedure the user may see, with its next deadline, soonest first."""
    access.require_agency(user)
    visible = access.visible_cases(user).with_only_columns(Case.id)
    procedures = db.session.scalars(
        sa.select(JudicialProcedure)
        .where(JudicialProcedure.closed_on.is_(None), JudicialProcedure.case_id.in_(visible))
        .options(
            selectinload(JudicialProcedure.steps),
            joinedload(JudicialProcedure.case).joinedload(Case.debtor),
        )
    ).all()
    rows = []
    for procedure in procedures:
        deadline = next_deadline(procedure)
        if deadline is None:
            continue
        urgency = judicial.urgency(deadline.due_on, today)
        if only_urgent and urgency == "later":
            continue
        rows.append(BoardRow(procedure, deadline, urgency))
    rows.sort(key=lambda r: (r.deadline.due_on, r.procedure.id))
    return rows


def raise_deadline_tasks(today: date) -> int:
    """The daily run: a task for each deadline within 15 days or overdue, once per deadline."""
    raised = 0
    for procedure in db.session.scalars(
        sa.select(JudicialProcedure)
        .where(JudicialProcedure.closed_on.is_(None))
        .options(selectinload(JudicialProcedure.steps), joinedload(JudicialProcedure.case))
    ):
        deadline = next_deadline(procedure)
        if deadline is None or judicial.urgency(deadline.due_on, today) == "later":
            continue
        if tasks.raise_task(
            procedure.case,
            "judicial_deadline",
            due_on=min(today, deadline.due_on),
            source_key=f"deadline:{procedure.id}:{deadline.due_on.isoformat()}",
            data={"deadline_on": deadline.due_on, "what": deadline.what},
        ):
            raised += 1
    return raised


MAX_JUDGMENT_RATE_BP = 10_000  # 100 %: above that, a typing error


def set_judgment_interest(
    actor,
    procedure: JudicialProcedure,
    *,
    starts_on: date | None,
    rate_bp: int | None,
    today: date,
) -> JudicialProcedure:
    """Enter the interest a decision awards: from `starts_on`, at `rate_bp` (None: the legal
    rate). From then the case's balance follows the judgment, not the late-payment rate."""
    access.require_agency(actor)
    errors: dict[str, list[str]] = {}
    if not any(step.kind in TITLE_STEPS for step in procedure.steps):
        errors["starts_on"] = [
            N_("Enregistrez d'abord la décision ou le titre exécutoire de la procédure.")
        ]
    if starts_on is None:
        errors["starts_on"] = [N_("Indiquez la date de départ des intérêts.")]
    elif starts_on > today:
        errors["starts_on"] = [N_("La date ne peut pas être dans le futur.")]
    if rate_bp is not None and not 0 <= rate_bp <= MAX_JUDGMENT_RATE_BP:
        errors["rate"] = [N_("Le taux doit être compris entre 0 et 100 %.")]
    if errors:
        raise ValidationFailed(errors)
    before = [procedure.judgment_interest_from, procedure.judgment_rate_bp]
    procedure.judgment_interest_from = starts_on
    procedure.judgment_rate_bp = rate_bp
    add_timeline(
        procedure.case,
        actor,
        "judgment_interest_set",
        data={"procedure_id": procedure.id, "starts_on": starts_on, "rate_bp": rate_bp},
        visible_to_creditor=True,
    )
    record_audit(
        actor,
        "procedure.judgment_interest",
        "judicial_procedure",
        procedure.id,
        case_id=procedure.case_id,
        changes={"before": before, "after": [starts_on, rate_bp]},
    )
    db.session.commit()
    return procedure
