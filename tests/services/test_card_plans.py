"""A plan paid by card: the saved card is charged off-session on each due date by the daily
job, once a day; a decline is retried the next days, and after three tries the agent is told."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.integrations import stripe_gateway
from app.models import Payment, TimelineEntry
from app.services import casework, payments, plans
from tests import factories

TODAY = date(2026, 11, 23)


class FakeCards:
    """Stands for Stripe: each charge succeeds or declines as scripted, and a success is
    recorded as the verified webhook would record it: at once, or when `deliver()` is called
    for a "late" success (its webhook not processed yet) or a "processing" one."""

    def __init__(self, case):
        self.case = case
        self.script: list[str] = []
        self.charged: list[int] = []
        self.undelivered: list[tuple[str, int]] = []
        self.day = TODAY

    def charge_saved_card(self, customer, method, amount, *, metadata, idempotency_key):
        outcome = self.script.pop(0) if self.script else "succeeded"
        if outcome == "declined":
            return None, "declined"
        intent = f"pi_{idempotency_key}"
        self.charged.append(amount)
        if outcome == "succeeded":
            self._webhook(intent, amount)
            return intent, "succeeded"
        self.undelivered.append((intent, amount))
        return intent, "processing" if outcome == "processing" else "succeeded"

    def deliver(self):
        while self.undelivered:
            self._webhook(*self.undelivered.pop(0))

    def _webhook(self, intent, amount):
        payments.record_payment(
            None,
            self.case,
            amount_cents=amount,
            received_on=self.day,
            method="card",
            idempotency_key=f"stripe:{intent}",
            already_taken=True,
            today=self.day,
        )


@pytest.fixture
def plan_and_card(people, rates_to_date, monkeypatch):
    """1,297.92 owed, in 3 monthly installments by card from today (the first charged now)."""
    case = factories.make_case(
        people.creditor_user,
        invoices=[factories.invoice("F-1", 120_000, issued=date(2026, 6, 1), days=30)],
        today=TODAY,
    )
    casework.accept_case(people.agent, case, today=TODAY)
    cards = FakeCards(case)
    monkeypatch.setattr(stripe_gateway, "charge_saved_card", cards.charge_saved_card)
    plan = factories.monthly_plan(case, TODAY)
    plans.keep_card(plan, "cus_1", "pm_1")
    plans.charge_installment(plan, plan.installments[0], TODAY)
    return plan, cards


def run_on(cards, day):
    cards.day = day
    return plans.charge_due_card_installments(day)


def kinds(case):
    query = sa.select(TimelineEntry.kind).where(TimelineEntry.case_id == case.id)
    return list(db.session.scalars(query.order_by(TimelineEntry.id)))


def test_the_first_installment_is_taken_at_once_and_nothing_more_until_the_next_is_due(
    plan_and_card,
):
    plan, cards = plan_and_card

    assert cards.charged == [43_264]  # 1,297.92 / 3
    assert run_on(cards, TODAY + timedelta(days=10)) == {
        "charged": 0,
        "declined": 0,
        "skipped": 0,
        "waiting": 0,
    }


def test_a_declined_installment_is_retried_the_next_day_once(plan_and_card):
    plan, cards = plan_and_card
    cards.script = ["declined"]

    assert run_on(cards, date(2026, 12, 23))["declined"] == 1
    assert run_on(cards, date(2026, 12, 23))["skipped"] == 1  # not twice the same day
    assert run_on(cards, date(2026, 12, 24))["charged"] == 1

    second = plan.installments[1]
    assert second.card_attempts == 2
    assert cards.charged == [43_264, 43_264]
    assert "card_installment_declined" in kinds(plan.case)
    assert plan.status == "active"


def test_after_three_declines_the_agent_is_told_and_the_card_is_left_alone(plan_and_card):
    plan, cards = plan_and_card
    cards.script = ["declined"] * 5

    for day in (date(2026, 12, 23), date(2026, 12, 24), date(2026, 12, 25)):
        run_on(cards, day)
    counts = run_on(cards, date(2026, 12, 26))

    assert counts["skipped"] == 1 and plan.installments[1].card_attempts == 3
    failed = db.session.scalar(
        sa.select(TimelineEntry).where(TimelineEntry.kind == "card_installment_failed")
    )
    assert failed.visible_to_creditor
    assert plan.case.next_action_on == date(2026, 12, 25)


def test_the_last_installment_paid_by_card_completes_the_plan(plan_and_card):
    plan, cards = plan_and_card

    run_on(cards, date(2026, 12, 23))
    run_on(cards, date(2027, 1, 23))

    assert sum(cards.charged) == plan.total_cents
    assert plan.status == "completed"


def test_a_charge_whose_webhook_is_late_is_not_taken_again(plan_and_card):
    plan, cards = plan_and_card
    cards.script = ["late"]
    second = plan.installments[1]

    assert run_on(cards, date(2026, 12, 23))["charged"] == 1
    assert (second.card_intent_id, second.card_last_status) == (
        f"pi_plan-{plan.id}-2-1",
        "succeeded",
    )
    assert run_on(cards, date(2026, 12, 24))["waiting"] == 1  # looks unpaid, but was taken
    assert cards.charged == [43_264, 43_264]

    cards.deliver()
    assert run_on(cards, date(2026, 12, 25)) == {
        "charged": 0,
        "declined": 0,
        "skipped": 0,
        "waiting": 0,
    }
    assert second.card_attempts == 1


def test_a_charge_still_processing_waits_for_its_webhook_and_is_not_a_decline(plan_and_card):
    plan, cards = plan_and_card
    cards.script = ["processing"]

    assert run_on(cards, date(2026, 12, 23))["charged"] == 1
    assert run_on(cards, date(2026, 12, 24))["waiting"] == 1
    cards.deliver()
    run_on(cards, date(2027, 1, 23))

    assert cards.charged == [43_264, 43_264, 43_264]
    assert "card_installment_declined" not in kinds(plan.case)
    assert plan.status == "completed"


def test_charging_by_hand_an_installment_whose_webhook_is_late_takes_nothing(plan_and_card):
    plan, cards = plan_and_card
    cards.script = ["late"]
    second = plan.installments[1]
    run_on(cards, date(2026, 12, 23))

    intent, status = plans.charge_installment(plan, second, date(2026, 12, 24))

    assert (intent, status) == (f"pi_plan-{plan.id}-2-1", "succeeded")
    assert cards.charged == [43_264, 43_264] and second.card_attempts == 1


def test_a_charge_unconfirmed_after_three_days_is_put_to_the_agent_once(plan_and_card):
    plan, cards = plan_and_card
    cards.script = ["late"]
    run_on(cards, date(2026, 12, 23))

    for day in (24, 25):
        run_on(cards, date(2026, 12, day))
    assert "card_installment_unconfirmed" not in kinds(plan.case)
    for day in (26, 27, 28):
        assert run_on(cards, date(2026, 12, day))["waiting"] == 1

    told = db.session.scalars(
        sa.select(TimelineEntry).where(TimelineEntry.kind == "card_installment_unconfirmed")
    ).all()
    assert len(told) == 1 and not told[0].visible_to_creditor  # the agent checks in Stripe
    assert told[0].data["intent"] == f"pi_plan-{plan.id}-2-1"
    assert plan.case.next_action_on == date(2026, 12, 26)
    assert cards.charged == [43_264, 43_264]


def test_a_declined_charge_keeps_its_status_and_is_retried(plan_and_card):
    plan, cards = plan_and_card
    cards.script = ["declined"]
    second = plan.installments[1]

    run_on(cards, date(2026, 12, 23))
    assert (second.card_intent_id, second.card_last_status) == (None, "declined")
    run_on(cards, date(2026, 12, 24))

    assert (second.card_intent_id, second.card_last_status) == (
        f"pi_plan-{plan.id}-2-2",
        "succeeded",
    )
    assert cards.charged == [43_264, 43_264]


def test_the_daily_job_charges_what_is_due_on_its_day_and_nothing_twice(plan_and_card, run_jobs):
    from app.jobs import get_queue
    from app.jobs.tasks import charge_card_installments

    plan, cards = plan_and_card
    cards.day = date(2026, 12, 23)
    queue = get_queue()
    first = queue.enqueue(charge_card_installments, "2026-12-23")
    again = queue.enqueue(charge_card_installments, "2026-12-23")  # a scheduler restarted
    run_jobs()

    assert first.return_value() == {"charged": 1, "declined": 0, "skipped": 0, "waiting": 0}
    assert again.return_value() == {"charged": 0, "declined": 0, "skipped": 0, "waiting": 0}
    assert cards.charged == [43_264, 43_264]


def test_flask_plans_charge_cards_charges_today_and_says_what_it_did(
    app, plan_and_card, monkeypatch
):
    from app import web

    plan, cards = plan_and_card
    cards.script = ["late"]
    monkeypatch.setattr(web, "today", lambda: date(2026, 12, 23))
    runner = app.test_cli_runner()

    first = runner.invoke(args=["plans", "charge-cards"])
    second = runner.invoke(args=["plans", "charge-cards"])

    assert first.exit_code == 0, first.output
    assert "1 échéance(s) prélevée(s), 0 refusée(s), 0 déjà tentée(s)" in first.output
    assert "1 en attente de confirmation par Stripe." in second.output
    assert cards.charged == [43_264, 43_264]


def test_an_installment_refunded_or_charged_back_is_not_charged_again_by_the_run(plan_and_card):
    plan, cards = plan_and_card
    run_on(cards, date(2026, 12, 23))
    second = plan.installments[1]
    paid = db.session.scalar(
        sa.select(Payment).where(Payment.idempotency_key == f"stripe:{second.card_intent_id}")
    )
    payments.reverse_payment(None, paid, reason="chargeback", today=date(2026, 12, 27))

    counts = run_on(cards, date(2026, 12, 28))

    assert counts["charged"] == 0 and counts["skipped"] == 1
    assert cards.charged == [43_264, 43_264]  # the first installment and the second, once
