"""Promises to pay and payment plans: recording them, the creditor's approval, and keeping
their status true to the payments received (review_case, run after every payment and daily).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from functools import partial

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.domain import pipeline, schedule
from app.domain.i18n import N_
from app.domain.interest import MissingRate
from app.extensions import db
from app.models import Case, Payment, PaymentPlan, PlanInstallment, Promise, TimelineEntry
from app.models.base import utcnow
from app.models.plan import LIVE_PLAN_STATUSES
from app.services import bulk, claims, tasks
from app.services.access import require_agency
from app.services.audit import add_timeline, record_audit
from app.services.errors import Forbidden, ValidationFailed

# The holds this module sets, and may therefore lift; a dispute or a creditor's request stays.
OWN_HOLDS = ("promise", "payment_plan")


def policy_of(case: Case) -> schedule.PlanPolicy:
    creditor = case.creditor
    default = schedule.PlanPolicy()
    return schedule.PlanPolicy(
        max_months=creditor.plan_max_months or default.max_months,
        min_installment_cents=creditor.plan_min_installment_cents or default.min_installment_cents,
    )


def _outstanding(case: Case, today: date) -> int | None:
    try:
        return claims.case_balance(case, today).outstanding_cents
    except MissingRate:
        return None


def _set_hold(case: Case, hold: str) -> None:
    if case.hold_reason in (None, *OWN_HOLDS):
        case.hold_reason = hold


def _lift_hold(case: Case, hold: str) -> None:
    if case.hold_reason == hold:
        case.hold_reason = None


def _paid_between(case: Case, first: date, last: date | None = None) -> int:
    query = sa.select(sa.func.coalesce(sa.func.sum(Payment.amount_cents), 0)).where(
        Payment.case_id == case.id,
        Payment.reversed_at.is_(None),
        Payment.received_on >= first,
    )
    if last is not None:
        query = query.where(Payment.received_on <= last)
    return int(db.session.scalar(query))


# --- Promises -------------------------------------------------------------------------------


def add_promise(
    actor,
    case: Case,
    *,
    amount_cents: int,
    promised_on: date,
    today: date,
    note: str = "",
    call_log_id: int | None = None,
) -> Promise:
    """Write a promise (already validated) in the caller's transaction: a pending promise holds
    the case until its date plus the grace."""
    for pending in _pending_promises(case):
        # The debtor's latest word replaces what it promised before.
        pending.status, pending.resolved_on = "cancelled", today
    promise = Promise(
        case_id=case.id,
        amount_cents=amount_cents,
        promised_on=promised_on,
        made_on=today,
        note=note.strip() or None,
        call_log_id=call_log_id,
        recorded_by_id=getattr(actor, "id", None),
    )
    db.session.add(promise)
    db.session.flush()
    _set_hold(case, "promise")
    record_audit(
        actor,
        "promise.recorded",
        "promise",
        promise.id,
        case_id=case.id,
        changes={"amount_cents": amount_cents, "promised_on": promised_on},
    )
    return promise


def record_promise(
    actor, case: Case, *, amount_cents: int | None, promised_on: date | None, note: str, today
) -> Promise:
    """A promise taken down from a note or a letter (calls record theirs through log_call)."""
    require_agency(actor)
    errors: dict[str, list[str]] = {}
    if not case.is_open:
        errors["amount"] = [N_("Le dossier n'est plus ouvert.")]
    if amount_cents is None or amount_cents <= 0:
        errors.setdefault("amount", []).append(N_("Indiquez le montant promis."))
    if promised_on is None:
        errors["promised_on"] = [N_("Indiquez la date promise.")]
    elif promised_on < today:
        errors["promised_on"] = [N_("La date promise ne peut pas être dans le passé.")]
    if not errors:
        outstanding = _outstanding(case, today)
        if outstanding is not None and amount_cents > outstanding:
            errors["amount"] = [N_("La promesse dépasse ce que le débiteur doit.")]
    if errors:
        raise ValidationFailed(errors)
    promise = add_promise(
        actor, case, amount_cents=amount_cents, promised_on=promised_on, today=today, note=note
    )
    case.next_action_on = promised_on  # the day to check that the money came
    add_timeline(
        case,
        actor,
        "promise_recorded",
        note.strip(),
        data={"amount_cents": amount_cents, "promised_on": promised_on},
        visible_to_creditor=True,
    )
    db.session.commit()
    return promise


def _pending_promises(case: Case) -> list[Promise]:
    return list(
        db.session.scalars(
            sa.select(Promise).where(Promise.case_id == case.id, Promise.status == "pending")
        )
    )


def promises_of(case: Case) -> list[Promise]:
    query = sa.select(Promise).where(Promise.case_id == case.id).order_by(Promise.id.desc())
    return list(db.session.scalars(query))


# --- Plans ----------------------------------------------------------------------------------


def live_plan(case: Case) -> PaymentPlan | None:
    query = sa.select(PaymentPlan).where(
        PaymentPlan.case_id == case.id, PaymentPlan.status.in_(LIVE_PLAN_STATUSES)
    )
    return db.session.scalars(query).first()


def plans_of(case: Case) -> list[PaymentPlan]:
    query = (
        sa.select(PaymentPlan).where(PaymentPlan.case_id == case.id).order_by(PaymentPlan.id.desc())
    )
    return list(db.session.scalars(query))


def propose_plan(
    actor,
    case: Case,
    *,
    down_payment_cents: int | None,
    installment_count: int | None,
    frequency: str | None,
    first_due_on: date | None,
    note: str = "",
    today: date,
) -> PaymentPlan:
    """A plan for the whole balance as of today. Inside the creditor's policy it starts at once;
    outside, it waits for the creditor's approval in the portal (R124-5: told of every plan).
    `actor` None: the debtor proposed it from the payment page."""
    if actor is not None:
        require_agency(actor)
    errors: dict[str, list[str]] = {}
    if not case.is_open:
        errors["installment_count"] = [N_("Le dossier n'est plus ouvert.")]
    elif live_plan(case) is not None:
        errors["installment_count"] = [
            N_("Un échéancier est déjà en cours : annulez-le avant d'en proposer un autre.")
        ]
    if installment_count is None or installment_count < 1:
        errors["installment_count"] = [N_("Il faut au moins une échéance.")]
    elif installment_count > 120:
        errors["installment_count"] = [N_("Trop d'échéances : 120 au plus.")]
    if frequency not in schedule.FREQUENCIES:
        errors["frequency"] = [N_("Périodicité inconnue.")]
    if first_due_on is None:
        errors["first_due_on"] = [N_("Indiquez la date de la première échéance.")]
    elif first_due_on < today:
        errors["first_due_on"] = [N_("La première échéance ne peut pas être dans le passé.")]
    total = None
    if not errors:
        total = _outstanding(case, today)
        if total is None:
            errors["installment_count"] = [
                N_("Le solde ne peut pas être calculé : un taux manque au barème.")
            ]
        elif total <= 0:
            errors["installment_count"] = [N_("Le débiteur ne doit plus rien.")]
    if errors:
        raise ValidationFailed(errors)
    down = down_payment_cents or 0
    try:
        lines = schedule.build_schedule(
            total,
            installments=installment_count,
            frequency=frequency,
            first_due_on=first_due_on,
            down_payment_cents=down,
            down_payment_on=today if down else None,
        )
    except schedule.InvalidPlan as exc:
        field = "down_payment" if down else "installment_count"
        raise ValidationFailed({field: [str(exc)]}) from None
    if sum(line.amount_cents for line in lines) != total:
        raise AssertionError("a schedule always adds up to the amount owed")
    breaches = schedule.policy_breaches(lines, policy_of(case))
    plan = PaymentPlan(
        case_id=case.id,
        status="awaiting_creditor" if breaches else "active",
        total_cents=total,
        down_payment_cents=down,
        installment_count=installment_count,
        frequency=frequency,
        first_due_on=first_due_on,
        starts_on=today,
        policy_breaches=breaches,
        note=note.strip() or None,
        proposed_by_id=getattr(actor, "id", None),
        installments=[
            PlanInstallment(
                sequence=line.number, due_on=line.due_on, amount_cents=line.amount_cents
            )
            for line in lines
        ],
    )
    db.session.add(plan)
    db.session.flush()
    for pending in _pending_promises(case):
        pending.status, pending.resolved_on = "cancelled", today
    if plan.status == "active":
        _set_hold(case, "payment_plan")
        case.next_action_on = lines[0].due_on
    add_timeline(
        case,
        actor,
        "plan_proposed",
        note.strip(),
        data={
            "plan_id": plan.id,
            "status": plan.status,
            "total_cents": total,
            "installments": installment_count,
            "frequency": frequency,
            "first_due_on": first_due_on,
            "breaches": breaches,
            "by_debtor": actor is None,
        },
        visible_to_creditor=True,
    )
    record_audit(
        actor,
        "plan.proposed",
        "payment_plan",
        plan.id,
        case_id=case.id,
        changes={"status": plan.status, "total_cents": total, "breaches": breaches},
    )
    db.session.commit()
    return plan


def creditor_decide(actor, plan: PaymentPlan, *, approve: bool, note: str, today: date):
    """The creditor approves or refuses a plan outside its policy."""
    case = plan.case
    if not actor.is_creditor_staff or actor.organisation_id != case.creditor_id:
        raise Forbidden(N_("Seul le créancier du dossier décide de cet échéancier."))
    if plan.status != "awaiting_creditor":
        raise ValidationFailed({"note": [N_("Cet échéancier n'attend plus de décision.")]})
    if not approve and not note.strip():
        raise ValidationFailed({"note": [N_("Dites à l'agence pourquoi vous refusez.")]})
    plan.status = "active" if approve else "refused"
    plan.decided_by_id, plan.decided_at = actor.id, utcnow()
    plan.decision_note = note.strip() or None
    if approve:
        _set_hold(case, "payment_plan")
        case.next_action_on = plan.installments[0].due_on
    else:
        plan.ended_on = today
        case.next_action_on = today  # back to the agent
    add_timeline(
        case,
        actor,
        "plan_approved" if approve else "plan_refused",
        note.strip(),
        data={"plan_id": plan.id},
        visible_to_creditor=True,
    )
    record_audit(
        actor,
        "plan.decided",
        "payment_plan",
        plan.id,
        case_id=case.id,
        changes={"status": plan.status, "note": note},
    )
    db.session.commit()
    return plan


def cancel_plan(actor, plan: PaymentPlan, *, note: str, today: date) -> PaymentPlan:
    require_agency(actor)
    if not plan.is_live:
        raise ValidationFailed({"note": [N_("Cet échéancier n'est plus en cours.")]})
    if not note.strip():
        raise ValidationFailed({"note": [N_("Indiquez pourquoi l'échéancier est annulé.")]})
    plan.status, plan.ended_on = "cancelled", today
    _lift_hold(plan.case, "payment_plan")
    plan.case.next_action_on = today
    add_timeline(
        plan.case,
        actor,
        "plan_cancelled",
        note.strip(),
        data={"plan_id": plan.id},
        visible_to_creditor=True,
    )
    record_audit(
        actor,
        "plan.cancelled",
        "payment_plan",
        plan.id,
        case_id=plan.case_id,
        changes={"note": note},
    )
    db.session.commit()
    return plan


# --- Keeping statuses true ------------------------------------------------------------------


@dataclass(frozen=True)
class InstallmentView:
    installment: PlanInstallment
    paid_cents: int
    state: str  # paid, partial, late, upcoming


def installment_views(plan: PaymentPlan, today: date) -> list[InstallmentView]:
    """Each installment with what payments cover of it, in order."""
    remaining = _paid_between(plan.case, plan.starts_on)
    views = []
    for installment in plan.installments:
        covered = min(remaining, installment.amount_cents)
        remaining -= covered
        if covered == installment.amount_cents:
            state = "paid"
        elif installment.due_on < today:
            state = "late"
        elif covered:
            state = "partial"
        else:
            state = "upcoming"
        views.append(InstallmentView(installment, covered, state))
    return views


@dataclass
class _Known:
    """What review_case reads about one case, read for a whole chunk of cases at once."""

    promises: list[Promise]
    plan: PaymentPlan | None
    payments: list[tuple[date, int]]  # (received on, cents) of the payments that stand

    def paid_between(self, first: date, last: date | None = None) -> int:
        return sum(
            cents for on, cents in self.payments if on >= first and (last is None or on <= last)
        )


def review_case(case: Case, today: date, actor=None, *, known: _Known | None = None) -> None:
    """Mark promises kept or broken and the active plan completed or breached, from the payments
    received; lift the holds they set and put the case back in the agent's queue when the debtor
    failed. Idempotent: a second run changes nothing. Does not commit (the caller does).
    `known`: the case's promises, plan and payments, read beforehand for many cases at once."""
    promises = known.promises if known else _pending_promises(case)
    paid_between = known.paid_between if known else partial(_paid_between, case)
    for promise in promises:
        deadline = promise.promised_on + timedelta(days=schedule.PROMISE_GRACE_DAYS)
        paid = paid_between(promise.made_on, deadline)
        status = schedule.promise_status(promise.amount_cents, promise.promised_on, paid, today)
        if status == "pending":
            continue
        promise.status, promise.resolved_on = status, today
        _lift_hold(case, "promise")
        if status == "broken" and case.is_open:
            case.next_action_on = today
            tasks.raise_task(
                case,
                "promise_broken",
                due_on=today,
                source_key=f"promise-broken:{promise.id}",
                data={"amount_cents": promise.amount_cents, "promised_on": promise.promised_on},
            )
        add_timeline(
            case,
            actor,
            f"promise_{status}",
            data={"amount_cents": promise.amount_cents, "promised_on": promise.promised_on},
            visible_to_creditor=True,
        )
    plan = known.plan if known else live_plan(case)
    if plan is None or plan.status != "active":
        return
    lines = [schedule.Installment(i.sequence, i.due_on, i.amount_cents) for i in plan.installments]
    progress = schedule.plan_progress(lines, paid_between(plan.starts_on), today, plan.breach_days)
    if progress.completed or progress.breached:
        plan.status = "completed" if progress.completed else "breached"
        plan.ended_on = today
        _lift_hold(case, "payment_plan")
        if case.is_open:
            case.next_action_on = today
            if plan.status == "breached":
                tasks.raise_task(
                    case,
                    "plan_breached",
                    due_on=today,
                    source_key=f"plan-breached:{plan.id}",
                    data={"plan_id": plan.id},
                )
        add_timeline(
            case,
            actor,
            f"plan_{plan.status}",
            data={"plan_id": plan.id, "paid_installments": progress.paid_installments},
            visible_to_creditor=True,
        )
    elif progress.next_due is not None and case.is_open:
        case.next_action_on = progress.next_due.due_on


