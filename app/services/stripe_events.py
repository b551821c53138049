"""What a verified Stripe webhook event does to Recouvra's books.

The webhook route stores each event once (unique event id) and queues its processing; here one
worker claims it with a conditional UPDATE in the same transaction as the payment it records, so
ten deliveries of one event make one payment. A refund or a dispute that arrives before the
payment it is about waits, and is applied as soon as that payment is recorded.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from app.clock import paris_date, paris_today
from app.extensions import db
from app.models import Case, Payment, StripeEvent
from app.models.base import utcnow
from app.services import payments
from app.services.audit import add_timeline
from app.services.errors import ValidationFailed

HANDLED = (
    "payment_intent.succeeded",
    "payment_intent.payment_failed",
    "charge.refunded",
    "charge.dispute.created",
)
WAITING = "waiting for the payment"
# An event still unprocessed this long after it arrived lost its job: a worker killed in the
# middle of it (its claim rolled back with the payment), or a job lost by Redis. It is queued
# again; the claim makes a second run of a job that was only slow harmless.
STALE_AFTER = timedelta(minutes=10)


def payment_intent_of(event: dict) -> str | None:
    obj = event.get("data", {}).get("object", {})
    if event.get("type", "").startswith("payment_intent."):
        return obj.get("id")
    intent = obj.get("payment_intent")
    return intent.get("id") if isinstance(intent, dict) else intent


def store(event: dict) -> StripeEvent | None:
    """Keep a verified event; None when it was already received (a redelivery)."""
    from sqlalchemy.exc import IntegrityError

    row = StripeEvent(
        event_id=event["id"],
        type=event.get("type", ""),
        payment_intent=payment_intent_of(event),
        payload=event,
    )
    db.session.add(row)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return None
    return row


def _claim(row: StripeEvent) -> bool:
    claimed = db.session.execute(
        sa.update(StripeEvent)
        .where(StripeEvent.id == row.id, StripeEvent.processed_at.is_(None))
        .values(processed_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return claimed.rowcount == 1


def _day(event: dict):
    created = event.get("created")
    moment = datetime.fromtimestamp(created, UTC) if created else utcnow()
    return paris_date(moment)


def payment_key(intent: str) -> str:
    """The idempotency key a card payment is recorded with: one payment per PaymentIntent."""
    return f"stripe:{intent}"


def card_payment(intent: str | None, case_id: int | None = None) -> Payment | None:
    """The payment recorded for a PaymentIntent (of this case, when given), if its webhook
    has been processed."""
    if not intent:
        return None
    query = sa.select(Payment).where(Payment.idempotency_key == payment_key(intent))
    if case_id is not None:
        query = query.where(Payment.case_id == case_id)
    return db.session.scalar(query)


def intent_failed(intent: str, case_id: int) -> bool:
    """Whether Stripe told us this case's PaymentIntent failed (what the debtor's "payment
    processing" page waits for, besides the payment itself)."""
    if not intent:
        return False
    rows = db.session.scalars(
        sa.select(StripeEvent).where(
            StripeEvent.payment_intent == intent,
            StripeEvent.type == "payment_intent.payment_failed",
        )
    )
    return any(
        _case_id_of(row.payload.get("data", {}).get("object", {})) == case_id for row in rows
    )


def _case_id_of(obj: dict) -> int | None:
    """The case a PaymentIntent is for, from the metadata our server put on it."""
    case_id = (obj.get("metadata") or {}).get("case_id")
    try:
        return int(case_id) if case_id else None
    except (TypeError, ValueError):
        return None


