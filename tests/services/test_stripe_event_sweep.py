"""An event whose processing job was lost (a worker killed mid-payment, a job Redis lost) is
queued again by the scheduler's check, and recorded once."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from app.extensions import db
from app.jobs.scheduler import PERIODIC_JOBS
from app.jobs.tasks import requeue_stripe_events
from app.models import Payment, StripeEvent
from app.models.base import utcnow
from app.services import payments, stripe_events
from tests.web.test_stripe_webhook import refunded, succeeded


def _stored(event: dict, *, minutes_ago: int) -> int:
    row = stripe_events.store(event)
    row.received_at = utcnow() - timedelta(minutes=minutes_ago)
    db.session.commit()
    return row.id


def test_only_events_left_unprocessed_for_ten_minutes_are_picked_up(amicable_case):
    lost = _stored(succeeded(amicable_case, event_id="evt_lost", intent="pi_1"), minutes_ago=30)
    _stored(succeeded(amicable_case, event_id="evt_new", intent="pi_2"), minutes_ago=2)
    done = _stored(succeeded(amicable_case, event_id="evt_done", intent="pi_3"), minutes_ago=30)
    stripe_events.process(done)

    assert stripe_events.stale_event_ids() == [lost]


def test_a_refund_waiting_for_its_payment_is_picked_up_only_once_the_payment_exists(
    amicable_case, today
):
    waiting = _stored(refunded(intent="pi_1", event_id="evt_refund"), minutes_ago=30)
    assert stripe_events.process(waiting) == stripe_events.WAITING
    assert stripe_events.stale_event_ids() == []

    # The payment's job recorded it, then died before applying the refund that waited for it.
    payments.record_payment(
        None,
        amicable_case,
        amount_cents=50_000,
        received_on=today,
        method="card",
        idempotency_key=stripe_events.payment_key("pi_1"),
        already_taken=True,
        today=today,
    )
    assert stripe_events.stale_event_ids() == [waiting]


def test_the_scheduler_runs_the_check_and_a_lost_event_is_recorded_once(amicable_case, run_jobs):
    assert requeue_stripe_events in [job[0] for job in PERIODIC_JOBS]
    _stored(succeeded(amicable_case), minutes_ago=30)

    assert requeue_stripe_events() == 1
    run_jobs()
    assert requeue_stripe_events() == 0
    run_jobs()

    assert db.session.scalar(sa.select(sa.func.count(Payment.id))) == 1
    assert db.session.scalar(sa.select(StripeEvent.outcome)) == "payment recorded"
