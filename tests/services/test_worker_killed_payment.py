"""A worker killed (SIGKILL) in the middle of a payment job: after a new worker starts, the
payment is recorded once.

Needs PostgreSQL and Redis: the job is a real `flask worker` process on a real queue. The window
is made, not waited for: the test holds the case's row lock, so the job stops inside the
payment's transaction (the event claimed, the case lock awaited) until the kill.
"""

from __future__ import annotations

import os
import signal
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.jobs import enqueue
from app.jobs.tasks import requeue_stripe_events
from app.models import Case, Payment, StripeEvent, TimelineEntry
from app.models.base import utcnow
from app.services import claims
from app.services import ledger as books
from tests.servers import wait_until
from tests.web.test_stripe_webhook import SECRET, deliver, succeeded

from .test_worker_killed import _worker

pytestmark = pytest.mark.needs_server


def _waiting_on_a_lock() -> int:
    with db.engine.connect() as connection:
        return connection.scalar(
            sa.text(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
        )


def test_a_worker_killed_while_recording_a_card_payment_leaves_it_to_be_recorded_once(
    app, amicable_case, client, smtp_sink, monkeypatch, today
):
    monkeypatch.setitem(app.config, "STRIPE_WEBHOOK_SECRET", SECRET)
    case_id = amicable_case.id
    assert deliver(client, succeeded(amicable_case)).status_code == 200  # stored and queued
    db.session.commit()

    holder = db.engine.connect()
    holder.execute(sa.select(Case.id).where(Case.id == case_id).with_for_update())
    worker = _worker(app, smtp_sink, burst=False)
    try:
        wait_until(lambda: _waiting_on_a_lock() >= 1, timeout=60, what="the job to reach the case")
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        holder.rollback()
        holder.close()

    db.session.expire_all()
    event = db.session.scalar(sa.select(StripeEvent))
    assert event.processed_at is None  # the claim died with its transaction
    assert db.session.scalar(sa.select(sa.func.count(Payment.id))) == 0

    # Later: the scheduler's check finds the event that was never processed.
    event.received_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    enqueue(requeue_stripe_events)
    assert _worker(app, smtp_sink, burst=True).wait(timeout=120) == 0

    db.session.expire_all()
    (payment,) = db.session.scalars(sa.select(Payment)).all()
    assert (payment.amount_cents, payment.method) == (50_000, "card")
    event = db.session.scalar(sa.select(StripeEvent))
    assert event.processed_at is not None and event.outcome == "payment recorded"
    received = db.session.scalar(
        sa.select(sa.func.count(TimelineEntry.id)).where(
            TimelineEntry.case_id == case_id, TimelineEntry.kind == "payment_received"
        )
    )
    assert received == 1
    assert claims.case_balance(db.session.get(Case, case_id), today).paid_cents == 50_000
    assert books.verify() == []
