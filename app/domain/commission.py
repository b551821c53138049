"""The agency's fee on what it collects: a rate per stage from the mandate, plus VAT."""

from __future__ import annotations

from dataclasses import dataclass

VAT_RATE_BP = 2000  # 20 % on the commission


def _round_half_up(numerator: int, denominator: int) -> int:
    return (2 * numerator + denominator) // (2 * denominator)


@dataclass(frozen=True)
class Fee:
    commission_cents: int
    vat_cents: int

    @property
    def total_cents(self) -> int:
        return self.commission_cents + self.vat_cents


def fee_on(collected_cents: int, rate_bp: int, vat_rate_bp: int = VAT_RATE_BP) -> Fee:
    """Commission on one collected amount, each rounded half-up to the cent."""
    if collected_cents < 0 or rate_bp < 0:
        raise ValueError("amounts and rates are never negative here")
    commission = _round_half_up(collected_cents * rate_bp, 10_000)
    return Fee(commission, _round_half_up(commission * vat_rate_bp, 10_000))


def top_up_to_minimum(fees_so_far_cents: int, minimum_cents: int) -> int:
    """What to add to a case's commission so that it reaches the mandate's minimum."""
    return max(0, minimum_cents - fees_so_far_cents)


def minimum_top_up(
    fees_so_far_cents: int, minimum_cents: int, vat_rate_bp: int = VAT_RATE_BP
) -> Fee:
    """The commission (and its VAT) still due on a paid case to reach the mandate's minimum."""
    commission = top_up_to_minimum(fees_so_far_cents, minimum_cents)
    return Fee(commission, _round_half_up(commission * vat_rate_bp, 10_000))
