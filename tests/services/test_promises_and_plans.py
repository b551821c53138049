"""Promises to pay and payment plans: recorded, approved when outside the creditor's policy,
and marked kept, broken, breached or completed from the payments that arrive."""

from datetime import date

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import PaymentPlan, Promise, TimelineEntry
from app.services import casework, payments, plans
from app.services.errors import Forbidden, ValidationFailed
from tests import factories

TODAY = date(2026, 11, 23)


@pytest.fixture
def case(people, rates_to_date):
    """1,200.00 due 2026-07-01: 1,297.92 owed on 2026-11-23 (57.92 interest + 40.00)."""
    case = factories.make_case(
        people.creditor_user,
        invoices=[factories.invoice("F-1", 120_000, issued=date(2026, 6, 1), days=30)],
        today=TODAY,
    )
    casework.accept_case(people.agent, case, today=TODAY)
    return case


def pay(case, cents, on, today=None):
    return payments.record_payment(
        None, case, amount_cents=cents, received_on=on, method="transfer", today=today or on
    )


def timeline_kinds(case) -> list[str]:
    query = sa.select(TimelineEntry.kind).where(TimelineEntry.case_id == case.id)
    return list(db.session.scalars(query.order_by(TimelineEntry.id)))


def promise_by_call(people, case, cents=50_000, on=date(2026, 11, 30)):
    casework.log_call(
        people.agent,
        case,
        direction="outbound",
        phone_number="04 72 00 00 00",
        outcome="promise_to_pay",
        promised_amount_cents=cents,
        promised_on=on,
        today=TODAY,
    )
    return db.session.scalar(sa.select(Promise))


def test_a_promise_taken_on_a_call_holds_the_case_until_its_date(people, case):
    promise = promise_by_call(people, case)

    assert promise.status == "pending" and promise.call_log_id is not None
    assert case.hold_reason == "promise"
    assert case.next_action_on == date(2026, 11, 30)


def test_a_promise_paid_within_the_grace_is_kept_and_the_hold_lifted(people, case):
    promise = promise_by_call(people, case)

    pay(case, 50_000, on=date(2026, 12, 3))  # 3 days of grace after the 30th

    assert promise.status == "kept"
    assert case.hold_reason is None
    assert "promise_kept" in timeline_kinds(case)


def test_a_promise_unpaid_after_the_grace_is_broken_and_back_in_the_queue(people, case):
    promise = promise_by_call(people, case)

    plans.review_case(case, date(2026, 12, 3))
    assert promise.status == "pending"  # still within the grace
    plans.review_case(case, date(2026, 12, 4))
    db.session.commit()

    assert promise.status == "broken"
    assert case.hold_reason is None and case.next_action_on == date(2026, 12, 4)
    plans.review_case(case, date(2026, 12, 5))  # a second run changes nothing
    assert timeline_kinds(case).count("promise_broken") == 1
    assert case.next_action_on == date(2026, 12, 4)


def test_a_late_payment_does_not_mend_a_broken_promise(people, case):
    promise = promise_by_call(people, case)

    pay(case, 50_000, on=date(2026, 12, 4), today=date(2026, 12, 4))

    assert promise.status == "broken"


@pytest.mark.parametrize(
    ("cents", "on", "field", "message"),
    [
        (200_000, date(2026, 12, 1), "amount", "La promesse dépasse ce que le débiteur doit."),
        (0, date(2026, 12, 1), "amount", "Indiquez le montant promis."),
        (
            10_000,
            date(2026, 11, 22),
            "promised_on",
            "La date promise ne peut pas être dans le passé.",
        ),
    ],
)
def test_a_promise_from_a_note_is_checked(people, case, cents, on, field, message):
    with pytest.raises(ValidationFailed) as refused:
        plans.record_promise(
            people.agent, case, amount_cents=cents, promised_on=on, note="", today=TODAY
        )

    assert refused.value.errors[field] == [message]


def propose(people, case, count=4, frequency="monthly", down=9_792, first=date(2026, 12, 1)):
    return plans.propose_plan(
        people.agent,
        case,
        down_payment_cents=down,
        installment_count=count,
        frequency=frequency,
        first_due_on=first,
        today=TODAY,
    )


def test_a_plan_inside_the_creditors_policy_starts_at_once(people, case):
    plan = propose(people, case)

    assert plan.status == "active" and plan.policy_breaches == []
    assert plan.total_cents == 129_792
    assert [(i.sequence, i.due_on, i.amount_cents) for i in plan.installments] == [
        (0, TODAY, 9_792),
        (1, date(2026, 12, 1), 30_000),
        (2, date(2027, 1, 1), 30_000),
        (3, date(2027, 2, 1), 30_000),
        (4, date(2027, 3, 1), 30_000),
    ]
    assert case.hold_reason == "payment_plan"


