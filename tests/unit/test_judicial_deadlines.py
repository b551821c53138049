"""The court route's deadlines with worked dates: the 2026-09-01 change, month ends, leap years,
weekends and public holidays (LAW.md sections 6 and 7, CPC 641-642)."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from app.domain import judicial
from app.domain.interest import JudgmentTerms, RateBook
from app.domain.judicial import DeadlineRefused


def test_31_january_plus_one_month_is_the_last_day_of_february():
    assert judicial.add_months(date(2027, 1, 31), 1) == date(2027, 2, 28)
    assert judicial.add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)  # leap year
    assert judicial.add_months(date(2026, 8, 31), 6) == date(2027, 2, 28)
    assert judicial.add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)
    assert judicial.add_months(date(2026, 12, 15), 1) == date(2027, 1, 15)


def test_an_order_dated_before_september_2026_has_six_months_to_be_served():
    # 31 August 2026 + 6 months = 28 February 2027, a Sunday: carried to Monday 1 March.
    assert judicial.service_months(date(2026, 8, 31)) == 6
    assert judicial.service_deadline(date(2026, 8, 31)) == date(2027, 3, 1)


def test_an_order_dated_from_1_september_2026_has_three_months():
    assert judicial.service_months(date(2026, 9, 1)) == 3
    # 1 September + 3 months = 1 December 2026, a Tuesday.
    assert judicial.service_deadline(date(2026, 9, 1)) == date(2026, 12, 1)
    # 30 November + 3 months = 28 February 2027 (a Sunday) -> Monday 1 March.
    assert judicial.service_deadline(date(2026, 11, 30)) == date(2027, 3, 1)


def test_a_deadline_on_a_public_holiday_moves_to_the_next_working_day():
    # Served 25 November 2026: one month later is Friday 25 December, Christmas -> Monday 28.
    assert judicial.opposition_deadline(date(2026, 11, 25)) == date(2026, 12, 28)
    # Served 14 June 2026: 14 July is a public holiday (a Tuesday) -> Wednesday 15 July.
    assert judicial.opposition_deadline(date(2026, 6, 14)) == date(2026, 7, 15)


def test_a_service_before_the_order_or_after_its_deadline_is_refused():
    with pytest.raises(DeadlineRefused, match="précéder l'ordonnance"):
        judicial.check_service(date(2026, 10, 1), date(2026, 9, 30))
    # 3 months end on 1 January 2027, a holiday, then a weekend: Monday 4 January is in time.
    judicial.check_service(date(2026, 10, 1), date(2027, 1, 4))
    with pytest.raises(DeadlineRefused, match="caduque"):
        judicial.check_service(date(2026, 10, 1), date(2027, 1, 5))


def test_an_opposition_outside_its_month_is_refused():
    with pytest.raises(DeadlineRefused, match="hors délai"):
        judicial.check_opposition(date(2026, 10, 5), date(2026, 11, 6))
    with pytest.raises(DeadlineRefused, match="précéder la signification"):
        judicial.check_opposition(date(2026, 10, 5), date(2026, 10, 4))
    judicial.check_opposition(date(2026, 10, 5), date(2026, 11, 5))


def test_the_court_depends_on_whether_both_parties_are_traders():
    assert judicial.court_for(debtor_is_trader=True, creditor_is_trader=True) == (
        judicial.TRIBUNAL_DE_COMMERCE
    )
    assert judicial.court_for(debtor_is_trader=False, creditor_is_trader=True) == (
        judicial.TRIBUNAL_JUDICIAIRE
    )


def test_small_claims_go_up_to_5000_euros_with_a_month_to_accept():
    assert judicial.small_claims_eligible(5_000_00)
    assert not judicial.small_claims_eligible(5_000_01)
    assert judicial.small_claims_acceptance_deadline(date(2027, 1, 29)) == date(2027, 3, 1)


def test_a_claim_is_declared_within_two_months_of_the_bodacc_publication_four_overseas():
    assert judicial.declaration_deadline(date(2026, 12, 31)) == date(2027, 3, 1)  # 28 Feb: Sun
    assert judicial.declaration_deadline(date(2026, 12, 31), creditor_overseas=True) == date(
        2027, 4, 30
    )
    assert judicial.relief_deadline(date(2026, 12, 31)) == date(2027, 6, 30)


def test_a_consumers_judgment_interest_rises_five_points_two_months_after_enforceability():
    no_rates = RateBook({})  # a fixed judgment rate needs no published rate
    consumer = JudgmentTerms(
        starts_on=date(2026, 12, 1), rate_bp=662, enforceable_on=date(2026, 12, 31), consumer=True
    )
    assert consumer.rate_on(no_rates, date(2027, 2, 27)) == 662
    assert consumer.rate_on(no_rates, date(2027, 2, 28)) == 1162  # 31 Dec + 2 months
    trader = JudgmentTerms(
        starts_on=date(2026, 12, 1), rate_bp=287, enforceable_on=date(2026, 12, 31)
    )
    assert trader.rate_on(no_rates, date(2027, 6, 1)) == 287
    not_yet_enforceable = JudgmentTerms(starts_on=date(2026, 12, 1), rate_bp=662, consumer=True)
    assert not_yet_enforceable.rate_on(no_rates, date(2028, 1, 1)) == 662


def test_enforcement_acts_keep_to_6_to_21_on_non_holidays():
    assert judicial.enforcement_allowed(datetime(2026, 12, 1, 6, 0))
    assert not judicial.enforcement_allowed(datetime(2026, 12, 1, 5, 59))
    assert not judicial.enforcement_allowed(datetime(2026, 12, 1, 21, 1))
    assert not judicial.enforcement_allowed(datetime(2026, 12, 6, 10, 0))  # Sunday
    assert not judicial.enforcement_allowed(datetime(2026, 12, 25, 10, 0))  # Christmas
    assert judicial.enforcement_allowed(datetime(2026, 12, 5, 10, 0))  # Saturday is allowed


def test_the_next_deadline_of_a_payment_order_follows_its_steps():
    order = date(2026, 10, 1)
    first = judicial.next_payment_order_deadline(order, None, opposed=False, title_on=None)
    assert first.due_on == date(2027, 1, 4)  # 1 January 2027 is a holiday, then a weekend
    served = judicial.next_payment_order_deadline(
        order, date(2026, 10, 20), opposed=False, title_on=None
    )
    assert served.due_on == date(2026, 11, 20)
    assert judicial.next_payment_order_deadline(order, date(2026, 10, 20), True, None) is None
    assert judicial.urgency(date(2026, 12, 10), date(2026, 11, 30)) == "soon"
    assert judicial.urgency(date(2026, 12, 16), date(2026, 11, 30)) == "later"
    assert judicial.urgency(date(2026, 11, 29), date(2026, 11, 30)) == "overdue"