def after_payment(case: Case, today: date, actor=None) -> None:
    """Called by the payment service, inside its transaction, after a payment or a reversal."""
    review_case(case, today, actor)


REVIEW_CHUNK = 2_000


def review_all(today: date) -> int:
    """Every open case with a pending promise or a live plan; returns how many were reviewed.
    The daily run calls it; safe to run twice. A few queries per chunk of cases, not per case
    (the same reads as review_case's, grouped)."""
    with_promise = sa.select(Promise.case_id).where(Promise.status == "pending")
    with_plan = sa.select(PaymentPlan.case_id).where(PaymentPlan.status == "active")
    ids = db.session.scalars(
        sa.select(Case.id)
        .where(
            Case.stage.in_(pipeline.OPEN_STAGES),
            sa.or_(Case.id.in_(with_promise), Case.id.in_(with_plan)),
        )
        .order_by(Case.id)
    ).all()
    for start in range(0, len(ids), REVIEW_CHUNK):
        chunk = ids[start : start + REVIEW_CHUNK]
        cases = db.session.scalars(
            sa.select(Case).where(bulk.among(Case.id, chunk)).order_by(Case.id)
        ).all()
        promises: dict[int, list[Promise]] = defaultdict(list)
        for promise in db.session.scalars(
            sa.select(Promise)
            .where(bulk.among(Promise.case_id, chunk), Promise.status == "pending")
            .order_by(Promise.id)
        ):
            promises[promise.case_id].append(promise)
        plans: dict[int, PaymentPlan] = {}
        for plan in db.session.scalars(
            sa.select(PaymentPlan)
            .where(
                bulk.among(PaymentPlan.case_id, chunk),
                PaymentPlan.status.in_(LIVE_PLAN_STATUSES),
            )
            .options(selectinload(PaymentPlan.installments))
            .order_by(PaymentPlan.id)
        ):
            plans.setdefault(plan.case_id, plan)
        paid: dict[int, list[tuple[date, int]]] = defaultdict(list)
        for case_id, received_on, cents in db.session.execute(
            sa.select(Payment.case_id, Payment.received_on, Payment.amount_cents).where(
                bulk.among(Payment.case_id, chunk), Payment.reversed_at.is_(None)
            )
        ):
            paid[case_id].append((received_on, cents))
        for case in cases:
            review_case(
                case,
                today,
                known=_Known(promises[case.id], plans.get(case.id), paid[case.id]),
            )
        db.session.flush()
    db.session.commit()
    return len(ids)


