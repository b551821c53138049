"""Late-payment interest with the numbers of LAW.md, computed by hand in each docstring."""

from dataclasses import replace
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain import interest
from app.domain.interest import InterestTerms, MissingRate, RateBook, Segment
from app.domain.rate_tables import seed_rows

BOOK = RateBook({(kind, start): bp for kind, start, bp in seed_rows()})
B2B = InterestTerms(business_debtor=True)


def interest_cents(principal, terms, first, last):
    numerator = interest.interest_numerator(principal, terms, BOOK, first, last)
    return interest.round_numerator_to_cents(numerator)


def test_the_law_example_splits_at_the_semester_and_gives_1079_86():
    """10,000.00 due 2024-03-31, as of 2024-12-31: 91 days at 14.50 % + 184 days at 14.25 %."""
    parts = list(interest.segments(B2B, BOOK, date(2024, 4, 1), date(2024, 12, 31)))
    assert parts == [
        Segment(date(2024, 4, 1), date(2024, 6, 30), 1450),
        Segment(date(2024, 7, 1), date(2024, 12, 31), 1425),
    ]
    assert [p.days for p in parts] == [91, 184]
    assert interest_cents(1_000_000, B2B, date(2024, 4, 1), date(2024, 12, 31)) == 107_986


def test_a_period_over_three_semesters_adds_its_segments_before_rounding():
    """5,000.00 from 2023-05-16 to 2024-02-14:
    46 d x 12.50 % = 78.767123..; 184 d x 14.00 % = 352.876712..; 45 d x 14.50 % = 89.383561..
    total 521.027397.. -> 521.03 (rounding each segment would also give 521.03 here, so the
    next test pins the exact summation)."""
    first, last = date(2023, 5, 16), date(2024, 2, 14)
    assert [s.days for s in interest.segments(B2B, BOOK, first, last)] == [46, 184, 45]
    assert interest_cents(500_000, B2B, first, last) == 52_103


def test_segments_are_summed_exactly_and_rounded_once():
    """10.00 EUR for 1 day at 14.50 % then 1 day at 14.25 %: 0.397 + 0.390 = 0.788 cent
    -> 1 cent once; rounding each segment separately would give 0 + 0."""
    assert interest_cents(1_000, B2B, date(2024, 6, 30), date(2024, 7, 1)) == 1


def test_a_contractual_rate_applies_when_above_three_times_the_legal_rate():
    terms = InterestTerms(business_debtor=True, contractual_rate_bp=1200)
    assert terms.rate_bp(BOOK, date(2026, 3, 1)) == 1200


def test_a_contractual_rate_below_the_floor_is_raised_to_three_times_the_legal_rate():
    """2024 S1: legal rate (other cases) 5.07 % -> floor 15.21 %, above a 12 % clause."""
    terms = InterestTerms(business_debtor=True, contractual_rate_bp=1200)
    assert terms.rate_bp(BOOK, date(2024, 3, 1)) == 1521


@pytest.mark.parametrize("creditor_is_individual, expected_bp", [(True, 801), (False, 507)])
def test_a_consumer_owes_the_legal_rate_of_the_creditors_column(
    creditor_is_individual, expected_bp
):
    terms = InterestTerms(business_debtor=False, creditor_is_individual=creditor_is_individual)
    assert terms.rate_bp(BOOK, date(2024, 2, 1)) == expected_bp


def test_a_missing_semester_is_an_error_that_names_it():
    with pytest.raises(MissingRate) as error:
        interest_cents(100_000, B2B, date(2026, 6, 1), date(2026, 7, 15))
    assert "2026 S2" in str(error.value)
    assert error.value.semester_start == date(2026, 7, 1)


def test_no_interest_for_an_empty_period_or_a_settled_principal():
    assert interest_cents(100_000, B2B, date(2024, 5, 2), date(2024, 5, 1)) == 0
    assert interest_cents(0, B2B, date(2024, 1, 1), date(2024, 12, 31)) == 0


