"""Going to court needs the creditor's yes: the agency asks (the daily run at the end of the
amicable scenario, or an agent by hand), the creditor approves or refuses from its portal.
Approval is what the pipeline's guard on amicable -> judicial reads (case.judicial_approved_at)."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from app.domain import pipeline
from app.domain.i18n import N_
from app.extensions import db
from app.models import ApprovalRequest, Case
from app.models.base import utcnow
from app.services import access, prescription, tasks
from app.services.audit import add_timeline, record_audit
from app.services.errors import Forbidden, NotFound, ValidationFailed


def requests_of(case: Case) -> list[ApprovalRequest]:
    """The case's escalation requests, newest first (write-offs and settlements are
    services/approvals.py's)."""
    return list(
        db.session.scalars(
            sa.select(ApprovalRequest)
            .where(ApprovalRequest.case_id == case.id, ApprovalRequest.kind == "escalation")
            .order_by(ApprovalRequest.id.desc())
        )
    )


def pending_request(case: Case) -> ApprovalRequest | None:
    return db.session.scalars(
        sa.select(ApprovalRequest)
        .where(
            ApprovalRequest.case_id == case.id,
            ApprovalRequest.kind == "escalation",
            ApprovalRequest.status == "pending",
        )
        .order_by(ApprovalRequest.id)
        .limit(1)
    ).first()


def may_request(case: Case) -> bool:
    """Whether asking makes sense: an amicable case not yet approved, with no question open."""
    return (
        case.stage == pipeline.AMICABLE
        and case.judicial_approved_at is None
        and pending_request(case) is None
    )


def request_escalation(
    case: Case, *, today: date, source_key: str, actor=None, note: str = ""
) -> ApprovalRequest | None:
    """Ask the creditor; None (and nothing written) when there is nothing to ask or the same
    cause already asked. Does not commit: the caller's transaction holds it."""
    if not may_request(case) or prescription.is_prescribed(case, today):
        return None
    note = (note or "").strip()
    new_id = tasks.insert_if_new(
        ApprovalRequest.__table__,
        {
            "case_id": case.id,
            "status": "pending",
            "requested_on": today,
            "requested_by_id": actor.id if actor else None,
            "source_key": source_key,
            "note": note or None,
        },
    )
    if new_id is None:
        return None
    request = db.session.get(ApprovalRequest, new_id)
    add_timeline(
        case,
        actor,
        "escalation_requested",
        note,
        data={"request_id": request.id},
        visible_to_creditor=True,
    )
    record_audit(
        actor,
        "escalation.requested",
        "approval_request",
        request.id,
        case_id=case.id,
        changes={"source_key": source_key, "note": note},
    )
    return request


def propose_escalation(actor, case: Case, *, today: date, note: str = "") -> ApprovalRequest:
    """An agent proposes the judicial stage by hand (the page's button). Commits."""
    access.require_agency(actor)
    if case.stage != pipeline.AMICABLE:
        raise ValidationFailed(
            {"note": [N_("Seul un dossier en phase amiable peut passer au judiciaire.")]}
        )
    if case.judicial_approved_at is not None:
        raise ValidationFailed(
            {"note": [N_("Le créancier a déjà donné son accord pour le judiciaire.")]}
        )
    if pending_request(case) is not None:
        raise ValidationFailed({"note": [N_("Une demande attend déjà la réponse du créancier.")]})
    if prescription.is_prescribed(case, today):
        raise ValidationFailed(
            {"note": [N_("La créance est prescrite : elle ne peut pas aller au judiciaire.")]}
        )
    # Numbered by the case's earlier requests: two clicks at once collide on the unique key.
    source_key = f"agent:{case.id}:{len(requests_of(case)) + 1}"
    request = request_escalation(case, today=today, source_key=source_key, actor=actor, note=note)
    if request is None:
        raise ValidationFailed({"note": [N_("Une demande attend déjà la réponse du créancier.")]})
    db.session.commit()
    from app.services import notifications

    notifications.approval_requested(request.id)
    return request