# --- Plans paid by card -----------------------------------------------------------------------

CARD_TRIES = 3  # the first charge and two retries, a day apart, then the agent is told
# Stripe took the money (or is taking it): the payment arrives with the webhook, and charging
# the installment again before it does would take it twice.
CARD_TAKEN_STATUSES = ("succeeded", "processing")
# Stripe delivers its webhook within seconds and retries for days while we do not answer 2xx;
# still nothing after this many days, the agent looks the charge up in Stripe.
CARD_WEBHOOK_GRACE_DAYS = 3


def keep_card(plan: PaymentPlan, customer: str, payment_method: str) -> None:
    plan.card_customer, plan.card_payment_method = customer, payment_method
    db.session.commit()


def _last_card_payment(installment: PlanInstallment) -> Payment | None:
    from app.services import stripe_events  # it records payments, which review plans

    return stripe_events.card_payment(installment.card_intent_id)


def _charge_taken(installment: PlanInstallment) -> bool:
    return installment.card_last_status in CARD_TAKEN_STATUSES and bool(installment.card_intent_id)


def _taken_back(installment: PlanInstallment) -> bool:
    """Its last charge was paid, then refunded or charged back: the debtor (or the bank) took
    the money back, and charging the card again is the agent's call, not the daily run's."""
    if not _charge_taken(installment):
        return False
    payment = _last_card_payment(installment)
    return payment is not None and payment.is_reversed


