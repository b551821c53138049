from datetime import date

import pytest

from app.domain.schedule import (
    InvalidPlan,
    PlanPolicy,
    add_months,
    build_schedule,
    plan_progress,
    policy_breaches,
    promise_status,
)


def test_equal_monthly_installments_put_the_rounding_remainder_on_the_last():
    """1,000.00 - 100.00 down = 900.00 over 7: 128.57 x 6 and 128.58 last."""
    schedule = build_schedule(
        100_000,
        installments=7,
        frequency="monthly",
        first_due_on=date(2026, 1, 31),
        down_payment_cents=10_000,
        down_payment_on=date(2026, 1, 5),
    )
    assert [i.amount_cents for i in schedule] == [10_000] + [12_857] * 6 + [12_858]
    assert sum(i.amount_cents for i in schedule) == 100_000
    assert [i.due_on for i in schedule[1:4]] == [
        date(2026, 1, 31),
        date(2026, 2, 28),
        date(2026, 3, 31),
    ]


def test_weekly_installments_fall_seven_days_apart():
    schedule = build_schedule(
        30_000, installments=3, frequency="weekly", first_due_on=date(2026, 12, 1)
    )
    assert [i.due_on for i in schedule] == [
        date(2026, 12, 1),
        date(2026, 12, 8),
        date(2026, 12, 15),
    ]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"installments": 0},
        {"frequency": "daily"},
        {"down_payment_cents": 100_000},
        {"down_payment_cents": -1},
    ],
)
def test_an_impossible_plan_is_refused(kwargs):
    values = {"installments": 3, "frequency": "monthly", "first_due_on": date(2026, 12, 1)}
    with pytest.raises(InvalidPlan):
        build_schedule(100_000, **{**values, **kwargs})


def test_add_months_clamps_to_the_end_of_short_months():
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2025, 11, 30), 3) == date(2026, 2, 28)


def test_a_plan_longer_or_thinner_than_the_creditors_policy_needs_approval():
    long_plan = build_schedule(
        1_200_000, installments=18, frequency="monthly", first_due_on=date(2026, 12, 1)
    )
    assert policy_breaches(long_plan, PlanPolicy(max_months=12, min_installment_cents=5_000)) == [
        "Durée supérieure à 12 mois."
    ]
    thin_plan = build_schedule(
        20_000, installments=10, frequency="weekly", first_due_on=date(2026, 12, 1)
    )
    assert policy_breaches(thin_plan, PlanPolicy()) == [
        "Échéance inférieure au minimum fixé par le créancier."
    ]


def test_a_plan_is_breached_only_after_fifteen_days_without_the_installment():
    schedule = build_schedule(
        30_000, installments=3, frequency="monthly", first_due_on=date(2026, 1, 10)
    )
    on_day_15 = plan_progress(schedule, 10_000, date(2026, 2, 25))
    assert (on_day_15.paid_installments, on_day_15.breached) == (1, False)
    on_day_16 = plan_progress(schedule, 10_000, date(2026, 2, 26))
    assert on_day_16.breached and on_day_16.next_due.number == 2
    done = plan_progress(schedule, 30_000, date(2026, 6, 1))
    assert done.completed and not done.breached


@pytest.mark.parametrize(
    "paid, today, status",
    [
        (50_000, date(2026, 12, 1), "kept"),
        (49_999, date(2026, 12, 4), "pending"),
        (49_999, date(2026, 12, 5), "broken"),
        (0, date(2026, 11, 25), "pending"),
    ],
)
def test_a_promise_is_kept_when_covered_and_broken_three_days_after_its_date(paid, today, status):
    assert promise_status(50_000, date(2026, 12, 1), paid, today) == status