def get_request(user, request_id: int) -> ApprovalRequest:
    """An escalation request on a case this user sees; another creditor's looks absent."""
    request = db.session.scalars(
        sa.select(ApprovalRequest).where(
            ApprovalRequest.id == request_id,
            ApprovalRequest.kind == "escalation",
            ApprovalRequest.case_id.in_(access.visible_cases(user).with_only_columns(Case.id)),
        )
    ).first()
    if request is None:
        raise NotFound(N_("Demande introuvable."))
    return request


def pending_for_creditor(user) -> list[ApprovalRequest]:
    """Requests waiting for this creditor organisation's answer, oldest first."""
    if not user.is_creditor_staff:
        return []
    return list(
        db.session.scalars(
            sa.select(ApprovalRequest)
            .join(Case, Case.id == ApprovalRequest.case_id)
            .where(
                Case.creditor_id == user.organisation_id,
                Case.stage == pipeline.AMICABLE,
                ApprovalRequest.kind == "escalation",
                ApprovalRequest.status == "pending",
            )
            .order_by(ApprovalRequest.requested_on, ApprovalRequest.id)
        )
    )


def decide_escalation(
    actor, request: ApprovalRequest, *, approve: bool, note: str, today: date
) -> ApprovalRequest:
    """The creditor answers. Yes: the agency may move the case to the judicial stage. No: an
    agent gets a task to decide what happens next."""
    case = request.case
    if not actor.is_creditor_staff or actor.organisation_id != case.creditor_id:
        raise Forbidden(N_("Seul le créancier du dossier répond à cette demande."))
    if request.kind != "escalation":
        raise NotFound(N_("Demande introuvable."))
    if request.status != "pending":
        raise ValidationFailed({"note": [N_("Cette demande n'attend plus de réponse.")]})
    if case.stage != pipeline.AMICABLE:
        raise ValidationFailed({"note": [N_("Le dossier n'est plus en phase amiable.")]})
    note = (note or "").strip()
    if not approve and not note:
        raise ValidationFailed(
            {"note": [N_("Dites à l'agence pourquoi vous refusez le passage au judiciaire.")]}
        )
    request.status = "approved" if approve else "refused"
    request.decided_by_id, request.decided_at = actor.id, utcnow()
    request.decision_note = note or None
    if approve:
        case.judicial_approved_at = utcnow()
        case.next_action_on = today  # back to the agency, which can now move the case
        # The move to the judicial stage is a manager's (the pipeline's rule): tell the agency.
        tasks.raise_task(
            case,
            "follow_up",
            due_on=today,
            source_key=f"escalation-approved:{request.id}",
            data={
                "request_id": request.id,
                "reason": "Accord du créancier : passer le dossier en phase judiciaire "
                "et ouvrir la procédure.",
            },
        )
    else:
        tasks.raise_task(
            case,
            "escalation_refused",
            due_on=today,
            source_key=f"escalation-refused:{request.id}",
            data={"request_id": request.id, "note": note},
        )
    add_timeline(
        case,
        actor,
        "escalation_approved" if approve else "escalation_refused",
        note,
        data={"request_id": request.id},
        visible_to_creditor=True,
    )
    record_audit(
        actor,
        "escalation.decided",
        "approval_request",
        request.id,
        case_id=case.id,
        changes={"status": ["pending", request.status], "note": note},
    )
    db.session.commit()
    return request


def withdraw_pending(case: Case, actor, *, reason: str) -> int:
    """A case that leaves the amicable stage takes its unanswered request with it: the creditor
    no longer sees a question that has no object. A case that is no longer open takes every
    kind (write-off, settlement) with it; one still open keeps those. Does not commit."""
    query = sa.select(ApprovalRequest).where(
        ApprovalRequest.case_id == case.id, ApprovalRequest.status == "pending"
    )
    if case.is_open:
        query = query.where(ApprovalRequest.kind == "escalation")
    pending = db.session.scalars(query).all()
    for request in pending:
        request.status, request.decided_at, request.decision_note = "withdrawn", utcnow(), reason
        record_audit(
            actor,
            "escalation.withdrawn",
            "approval_request",
            request.id,
            case_id=case.id,
            changes={"reason": reason},
        )
    return len(pending)