def awaiting_webhook(installment: PlanInstallment) -> bool:
    """Its last charge was taken but the payment is not recorded yet (a late webhook): the
    installment looks unpaid, and must not be charged again."""
    if installment.card_last_status not in CARD_TAKEN_STATUSES:
        return False
    return not _charge_taken(installment) or _last_card_payment(installment) is None


def charge_installment(plan: PaymentPlan, installment: PlanInstallment, today: date):
    """Charge the saved card for what this installment still lacks; the payment itself is
    recorded by the webhook. Counts the attempt and keeps Stripe's answer on the installment;
    returns (PaymentIntent id, status). While the last charge awaits its webhook, nothing is
    charged and that charge's answer is returned."""
    from app.integrations import stripe_gateway

    if awaiting_webhook(installment):
        return installment.card_intent_id, installment.card_last_status
    views = {v.installment.id: v for v in installment_views(plan, today)}
    due = installment.amount_cents - views[installment.id].paid_cents
    installment.card_attempts += 1
    installment.card_last_attempt_on = today
    installment.card_intent_id, installment.card_last_status = None, None
    db.session.commit()
    intent, status = stripe_gateway.charge_saved_card(
        plan.card_customer,
        plan.card_payment_method,
        due,
        metadata={
            "case_id": str(plan.case_id),
            "plan_id": str(plan.id),
            "installment": str(installment.sequence),
        },
        idempotency_key=f"plan-{plan.id}-{installment.sequence}-{installment.card_attempts}",
    )
    installment.card_intent_id, installment.card_last_status = intent, status
    if status not in CARD_TAKEN_STATUSES:
        _note_decline(plan, installment, due, today)
    db.session.commit()
    return intent, status