def test_a_leap_year_still_counts_days_over_365():
    """2024 S1 has 182 days: 1,000.00 x 14.50 % x 182 / 365 = 72.30."""
    assert interest_cents(100_000, B2B, date(2024, 1, 1), date(2024, 6, 30)) == 7_230


def _walked(principal, terms, book, first, last):
    """The definition: a walk over the period's semester segments."""
    return sum(principal * s.rate_bp * s.days for s in interest.segments(terms, book, first, last))


TERMS = st.sampled_from(
    [
        InterestTerms(business_debtor=True),
        InterestTerms(business_debtor=True, contractual_rate_bp=1500),
        InterestTerms(business_debtor=False),
        InterestTerms(business_debtor=False, creditor_is_individual=True),
    ]
)
DAYS = st.dates(min_value=date(2019, 1, 1), max_value=date(2026, 6, 30))


@settings(max_examples=300, deadline=None)
@given(terms=TERMS, first=DAYS, last=DAYS, principal=st.integers(1, 10**9))
def test_the_cumulative_table_gives_exactly_the_segment_walk(terms, first, last, principal):
    first, last = min(first, last), max(first, last)
    book = RateBook(dict(BOOK.rates))

    assert interest.interest_numerator(principal, terms, book, first, last) == _walked(
        principal, terms, book, first, last
    )


def test_a_gap_in_the_middle_of_a_period_is_named_even_with_the_table():
    gappy = {key: bp for key, bp in BOOK.rates.items() if key[1] != date(2024, 7, 1)}
    book = RateBook(gappy)
    terms = InterestTerms(business_debtor=True)
    # Inside the semesters on either side of the gap, the table still answers.
    assert interest.interest_numerator(100, terms, book, date(2024, 2, 1), date(2024, 3, 1)) > 0

    with pytest.raises(MissingRate) as missing:
        interest.interest_numerator(100, terms, book, date(2024, 3, 1), date(2025, 3, 1))

    assert missing.value.semester_start == date(2024, 7, 1)
    assert "2024 S2" in str(missing.value)


SEMESTERS = sorted({start for _kind, start in BOOK.rates})


def _named_or_numerator(principal, terms, book, first, last, compute):
    """What a computation gives: its numerator, or the semester its MissingRate names."""
    try:
        return compute(principal, terms, book, first, last)
    except MissingRate as missing:
        return ("missing", missing.kind, missing.semester_start, str(missing))


@settings(max_examples=300, deadline=None)
@given(
    terms=TERMS,
    gaps=st.sets(st.sampled_from(SEMESTERS), max_size=3),
    first=st.dates(min_value=date(2018, 7, 1), max_value=date(2027, 6, 30)),
    last=st.dates(min_value=date(2018, 7, 1), max_value=date(2027, 6, 30)),
    principal=st.integers(1, 10**9),
)
def test_with_missing_semesters_the_table_and_the_walk_agree_or_name_the_same_one(
    terms, gaps, first, last, principal
):
    """Semesters removed at random, and periods reaching outside the book: the fast path gives
    the walk's numerator, or raises the walk's MissingRate for the same semester."""
    first, last = min(first, last), max(first, last)
    book = RateBook({key: bp for key, bp in BOOK.rates.items() if key[1] not in gaps})

    fast = _named_or_numerator(principal, terms, book, first, last, interest.interest_numerator)
    slow = _named_or_numerator(principal, terms, book, first, last, _walked)

    assert fast == slow


def test_a_book_copied_with_other_rates_does_not_reuse_the_cached_table():
    terms, first, last = B2B, date(2024, 1, 1), date(2024, 3, 1)
    interest.interest_numerator(100, terms, BOOK, first, last)  # builds BOOK's table
    doubled = replace(BOOK, rates={key: 2 * bp for key, bp in BOOK.rates.items()})

    assert interest.interest_numerator(100, terms, doubled, first, last) == _walked(
        100, terms, doubled, first, last
    )
