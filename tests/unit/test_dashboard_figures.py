"""The dashboard's arithmetic, with worked numbers."""

from datetime import date
from decimal import Decimal

import pytest

from app.domain import dashboard as figures
from app.domain.dashboard import InvoiceRow


@pytest.mark.parametrize(
    ("days", "bucket"),
    [
        (-10, "0-30"),
        (0, "0-30"),
        (30, "0-30"),
        (31, "31-60"),
        (60, "31-60"),
        (61, "61-90"),
        (90, "61-90"),
        (91, "91-180"),
        (180, "91-180"),
        (181, "180+"),
        (2000, "180+"),
    ],
)
def test_an_invoice_falls_in_the_bucket_of_its_days_past_due(days, bucket):
    assert figures.bucket_of(days) == bucket


def test_payments_reduce_the_oldest_invoice_first_and_a_surplus_is_ignored():
    rows = [
        InvoiceRow(1, date(2026, 10, 31), 50_000),
        InvoiceRow(1, date(2026, 7, 1), 100_000),
        InvoiceRow(2, date(2026, 9, 1), 20_000),
    ]
    left = {
        (r.case_id, r.due_date): cents
        for r, cents in figures.remaining_by_invoice(rows, {1: 120_000, 2: 99_999})
    }
    assert left == {
        (1, date(2026, 7, 1)): 0,
        (1, date(2026, 10, 31)): 30_000,
        (2, date(2026, 9, 1)): 0,
    }


def test_ageing_sums_what_is_left_by_bucket_on_a_given_day():
    rows = [InvoiceRow(1, date(2026, 7, 1), 100_000), InvoiceRow(1, date(2026, 10, 31), 50_000)]
    assert figures.ageing(rows, {1: 40_000}, date(2026, 11, 23)) == {
        "0-30": 50_000,
        "31-60": 0,
        "61-90": 0,
        "91-180": 60_000,
        "180+": 0,
    }


def test_the_last_twelve_months_end_with_the_current_one():
    months = figures.last_months(date(2026, 2, 14))
    assert months[0] == date(2025, 3, 1)
    assert months[-1] == date(2026, 2, 1)
    assert len(months) == 12


def test_monthly_figures_count_each_paying_case_once_and_ignore_older_months():
    result = figures.monthly(
        [
            (1, date(2026, 11, 2), 10_000),
            (1, date(2026, 11, 20), 5_000),
            (2, date(2026, 11, 3), 1),
            (3, date(2024, 1, 1), 99_999),
        ],
        [date(2026, 11, 20), date(2020, 5, 5)],
        date(2026, 11, 23),
    )
    november = result[-1]
    assert (november.recovered_cents, november.cases_paying, november.cases_closed_paid) == (
        15_001,
        2,
        1,
    )
    assert sum(m.recovered_cents for m in result) == 15_001


def test_rates_and_averages_round_half_up_to_one_decimal_and_are_none_without_data():
    assert figures.rate_percent(1, 8) == Decimal("12.5")
    assert figures.rate_percent(1, 3) == Decimal("33.3")
    assert figures.rate_percent(2, 3) == Decimal("66.7")
    assert figures.rate_percent(5, 0) is None
    spans = [(date(2026, 1, 1), date(2026, 1, 11)), (date(2026, 1, 1), date(2026, 1, 2))]
    assert figures.average_days(spans) == Decimal("5.5")
    assert figures.average_days([]) is None