def _note_decline(plan: PaymentPlan, installment: PlanInstallment, due: int, today: date):
    case = plan.case
    failed_for_good = installment.card_attempts >= CARD_TRIES
    add_timeline(
        case,
        None,
        "card_installment_failed" if failed_for_good else "card_installment_declined",
        data={
            "plan_id": plan.id,
            "installment": installment.sequence,
            "attempt": installment.card_attempts,
            "amount_cents": due,
            "status": installment.card_last_status,
        },
        visible_to_creditor=failed_for_good,
    )
    if failed_for_good:
        case.next_action_on = today  # the agent calls the debtor


def _report_unconfirmed(plan: PaymentPlan, installment: PlanInstallment, today: date) -> None:
    """Past the grace, the agent checks the charge in Stripe: told once per charge (the daily
    run sees the same waiting installment every day)."""
    charged_on = installment.card_last_attempt_on
    if charged_on is None or today < charged_on + timedelta(days=CARD_WEBHOOK_GRACE_DAYS):
        return
    case = plan.case
    told = db.session.scalars(
        sa.select(TimelineEntry.data).where(
            TimelineEntry.case_id == case.id, TimelineEntry.kind == "card_installment_unconfirmed"
        )
    )
    if any((data or {}).get("intent") == installment.card_intent_id for data in told):
        return
    add_timeline(
        case,
        None,
        "card_installment_unconfirmed",
        data={
            "plan_id": plan.id,
            "installment": installment.sequence,
            "intent": installment.card_intent_id,
            "status": installment.card_last_status,
            "charged_on": charged_on,
        },
    )
    if case.is_open:
        case.next_action_on = today
    db.session.commit()


