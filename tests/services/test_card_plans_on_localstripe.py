"""A card plan charged by the daily job against localstripe, a real fake Stripe: the saved card
is a Customer and PaymentMethod there, declines come from its test card, and payments are
recorded only from the signed webhooks it delivers to the live server, about a second later."""

from __future__ import annotations

import time
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
import stripe

from app.extensions import db
from app.integrations import stripe_gateway
from app.jobs import get_queue
from app.jobs.tasks import charge_card_installments
from app.models import Payment, StripeEvent, TimelineEntry
from app.services import ledger as books
from app.services import plans
from tests import factories
from tests.conftest import STRIPE_WEBHOOK_SECRET, TODAY

GOOD_CARD = "4242424242424242"
DECLINED_CARD = "4000000000000341"  # localstripe attaches it, then declines every charge
INSTALLMENT = 43_264  # 1,297.92 in three


@pytest.fixture
def stripe_at(app, local_stripe, live_server, monkeypatch):
    """The test app (the one the jobs run in) charges localstripe, whose webhooks go to the
    live server on the same database."""
    for key, value in {
        "STRIPE_SECRET_KEY": "sk_test_e2e",
        "STRIPE_PUBLISHABLE_KEY": "pk_test_e2e",
        "STRIPE_WEBHOOK_SECRET": STRIPE_WEBHOOK_SECRET,
        "STRIPE_API_BASE": local_stripe.base,
    }.items():
        monkeypatch.setitem(app.config, key, value)
    return stripe.StripeClient("sk_test_e2e", base_addresses={"api": local_stripe.base})


@pytest.fixture
def card_plan(amicable_case):
    """The whole 1,297.92 in three monthly installments from TODAY, inside the policy."""
    return factories.monthly_plan(amicable_case, TODAY)


def save_card(client: stripe.StripeClient, number: str) -> tuple[str, str]:
    """What the debtor's page does for a plan: a SetupIntent for a new Customer, confirmed
    with the card (Stripe.js's part, done here by the API), then its card attached."""
    setup_id, _secret, customer = stripe_gateway.start_card_setup(keep_card=True)
    card = {"number": number, "exp_month": "12", "exp_year": "2030", "cvc": "123"}
    client.v1.setup_intents.confirm(
        setup_id, params={"payment_method_data": {"type": "card", "card": card}}
    )
    return customer, stripe_gateway.card_of(setup_id, customer)


def charge_on(day: date, run_jobs) -> dict:
    """The daily job for `day`, queued and worked off as the scheduler's worker would."""
    job = get_queue().enqueue(charge_card_installments, day.isoformat())
    run_jobs()
    assert job.is_finished, job.latest_result().exc_string
    return job.return_value()


def wait_for(what: str, condition, timeout: float = 15) -> None:
    """Poll the database (the live server writes it from localstripe's webhooks)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        db.session.expire_all()
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"still waiting for {what} after {timeout} s")


def count(model, *where) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def intents_of(client: stripe.StripeClient, customers: set[str]) -> list:
    listing = client.v1.payment_intents.list(params={"limit": 100})
    return [i for i in listing.auto_paging_iter() if i["customer"] in customers]


def paid_per_installment(plan, day: date) -> list[int]:
    db.session.expire_all()
    return [view.paid_cents for view in plans.installment_views(plan, day)]


def test_three_declines_are_reported_to_the_agent_and_the_creditor(
    stripe_at, card_plan, run_jobs, people, login
):
    case = card_plan.case
    customer, card = save_card(stripe_at, DECLINED_CARD)
    plans.keep_card(card_plan, customer, card)

    days = [TODAY + timedelta(days=n) for n in range(4)]
    counts = [charge_on(day, run_jobs) for day in days]

    assert [c["declined"] for c in counts] == [1, 1, 1, 0]
    assert counts[3]["skipped"] == 1  # three tries, then the card is left alone
    # Each decline comes back as a signed payment_intent.payment_failed webhook too.
    wait_for(
        "the three payment_failed webhooks",
        lambda: count(TimelineEntry, TimelineEntry.kind == "card_payment_failed") == 3,
    )
    failed = db.session.scalars(
        sa.select(TimelineEntry).where(TimelineEntry.kind == "card_installment_failed")
    ).all()
    assert len(failed) == 1 and failed[0].visible_to_creditor
    assert case.next_action_on == days[2]  # the agent calls the debtor
    page = login(people.creditor_user).get(f"/creancier/dossiers/{case.reference}")
    assert 'data-kind="card_installment_failed"' in page.get_data(as_text=True)

    assert [i["status"] for i in intents_of(stripe_at, {customer})] == [
        "requires_payment_method"
    ] * 3
    assert count(Payment) == 0
    assert books.verify() == []
    assert paid_per_installment(card_plan, days[3]) == [0, 0, 0]
    assert card_plan.status == "active"


def test_a_declined_installment_is_paid_the_next_day_with_the_card_the_debtor_replaced(
    stripe_at, card_plan, run_jobs
):
    first_due, second_due = TODAY, date(2026, 12, 23)
    bad_customer, bad_card = save_card(stripe_at, DECLINED_CARD)
    plans.keep_card(card_plan, bad_customer, bad_card)

    assert charge_on(first_due, run_jobs)["declined"] == 1
    good_customer, good_card = save_card(stripe_at, GOOD_CARD)
    plans.keep_card(card_plan, good_customer, good_card)
    assert charge_on(first_due + timedelta(days=1), run_jobs)["charged"] == 1
    # The next run comes before the webhook: the installment still looks unpaid, yet the card
    # it was taken from is not charged again.
    early = charge_on(first_due + timedelta(days=2), run_jobs)
    assert early["charged"] == early["declined"] == 0
    wait_for("the first installment's payment", lambda: count(Payment) == 1)

    assert charge_on(second_due, run_jobs)["charged"] == 1
    wait_for("the second installment's payment", lambda: count(Payment) == 2)
    assert charge_on(second_due + timedelta(days=1), run_jobs)["charged"] == 0

    succeeded = {
        i["id"]
        for i in intents_of(stripe_at, {bad_customer, good_customer})
        if i["status"] == "succeeded"
    }
    recorded = db.session.scalars(sa.select(Payment).order_by(Payment.id)).all()
    assert {p.idempotency_key for p in recorded} == {f"stripe:{i}" for i in succeeded}
    assert len(succeeded) == 2 and [p.amount_cents for p in recorded] == [INSTALLMENT] * 2
    assert [p.method for p in recorded] == ["card", "card"]
    first, second, _third = card_plan.installments
    assert (first.card_attempts, first.card_last_status) == (2, "succeeded")
    assert (second.card_attempts, second.card_last_status) == (1, "succeeded")
    assert books.verify() == []
    assert paid_per_installment(card_plan, second_due) == [INSTALLMENT, INSTALLMENT, 0]
    assert card_plan.status == "active"
    # Nothing from localstripe is left to arrive once the test's tables are emptied.
    wait_for(
        "every payment_intent webhook",
        lambda: count(StripeEvent, StripeEvent.type.like("payment_intent.%")) == 3,
    )
