"""What an agent does to a case: notes, calls, assignment, holds, stage moves, formal notice."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from app.domain import identifiers, pipeline, roles
from app.domain.i18n import N_
from app.extensions import db
from app.models import CallLog, Case, User
from app.models.activity import CALL_DIRECTIONS, CALL_OUTCOMES
from app.models.base import utcnow
from app.services import plans, tasks
from app.services.access import require_agency, require_manager
from app.services.audit import add_timeline, record_audit
from app.services.errors import ValidationFailed


def add_note(actor, case: Case, text: str, *, visible_to_creditor: bool = False):
    require_agency(actor)
    if not text.strip():
        raise ValidationFailed({"text": [N_("La note est vide.")]})
    entry = add_timeline(case, actor, "note", text.strip(), visible_to_creditor=visible_to_creditor)
    db.session.flush()
    record_audit(
        actor,
        "case.note_added",
        "timeline_entry",
        entry.id,
        case_id=case.id,
        changes={"visible_to_creditor": visible_to_creditor},
    )
    db.session.commit()
    return entry


def log_call(
    actor,
    case: Case,
    *,
    direction: str,
    phone_number: str,
    outcome: str,
    duration_seconds: int = 0,
    notes: str = "",
    follow_up_on: date | None = None,
    promised_amount_cents: int | None = None,
    promised_on: date | None = None,
    today: date,
) -> CallLog:
    """Record a call; a follow-up date becomes the case's next action."""
    require_agency(actor)
    errors: dict[str, list[str]] = {}
    if not case.is_open:
        errors["outcome"] = [
            N_("Le dossier n'est plus ouvert : aucun appel ne peut y être ajouté.")
        ]
    if direction not in CALL_DIRECTIONS:
        errors["direction"] = [N_("Choisissez le sens de l'appel.")]
    if outcome not in CALL_OUTCOMES:
        errors["outcome"] = [N_("Choisissez le résultat de l'appel.")]
    number = ""
    try:
        number = identifiers.normalise_phone(phone_number, case.debtor.country or "FR")
    except identifiers.InvalidIdentifier as exc:
        errors["phone_number"] = [str(exc)]
    if duration_seconds < 0:
        errors["duration"] = [N_("La durée ne peut pas être négative.")]
    if follow_up_on is not None and follow_up_on < today:
        errors["follow_up_on"] = [N_("La date de relance ne peut pas être dans le passé.")]
    if outcome == "promise_to_pay":
        if not promised_amount_cents or promised_amount_cents <= 0:
            errors["promised_amount"] = [N_("Indiquez le montant promis.")]
        if promised_on is None:
            errors["promised_on"] = [N_("Indiquez la date promise.")]
        elif promised_on < today:
            errors["promised_on"] = [N_("La date promise ne peut pas être dans le passé.")]
    if errors:
        raise ValidationFailed(errors)
    if outcome != "promise_to_pay":
        promised_amount_cents = promised_on = None

    call = CallLog(
        case_id=case.id,
        agent_id=actor.id,
        direction=direction,
        phone_number=number,
        outcome=outcome,
        duration_seconds=duration_seconds,
        notes=notes.strip(),
        follow_up_on=follow_up_on,
        promised_amount_cents=promised_amount_cents,
        promised_on=promised_on,
    )
    db.session.add(call)
    db.session.flush()
    if promised_amount_cents:
        plans.add_promise(
            actor,
            case,
            amount_cents=promised_amount_cents,
            promised_on=promised_on,
            today=today,
            call_log_id=call.id,
        )
    # The earliest of the follow-up and the promised date is when the agent looks again.
    next_dates = [d for d in (follow_up_on, promised_on) if d]
    if next_dates:
        case.next_action_on = min(next_dates)
    db.session.flush()
    if direction == "outbound":
        # The call answers the calls the agent was asked to make on this case.
        tasks.complete_call_tasks(actor, case, today)
    if follow_up_on is not None:
        tasks.raise_task(case, "follow_up", due_on=follow_up_on, source_key=f"follow-up:{call.id}")
    add_timeline(
        case,
        actor,
        "call",
        data={
            "direction": direction,
            "outcome": outcome,
            "duration_seconds": duration_seconds,
            "promised_amount_cents": promised_amount_cents,
            "promised_on": promised_on,
            "follow_up_on": follow_up_on,
        },
        visible_to_creditor=True,
    )
    # Call notes are internal: the creditor sees what happened, not the agent's remarks.
    if notes.strip():
        add_timeline(case, actor, "call_notes", notes.strip())
    record_audit(
        actor,
        "case.call_logged",
        "call_log",
        call.id,
        case_id=case.id,
        changes={"outcome": outcome, "next_action_on": case.next_action_on},
    )
    db.session.commit()
    return call


def agents() -> list[User]:
    return list(
        db.session.scalars(
            sa.select(User)
            .where(User.role.in_(roles.AGENCY_ROLES), User.active.is_(True))
            .order_by(User.full_name)
        )
    )


def assign_case(actor, case: Case, agent_id: int | None) -> Case:
    """Give the case to an agent (or back to the pool). Agents may take a case for themselves."""
    require_agency(actor)
    if actor.role == roles.AGENT:
        # An agent takes free cases and releases their own; moving a colleague's work is a
        # supervisor's call, so two agents never silently fight over one case.
        taking_free_case = agent_id == actor.id and case.assigned_agent_id is None
        releasing_own_case = agent_id is None and case.assigned_agent_id == actor.id
        if not (taking_free_case or releasing_own_case or case.assigned_agent_id == agent_id):
            require_manager(actor)
    agent = None
    if agent_id is not None:
        agent = db.session.get(User, agent_id)
        if agent is None or not agent.is_agency_staff or not agent.active:
            raise ValidationFailed({"agent_id": [N_("Agent introuvable.")]})
    if case.assigned_agent_id == agent_id:
        return case
    previous = case.assigned_agent_id
    case.assigned_agent_id = agent_id
    add_timeline(case, actor, "assigned", data={"agent": agent.full_name if agent else None})
    record_audit(
        actor,
        "case.assigned",
        "case",
        case.id,
        case_id=case.id,
        changes={"assigned_agent_id": [previous, agent_id]},
    )
    db.session.commit()
    return case