def _next_card_installment(plan: PaymentPlan, today: date) -> PlanInstallment | None:
    """The earliest installment due and not yet paid."""
    for view in installment_views(plan, today):
        if view.state != "paid" and view.installment.due_on <= today:
            return view.installment
    return None


def charge_due_card_installments(today: date) -> dict[str, int]:
    """The daily run: for every active card plan, the earliest installment due and not yet
    paid is charged, once a day, three times at most; one whose last charge was taken waits
    for its webhook instead. Safe to run twice the same day."""
    counts = {"charged": 0, "declined": 0, "skipped": 0, "waiting": 0}
    card_plans = db.session.scalars(
        sa.select(PaymentPlan).where(
            PaymentPlan.status == "active", PaymentPlan.card_payment_method.is_not(None)
        )
    ).all()
    for plan in card_plans:
        installment = _next_card_installment(plan, today)
        if installment is None:
            continue
        if awaiting_webhook(installment):
            counts["waiting"] += 1
            _report_unconfirmed(plan, installment, today)
            continue
        if (
            installment.card_last_attempt_on == today
            or installment.card_attempts >= CARD_TRIES
            or _taken_back(installment)
        ):
            counts["skipped"] += 1
            continue
        _intent, status = charge_installment(plan, installment, today)
        counts["charged" if status in CARD_TAKEN_STATUSES else "declined"] += 1
    return counts
