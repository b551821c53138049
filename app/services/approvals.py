"""Write-offs and settlements need the creditor's yes: the agency asks, the creditor answers
from its portal's inbox, which also lists the escalation requests (services/escalation.py
decides those) and the payment plans awaiting the creditor (services/plans.py decides those).

An approved write-off closes the case as irrecoverable. The pipeline lets only agency roles
close an amicable or judicial case (a creditor may only withdraw), and that rule is right: the
agency performs the closing on the creditor's instruction. So the move is made as the agent who
asked (or the agency's automation account when that agent is gone), in the creditor's decision
transaction, and the audit names both: the decision by the creditor, the move by the agency."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa

from app.domain import pipeline
from app.domain.i18n import N_
from app.domain.interest import MissingRate
from app.extensions import db
from app.models import ApprovalRequest, Case, PaymentPlan, User
from app.models.base import utcnow
from app.services import access, claims, escalation, tasks
from app.services.audit import add_timeline, record_audit
from app.services.errors import Forbidden, NotFound, ValidationFailed

KINDS = ("write_off", "settlement")


def requests_of(case: Case) -> list[ApprovalRequest]:
    """The case's write-off and settlement requests, newest first."""
    return list(
        db.session.scalars(
            sa.select(ApprovalRequest)
            .where(ApprovalRequest.case_id == case.id, ApprovalRequest.kind.in_(KINDS))
            .order_by(ApprovalRequest.id.desc())
        )
    )


def _outstanding(case: Case, today: date) -> int:
    try:
        return claims.case_balance(case, today).outstanding_cents
    except MissingRate as exc:
        raise ValidationFailed({"amount": [str(exc)]}) from exc


def _ask(actor, case: Case, kind: str, amount_cents: int | None, note: str, today: date):
    access.require_agency(actor)
    note = (note or "").strip()
    errors: dict[str, list[str]] = {}
    if not case.is_open:
        errors["note"] = [N_("Le dossier n'est plus ouvert.")]
    elif any(r.kind == kind and r.status == "pending" for r in requests_of(case)):
        errors["note"] = [N_("Une demande de ce type attend déjà la réponse du créancier.")]
    if not note:
        errors["note"] = [N_("Expliquez au créancier pourquoi vous le proposez.")]
    if errors:
        raise ValidationFailed(errors)
    outstanding = _outstanding(case, today)
    if kind == "settlement":
        if amount_cents is None or amount_cents <= 0:
            raise ValidationFailed({"amount": [N_("Indiquez le montant de la transaction.")]})
        if amount_cents >= outstanding:
            raise ValidationFailed(
                {"amount": [N_("Une transaction porte sur moins que le reste dû.")]}
            )
    else:
        if amount_cents is None:
            amount_cents = outstanding
        if amount_cents <= 0 or amount_cents > outstanding:
            raise ValidationFailed(
                {"amount": [N_("Le montant abandonné est compris entre 0 et le reste dû.")]}
            )
    source_key = f"{kind}:{case.id}:{len(requests_of(case)) + 1}"
    new_id = tasks.insert_if_new(
        ApprovalRequest.__table__,
        {
            "case_id": case.id,
            "kind": kind,
            "amount_cents": amount_cents,
            "status": "pending",
            "requested_on": today,
            "requested_by_id": actor.id,
            "source_key": source_key,
            "note": note,
        },
    )
    if new_id is None:  # two clicks at once: the first one asked
        raise ValidationFailed(
            {"note": [N_("Une demande de ce type attend déjà la réponse du créancier.")]}
        )
    request = db.session.get(ApprovalRequest, new_id)
    data = {"request_id": request.id, "amount_cents": amount_cents, "outstanding": outstanding}
    add_timeline(case, actor, f"{kind}_requested", note, data=data, visible_to_creditor=True)
    record_audit(
        actor,
        f"{kind}.requested",
        "approval_request",
        request.id,
        case_id=case.id,
        changes={"amount_cents": amount_cents, "outstanding_cents": outstanding, "note": note},
    )
    db.session.commit()
    from app.services import notifications

    notifications.approval_requested(request.id)
    return request


def request_write_off(actor, case: Case, amount_cents: int | None, note: str, *, today: date):
    """Ask the creditor to abandon the claim (amount: what is abandoned, default all of it)."""
    return _ask(actor, case, "write_off", amount_cents, note, today)


def request_settlement(actor, case: Case, amount_cents: int | None, note: str, *, today: date):
    """Ask the creditor to accept `amount_cents`, less than the outstanding balance, in full and
    final settlement."""
    return _ask(actor, case, "settlement", amount_cents, note, today)


