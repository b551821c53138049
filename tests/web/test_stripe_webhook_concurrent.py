"""The same Stripe event delivered by 20 threads at once, and processed by 20 workers at once:
one payment. Stripe retries a webhook it thinks failed, and two of its deliveries can overlap.

Needs PostgreSQL: the unique event id and the claim are what decide (SQLite has one writer).
"""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.jobs import get_queue
from app.models import Case, Payment, StripeEvent, TimelineEntry
from app.services import claims, stripe_events
from app.services import ledger as books

from .test_stripe_webhook import SECRET, signed, succeeded

pytestmark = pytest.mark.needs_server

THREADS = 20


@pytest.fixture(autouse=True)
def webhook_secret(app, monkeypatch):
    monkeypatch.setitem(app.config, "STRIPE_WEBHOOK_SECRET", SECRET)


def _at_once(app, work, count: int = THREADS) -> tuple[list, list]:
    """`work(i)` from `count` threads, each in its own app context and database session,
    released together; returns the results and the errors."""
    start = threading.Barrier(count)
    results, errors = [], []

    def run(index):
        with app.app_context():
            try:
                start.wait()
                results.append(work(index))
            except Exception as exc:  # reported by the test
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results, errors


def _one_payment_of(case_id, today, amount=50_000):
    db.session.expire_all()
    (payment,) = db.session.scalars(sa.select(Payment)).all()
    assert payment.amount_cents == amount and payment.case_id == case_id
    kinds = list(
        db.session.scalars(sa.select(TimelineEntry.kind).where(TimelineEntry.case_id == case_id))
    )
    assert kinds.count("payment_received") == 1
    assert books.verify() == []
    return payment


def test_twenty_simultaneous_deliveries_of_one_event_store_it_once_and_pay_once(
    app, amicable_case, run_jobs, today
):
    case_id = amicable_case.id
    body, headers = signed(succeeded(amicable_case))
    db.session.commit()

    def deliver(_index):
        return app.test_client().post("/stripe/webhook", data=body, headers=headers).get_json()

    answers, errors = _at_once(app, deliver)

    assert errors == []
    assert len(answers) == THREADS
    # Every delivery is acknowledged (Stripe stops retrying); one is stored and queued.
    assert sum(1 for a in answers if a == {"received": True}) == 1
    assert sum(1 for a in answers if a.get("duplicate")) == THREADS - 1
    assert db.session.scalar(sa.select(sa.func.count(StripeEvent.id))) == 1
    assert get_queue("default").count == 1
    run_jobs()
    _one_payment_of(case_id, today)
    assert claims.case_balance(db.session.get(Case, case_id), today).paid_cents == 50_000


def test_twenty_workers_processing_one_stored_event_at_once_record_one_payment(
    amicable_case, app, today
):
    stored = stripe_events.store(succeeded(amicable_case))
    row_id, case_id = stored.id, amicable_case.id

    outcomes, errors = _at_once(app, lambda _i: stripe_events.process(row_id))

    assert errors == []
    assert outcomes.count("payment recorded") == 1
    assert set(outcomes) == {"payment recorded", "already processed"}
    _one_payment_of(case_id, today)


def test_twenty_different_events_of_one_payment_intent_at_once_record_one_payment(
    amicable_case, app, today
):
    """Distinct event ids for the same PaymentIntent (a replay from the dashboard, another
    endpoint's copy): the payment's idempotency key is what keeps it single."""
    rows = [
        stripe_events.store(succeeded(amicable_case, event_id=f"evt_{i}")) for i in range(THREADS)
    ]
    ids, case_id = [row.id for row in rows], amicable_case.id

    outcomes, errors = _at_once(app, lambda i: stripe_events.process(ids[i]))

    assert errors == []
    assert set(outcomes) <= {"payment recorded", "already processed"}
    _one_payment_of(case_id, today)
    db.session.expire_all()
    unprocessed = db.session.scalar(
        sa.select(sa.func.count(StripeEvent.id)).where(StripeEvent.processed_at.is_(None))
    )
    assert unprocessed == 0
