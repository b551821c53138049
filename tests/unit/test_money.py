"""Amounts typed by users become integer cents; computed amounts round half-up to the cent."""

from decimal import Decimal

import pytest

from app.domain.money import InvalidAmount, cents_to_decimal, round_half_up_to_cents, to_cents


@pytest.mark.parametrize(
    ("typed", "cents"),
    [
        ("1 234,56", 123_456),
        ("1\u202f234,56", 123_456),
        ("1\xa0234,56 €", 123_456),
        ("1234.56", 123_456),
        ("0,1", 10),
        ("10", 1_000),
        (" 42,00 ", 4_200),
        ("0,01", 1),
    ],
)
def test_it_reads_an_amount_typed_the_french_or_english_way(typed, cents):
    assert to_cents(typed) == cents


def test_it_reads_integers_and_decimals_as_euros():
    assert to_cents(10) == 1_000
    assert to_cents(Decimal("19.99")) == 1_999


@pytest.mark.parametrize("typed", ["12,345", "0,001", "1.999"])
def test_it_refuses_more_than_two_decimals(typed):
    with pytest.raises(InvalidAmount, match="au plus deux décimales"):
        to_cents(typed)


@pytest.mark.parametrize(
    "typed",
    ["abc", "", "12,34,56", "NaN", "Infinity", "1 2 3 a", "1e30", "1E3", "9" * 40, "0x10"],
)
def test_it_refuses_something_that_is_not_an_amount(typed):
    with pytest.raises(InvalidAmount, match="Montant invalide"):
        to_cents(typed)


@pytest.mark.parametrize(
    ("euros", "cents"),
    [
        ("0.005", 1),
        ("0.004", 0),
        ("1.004", 100),
        ("1.005", 101),
        ("2.675", 268),
        ("-0.005", -1),
        ("123.456789", 12_346),
    ],
)
def test_it_rounds_half_up_to_the_cent(euros, cents):
    assert round_half_up_to_cents(Decimal(euros)) == cents


def test_it_turns_cents_back_into_euros_with_two_decimals():
    assert cents_to_decimal(123_456) == Decimal("1234.56")
    assert str(cents_to_decimal(5)) == "0.05"


@pytest.mark.parametrize(
    "typed, cents",
    [
        ("1,234.56", 123_456),
        ("1.234,56", 123_456),
        ("12,345,678.90", 1_234_567_890),
        ("€1,200.00", 120_000),
    ],
)
def test_it_reads_amounts_typed_with_a_thousands_separator_in_either_convention(typed, cents):
    assert to_cents(typed) == cents


def test_a_lone_comma_with_three_digits_is_refused_rather_than_guessed():
    with pytest.raises(InvalidAmount):
        to_cents("1,234")