def get_request(user, request_id: int) -> ApprovalRequest:
    """A write-off or settlement request of a case the user sees; others look absent."""
    request = db.session.scalars(
        sa.select(ApprovalRequest).where(
            ApprovalRequest.id == request_id,
            ApprovalRequest.kind.in_(KINDS),
            ApprovalRequest.case_id.in_(access.visible_cases(user).with_only_columns(Case.id)),
        )
    ).first()
    if request is None:
        raise NotFound(N_("Demande introuvable."))
    return request


def _closing_actor(request: ApprovalRequest) -> User:
    asked_by = db.session.get(User, request.requested_by_id) if request.requested_by_id else None
    if asked_by is not None and asked_by.active and asked_by.is_agency_staff:
        return asked_by
    from app.services.cadence_steps import system_actor

    return system_actor()


def decide(actor, request: ApprovalRequest, *, approve: bool, note: str, today: date):
    """The creditor answers a write-off or settlement request. Commits."""
    case = request.case
    if not actor.is_creditor_staff or actor.organisation_id != case.creditor_id:
        raise Forbidden(N_("Seul le créancier du dossier répond à cette demande."))
    if request.kind not in KINDS:
        raise NotFound(N_("Demande introuvable."))
    if request.status != "pending":
        raise ValidationFailed({"note": [N_("Cette demande n'attend plus de réponse.")]})
    if not case.is_open:
        raise ValidationFailed({"note": [N_("Le dossier n'est plus ouvert.")]})
    note = (note or "").strip()
    if not approve and not note:
        raise ValidationFailed({"note": [N_("Dites à l'agence pourquoi vous refusez.")]})
    request.status = "approved" if approve else "refused"
    request.decided_by_id, request.decided_at = actor.id, utcnow()
    request.decision_note = note or None
    add_timeline(
        case,
        actor,
        f"{request.kind}_{request.status}",
        note,
        data={"request_id": request.id, "amount_cents": request.amount_cents},
        visible_to_creditor=True,
    )
    record_audit(
        actor,
        f"{request.kind}.decided",
        "approval_request",
        request.id,
        case_id=case.id,
        changes={
            "status": ["pending", request.status],
            "amount_cents": request.amount_cents,
            "note": note,
        },
    )
    if approve and request.kind == "settlement":
        # The agreed amount stays on the request; the agent collects it, then closes as settled.
        tasks.raise_task(
            case,
            "follow_up",
            due_on=today,
            source_key=f"settlement-approved:{request.id}",
            data={
                "request_id": request.id,
                "settlement_cents": request.amount_cents,
                "then_close_as": "settled",
                "note": "Encaisser la transaction acceptée par le créancier, puis clôturer "
                "le dossier (issue : transigé).",
            },
        )
    elif not approve:
        case.next_action_on = today  # back to the agent
    if approve and request.kind == "write_off":
        from app.services import casework

        try:
            # Commits the decision and the move together.
            casework.move_stage(
                _closing_actor(request),
                case,
                pipeline.CLOSED,
                reason=f"Abandon de créance accepté par le créancier ({actor.full_name}).",
                outcome="irrecoverable",
                today=today,
            )
        except pipeline.TransitionRefused as exc:
            db.session.rollback()
            raise ValidationFailed({"note": [str(exc)]}) from exc
    else:
        db.session.commit()
    return request


@dataclass(frozen=True)
class InboxItem:
    kind: str  # escalation, write_off, settlement, plan
    case: Case
    since: date | datetime
    amount_cents: int | None
    note: str | None
    request: ApprovalRequest | None = None
    plan: PaymentPlan | None = None


def inbox(user) -> list[InboxItem]:
    """Everything waiting for this creditor's answer, oldest first: escalation requests (as
    services/escalation.py lists them), write-offs and settlements, plans outside its policy."""
    if not user.is_creditor_staff:
        return []
    items = [
        InboxItem("escalation", r.case, r.requested_on, r.amount_cents, r.note, request=r)
        for r in escalation.pending_for_creditor(user)
    ]
    others = db.session.scalars(
        sa.select(ApprovalRequest)
        .join(Case, Case.id == ApprovalRequest.case_id)
        .where(
            Case.creditor_id == user.organisation_id,
            Case.stage.in_(pipeline.OPEN_STAGES),
            ApprovalRequest.kind.in_(KINDS),
            ApprovalRequest.status == "pending",
        )
        .order_by(ApprovalRequest.requested_on, ApprovalRequest.id)
    )
    items += [
        InboxItem(r.kind, r.case, r.requested_on, r.amount_cents, r.note, request=r) for r in others
    ]
    waiting_plans = db.session.scalars(
        sa.select(PaymentPlan)
        .join(Case, Case.id == PaymentPlan.case_id)
        .where(Case.creditor_id == user.organisation_id, PaymentPlan.status == "awaiting_creditor")
        .order_by(PaymentPlan.id)
    )
    items += [
        InboxItem("plan", p.case, p.proposed_at.date(), p.total_cents, p.note, plan=p)
        for p in waiting_plans
    ]
    return sorted(items, key=lambda item: str(item.since))
