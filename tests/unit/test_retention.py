"""How long a debtor's data is kept: the later of a case's end and its limitation date, plus
the archive period; nothing while any case is open."""

from datetime import date

from app.domain.retention import (
    ARCHIVE_MONTHS,
    CaseRetention,
    case_kept_until,
    debtor_kept_until,
    is_erasable,
)


def test_a_finished_case_is_kept_a_year_past_its_limitation_date():
    assert ARCHIVE_MONTHS == 12
    case = CaseRetention(is_open=False, ended_on=date(2026, 11, 23), limitation_on=date(2031, 7, 1))
    assert case_kept_until(case) == date(2032, 7, 1)


def test_a_case_with_nothing_left_to_claim_is_kept_a_year_past_its_closing():
    case = CaseRetention(is_open=False, ended_on=date(2026, 11, 23), limitation_on=None)
    assert case_kept_until(case) == date(2027, 11, 23)


def test_a_limitation_date_before_the_closing_counts_from_the_closing():
    case = CaseRetention(is_open=False, ended_on=date(2030, 3, 1), limitation_on=date(2028, 1, 1))
    assert case_kept_until(case) == date(2031, 3, 1)


def test_an_open_case_keeps_the_debtor_whatever_the_other_cases_say():
    old = CaseRetention(is_open=False, ended_on=date(2010, 1, 1), limitation_on=date(2012, 1, 1))
    live = CaseRetention(is_open=True, ended_on=None, limitation_on=date(2012, 1, 1))
    assert debtor_kept_until([old, live]) is None
    assert not is_erasable([old, live], date(2040, 1, 1))


def test_the_debtor_is_kept_until_its_last_cases_retention_ends():
    early = CaseRetention(is_open=False, ended_on=date(2020, 1, 1), limitation_on=None)
    late = CaseRetention(is_open=False, ended_on=date(2022, 6, 30), limitation_on=None)
    assert debtor_kept_until([early, late]) == date(2023, 6, 30)
    assert not is_erasable([early, late], date(2023, 6, 30))
    assert is_erasable([early, late], date(2023, 7, 1))


def test_a_debtor_without_cases_is_not_dated_so_not_erased():
    assert debtor_kept_until([]) is None
    assert not is_erasable([], date(2040, 1, 1))
