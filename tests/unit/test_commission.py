import pytest

from app.domain.commission import fee_on, top_up_to_minimum


def test_commission_and_vat_on_a_collected_amount():
    """12 % of 1,234.56 = 148.1472 -> 148.15; VAT 20 % = 29.63."""
    fee = fee_on(123_456, 1_200)
    assert (fee.commission_cents, fee.vat_cents, fee.total_cents) == (14_815, 2_963, 17_778)


def test_half_a_cent_rounds_up():
    """15 % of 0.03 = 0.0045 -> 0.00; 15 % of 0.05 = 0.0075 -> 0.01;
    12.5 % of 0.04 = 0.005 -> 0.01 (half a cent goes up)."""
    assert fee_on(3, 1_500).commission_cents == 0
    assert fee_on(5, 1_500).commission_cents == 1
    assert fee_on(4, 1_250).commission_cents == 1


def test_the_minimum_fee_tops_up_only_what_is_missing():
    assert top_up_to_minimum(3_000, 5_000) == 2_000
    assert top_up_to_minimum(6_000, 5_000) == 0


def test_negative_amounts_are_a_programming_error():
    with pytest.raises(ValueError):
        fee_on(-1, 1_000)