def _facts(case: Case) -> pipeline.CaseFacts:
    return pipeline.CaseFacts(
        stage=case.stage,
        invoice_count=len(case.invoices),
        creditor_has_mandate=case.creditor.has_mandate,
        judicial_approved=case.judicial_approved_at is not None,
    )


def move_stage(
    actor,
    case: Case,
    target: str,
    *,
    reason: str = "",
    outcome: str | None = None,
    return_reason: str | None = None,
    today: date,
) -> Case:
    """Move a case through the pipeline; raises TransitionRefused explaining a refusal."""
    move = pipeline.MoveRequest(
        target=target,
        actor_role=actor.role,
        reason=reason,
        outcome=outcome,
        return_reason=return_reason,
    )
    pipeline.check_transition(_facts(case), move)
    source = case.stage
    case.stage = target
    case.stage_changed_at = utcnow()
    case.hold_reason = None if target not in pipeline.OPEN_STAGES else case.hold_reason
    if target == pipeline.CLOSED:
        case.outcome = outcome
        case.closed_on = today
        case.next_action_on = None
    elif target == pipeline.RETURNED:
        case.return_reason = return_reason
        case.return_note = reason.strip()
        case.next_action_on = None
    else:
        case.next_action_on = today
        if source == pipeline.RETURNED:
            case.return_reason = case.return_note = None
    if target not in pipeline.OPEN_STAGES:
        tasks.cancel_open_tasks(case, actor)
    if source == pipeline.AMICABLE:
        from app.services import escalation

        escalation.withdraw_pending(case, actor, reason="Le dossier a quitté la phase amiable.")
    add_timeline(
        case,
        actor,
        "stage_changed",
        reason.strip(),
        data={"from": source, "to": target, "outcome": outcome, "return_reason": return_reason},
        visible_to_creditor=True,
    )
    record_audit(
        actor,
        "case.stage_changed",
        "case",
        case.id,
        case_id=case.id,
        changes={"stage": [source, target], "outcome": outcome, "return_reason": return_reason},
    )
    db.session.commit()
    return case


def accept_case(actor, case: Case, *, today: date) -> Case:
    """Intake -> amicable: the agency takes the file on."""
    return move_stage(actor, case, pipeline.AMICABLE, reason="Dossier accepté", today=today)


def return_to_creditor(actor, case: Case, *, return_reason: str, note: str, today: date) -> Case:
    return move_stage(
        actor, case, pipeline.RETURNED, reason=note, return_reason=return_reason, today=today
    )


def set_hold(actor, case: Case, hold_reason: str | None, *, note: str = "") -> Case:
    """Put an open case on hold (or lift the hold with None)."""
    require_agency(actor)
    if hold_reason is not None and hold_reason not in pipeline.HOLD_REASONS:
        raise ValidationFailed({"hold_reason": [N_("Motif de suspension inconnu.")]})
    if not case.is_open:
        raise ValidationFailed({"hold_reason": [N_("Le dossier n'est plus ouvert.")]})
    if case.hold_reason == hold_reason:
        return case
    previous = case.hold_reason
    case.hold_reason = hold_reason
    add_timeline(
        case,
        actor,
        "hold_changed",
        note.strip(),
        data={"from": previous, "to": hold_reason},
        visible_to_creditor=True,
    )
    record_audit(
        actor,
        "case.hold_changed",
        "case",
        case.id,
        case_id=case.id,
        changes={"hold_reason": [previous, hold_reason]},
    )
    db.session.commit()
    return case


def record_judicial_approval(actor, case: Case, *, note: str) -> Case:
    """A supervisor records the creditor's written approval to go to court."""
    require_manager(actor)
    if not note.strip():
        raise ValidationFailed({"note": [N_("Précisez comment le créancier a donné son accord.")]})
    case.judicial_approved_at = utcnow()
    add_timeline(case, actor, "judicial_approved", note.strip(), visible_to_creditor=True)
    record_audit(
        actor,
        "case.judicial_approved",
        "case",
        case.id,
        case_id=case.id,
        changes={"note": note.strip()},
    )
    db.session.commit()
    return case


def set_formal_notice_received(actor, case: Case, received_on: date | None, *, today: date) -> Case:
    """Record the day the debtor received the formal notice: a consumer's legal interest runs
    from the day after (C. civ. 1231-6)."""
    require_agency(actor)
    errors: dict[str, list[str]] = {}
    if not case.is_open:
        errors["received_on"] = [N_("Le dossier n'est plus ouvert.")]
    elif received_on is None:
        errors["received_on"] = [N_("Indiquez la date de réception de la mise en demeure.")]
    elif received_on > today:
        errors["received_on"] = [N_("La date de réception ne peut pas être dans le futur.")]
    if errors:
        raise ValidationFailed(errors)
    previous = case.formal_notice_received_on
    if previous == received_on:
        return case
    case.formal_notice_received_on = received_on
    add_timeline(
        case,
        actor,
        "formal_notice_received",
        data={"received_on": received_on, "previous": previous},
        visible_to_creditor=True,
    )
    record_audit(
        actor,
        "case.formal_notice_received",
        "case",
        case.id,
        case_id=case.id,
        changes={"formal_notice_received_on": [previous, received_on]},
    )
    db.session.commit()
    return case