def process(event_row_id: int) -> str:
    """Apply one stored event; returns what happened (kept on the event as its outcome)."""
    row = db.session.get(StripeEvent, event_row_id)
    if row is None or row.processed_at is not None:
        return "already processed"
    event = row.payload
    kind = row.type
    obj = event.get("data", {}).get("object", {})
    if kind not in HANDLED:
        return _finish(row, "ignored")
    if kind == "payment_intent.succeeded":
        return _succeeded(row, event, obj)
    payment = card_payment(row.payment_intent)
    if kind == "payment_intent.payment_failed":
        case = _case_of(obj)
        if not _claim(row):
            return "already processed"
        if case is not None:
            add_timeline(
                case,
                None,
                "card_payment_failed",
                data={"amount_cents": obj.get("amount"), "intent": row.payment_intent},
            )
        row.outcome = "failure noted"
        db.session.commit()
        return row.outcome
    if payment is None:
        # The payment's own event has not been processed yet: this one waits for it.
        row.outcome = WAITING
        db.session.commit()
        return row.outcome
    reason = "refund" if kind == "charge.refunded" else "chargeback"
    return _reverse(row, payment, reason, max(paris_today(), _day(event)))


def _case_of(obj: dict) -> Case | None:
    case_id = _case_id_of(obj)
    return db.session.get(Case, case_id) if case_id is not None else None


def _succeeded(row: StripeEvent, event: dict, obj: dict) -> str:
    case = _case_of(obj)
    amount = obj.get("amount_received") or obj.get("amount")
    if case is None or not isinstance(amount, int) or (obj.get("currency") or "eur") != "eur":
        return _finish(row, "not ours: no case or not euros")
    if not _claim(row):
        return "already processed"
    try:
        payments.record_payment(
            None,
            case,
            amount_cents=amount,
            received_on=_day(event),
            method="card",
            reference=row.payment_intent or "",
            idempotency_key=payment_key(row.payment_intent),
            already_taken=True,
            today=max(paris_today(), _day(event)),
        )
    except ValidationFailed as exc:
        db.session.rollback()
        return _finish(row, f"refused: {exc}"[:100])
    row.outcome = "payment recorded"
    db.session.commit()
    _apply_waiting(row.payment_intent)
    return row.outcome


def _reverse(row: StripeEvent, payment: Payment, reason: str, today) -> str:
    if payment.is_reversed:
        return _finish(row, "payment already reversed")
    if not _claim(row):
        return "already processed"
    try:
        payments.reverse_payment(None, payment, reason=reason, note=row.event_id, today=today)
    except ValidationFailed:
        db.session.rollback()
        return _finish(row, "payment already reversed")
    row.outcome = f"payment reversed ({reason})"
    db.session.commit()
    return row.outcome


def _apply_waiting(intent: str | None) -> None:
    waiting = db.session.scalars(
        sa.select(StripeEvent)
        .where(StripeEvent.payment_intent == intent, StripeEvent.processed_at.is_(None))
        .order_by(StripeEvent.id)
    ).all()
    for row in waiting:
        process(row.id)


def _finish(row: StripeEvent, outcome: str) -> str:
    if _claim(row):
        row.outcome = outcome
        db.session.commit()
    return outcome


def stale_event_ids(now: datetime | None = None) -> list[int]:
    """Events that should have been processed by now and were not, oldest first. A refund
    waiting for its payment counts only once that payment is recorded (its job may have died
    between the two)."""
    cutoff = (now or utcnow()) - STALE_AFTER
    payment_recorded = sa.exists().where(
        Payment.idempotency_key == sa.literal("stripe:").concat(StripeEvent.payment_intent)
    )
    return list(
        db.session.scalars(
            sa.select(StripeEvent.id)
            .where(
                StripeEvent.processed_at.is_(None),
                StripeEvent.received_at < cutoff,
                sa.or_(
                    StripeEvent.outcome.is_(None),
                    StripeEvent.outcome != WAITING,
                    payment_recorded,
                ),
            )
            .order_by(StripeEvent.id)
        )
    )


def requeue_stale_events(now: datetime | None = None) -> int:
    """Queue again every event whose processing was lost (the scheduler does it every few
    minutes); returns how many."""
    from app.jobs import enqueue_many
    from app.jobs.tasks import process_stripe_event

    ids = stale_event_ids(now)
    db.session.commit()
    if ids:
        enqueue_many(process_stripe_event, [(event_id,) for event_id in ids])
    return len(ids)