def test_equal_installments_put_the_rounding_remainder_on_the_last(people, case):
    plan = propose(people, case, count=7, down=0)

    amounts = [i.amount_cents for i in plan.installments]
    assert amounts == [18_541] * 6 + [18_546]
    assert sum(amounts) == plan.total_cents


def test_a_plan_outside_the_policy_waits_for_the_creditor(people, case):
    plan = propose(people, case, count=24, down=0)

    assert plan.status == "awaiting_creditor"
    assert plan.policy_breaches == ["Durée supérieure à 12 mois."]
    assert case.hold_reason is None
    entry = db.session.scalar(sa.select(TimelineEntry).where(TimelineEntry.kind == "plan_proposed"))
    assert entry.visible_to_creditor  # R124-5

    plans.creditor_decide(people.creditor_user, plan, approve=True, note="", today=TODAY)

    assert plan.status == "active" and plan.decided_by_id == people.creditor_user.id
    assert case.hold_reason == "payment_plan"


def test_installments_below_the_creditors_minimum_need_its_approval(people, case):
    people.creditor.plan_min_installment_cents = 50_000
    db.session.commit()

    plan = propose(people, case)  # 300.00 a month

    assert plan.policy_breaches == ["Échéance inférieure au minimum fixé par le créancier."]


def test_a_refusal_needs_a_reason_and_sends_the_case_back_to_the_agent(people, case):
    plan = propose(people, case, count=24, down=0)
    with pytest.raises(ValidationFailed):
        plans.creditor_decide(people.creditor_user, plan, approve=False, note=" ", today=TODAY)

    plans.creditor_decide(people.creditor_user, plan, approve=False, note="Trop long", today=TODAY)

    assert plan.status == "refused" and case.next_action_on == TODAY


def test_another_creditor_cannot_decide_the_plan(people, case):
    plan = propose(people, case, count=24, down=0)

    with pytest.raises(Forbidden):
        plans.creditor_decide(people.other_creditor_user, plan, approve=True, note="", today=TODAY)


def test_one_live_plan_per_case(people, case):
    propose(people, case)

    with pytest.raises(ValidationFailed) as refused:
        propose(people, case)

    assert "déjà en cours" in refused.value.errors["installment_count"][0]


def test_a_plan_is_breached_when_an_installment_is_more_than_15_days_late(people, case):
    plan = propose(people, case)  # down payment due today

    plans.review_case(case, date(2026, 12, 8))
    assert plan.status == "active"
    plans.review_case(case, date(2026, 12, 9))
    db.session.commit()

    assert plan.status == "breached" and plan.ended_on == date(2026, 12, 9)
    assert case.hold_reason is None and case.next_action_on == date(2026, 12, 9)


def test_a_plan_paid_to_the_last_installment_is_completed(people, case):
    plan = propose(people, case)
    pay(case, 9_792, on=TODAY)
    for due in (date(2026, 12, 1), date(2027, 1, 1), date(2027, 2, 1)):
        pay(case, 30_000, on=due)
        assert plan.status == "active"

    pay(case, 30_000, on=date(2027, 3, 1))

    assert plan.status == "completed"
    assert "plan_completed" in timeline_kinds(case)


def test_installments_show_what_payments_cover(people, case):
    plan = propose(people, case)
    pay(case, 9_792 + 10_000, on=TODAY)

    views = plans.installment_views(plan, date(2026, 12, 5))

    assert [(v.state, v.paid_cents) for v in views[:3]] == [
        ("paid", 9_792),
        ("late", 10_000),
        ("upcoming", 0),
    ]


def test_cancelling_a_plan_needs_a_reason_and_lifts_its_hold(people, case):
    plan = propose(people, case)

    plans.cancel_plan(people.agent, plan, note="Le débiteur a vendu son fonds", today=TODAY)

    assert plan.status == "cancelled" and case.hold_reason is None


def test_the_daily_review_covers_every_case_with_a_promise_or_a_plan(app, people, case):
    promise_by_call(people, case)
    runner = app.test_cli_runner()

    result = runner.invoke(args=["plans", "review", "--date", "2026-12-10"])

    assert result.exit_code == 0, result.output
    assert "1 dossier(s) revu(s)" in result.output
    assert db.session.scalar(sa.select(Promise.status)) == "broken"
    assert db.session.scalar(sa.select(PaymentPlan.id)) is None
