"""Limitation dates (LAW.md section 5) and the task priority score, with worked numbers."""

from __future__ import annotations

from datetime import date

from app.domain import limitation, scoring
from app.domain.limitation import LimitationFacts


def test_a_consumer_claim_is_prescribed_two_years_after_its_due_date():
    years = limitation.period_years(debtor_is_individual=True, creditor_is_individual=False)
    facts = LimitationFacts(years, (date(2025, 1, 9), date(2025, 3, 1)))
    assert limitation.limitation_date(facts) == date(2027, 1, 9)


def test_a_trader_claim_takes_five_years_and_a_partial_payment_restarts_it():
    years = limitation.period_years(debtor_is_individual=False, creditor_is_individual=False)
    assert years == 5
    facts = LimitationFacts(years, (date(2022, 2, 28),), last_interruption=date(2023, 6, 15))
    assert limitation.limitation_date(facts) == date(2028, 6, 15)


def test_two_individuals_follow_the_civil_five_years():
    assert limitation.period_years(debtor_is_individual=True, creditor_is_individual=True) == 5


def test_29_february_plus_two_years_is_28_february():
    assert limitation.add_years(date(2024, 2, 29), 2) == date(2026, 2, 28)


def test_alerts_come_at_60_then_30_days_and_stop_on_the_date():
    on = date(2027, 1, 9)
    assert limitation.alerts_due(on, date(2026, 11, 9)) == []  # 61 days before
    assert limitation.alerts_due(on, date(2026, 11, 10)) == [60]
    assert limitation.alerts_due(on, date(2026, 12, 10)) == [60, 30]
    assert limitation.alerts_due(on, on) == []
    assert limitation.alerts_due(None, on) == []


def test_the_score_adds_up_its_reasons():
    facts = scoring.ScoreFacts(
        outstanding_cents=6_200_00,  # 30 points (5,000 or more)
        oldest_due_on=date(2026, 7, 1),  # 145 days late: 9 points
        last_contact_on=date(2026, 11, 16),  # 7 days silent: 7 points
        broken_promises=1,  # 10 points
        task_kind="promise_broken",  # 20 points
    )
    result = scoring.score(facts, date(2026, 11, 23))
    assert [points for _what, points in result.reasons] == [30, 9, 7, 10, 20]
    assert result.total == 76


def test_a_small_fresh_debt_with_a_kept_promise_scores_low():
    facts = scoring.ScoreFacts(
        outstanding_cents=120_00,
        oldest_due_on=date(2026, 11, 20),
        last_contact_on=date(2026, 11, 23),
        last_promise_kept=True,
        task_kind="call",
    )
    result = scoring.score(facts, date(2026, 11, 23))
    assert result.total == 5 - 5 + 5  # floor amount, kept promise, scheduled call
    never = scoring.score(
        scoring.ScoreFacts(outstanding_cents=120_00, oldest_due_on=None, last_contact_on=None),
        date(2026, 11, 23),
    )
    assert never.total == 5 + 15 + 5


def test_the_age_and_silence_points_are_capped():
    facts = scoring.ScoreFacts(
        outstanding_cents=20_000_00,
        oldest_due_on=date(2020, 1, 1),
        last_contact_on=date(2025, 1, 1),
        broken_promises=5,
        task_kind="limitation",
    )
    assert scoring.score(facts, date(2026, 11, 23)).total == 40 + 20 + 15 + 20 + 30


def test_an_enforceable_title_gives_ten_years_from_it_or_from_a_later_act():
    facts = LimitationFacts(2, (date(2024, 1, 31),), title_on=date(2026, 5, 4))
    assert limitation.limitation_date(facts) == date(2036, 5, 4)
    later = LimitationFacts(
        2, (date(2024, 1, 31),), last_interruption=date(2027, 2, 1), title_on=date(2026, 5, 4)
    )
    assert limitation.limitation_date(later) == date(2037, 2, 1)
