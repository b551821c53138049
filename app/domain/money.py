"""Amounts are integer cents; Decimal only to parse and compute, rounded half-up at the edge."""

import re
from decimal import ROUND_HALF_UP, Decimal

from app.domain.i18n import N_

CENT = Decimal("0.01")
# A trillion euros: far above any claim, and well inside Decimal's 28 digits of precision.
MAX_AMOUNT = Decimal(10) ** 12
_PLAIN_NUMBER = re.compile(r"^[+-]?\d+(\.\d*)?$|^[+-]?\.\d+$")


class InvalidAmount(ValueError):
    pass


def to_cents(value: Decimal | str | int) -> int:
    """Parse "1 234,56", "1,234.56", "1.234,56" or a Decimal into cents.

    More than two decimals is refused, never rounded.
    """
    if isinstance(value, int):
        return value * 100
    if isinstance(value, str):
        cleaned = value.strip().replace("\u202f", "").replace("\xa0", "").replace(" ", "")
        cleaned = cleaned.replace("€", "").replace("'", "")
        if "," in cleaned and "." in cleaned:
            # "1.234,56" or "1,234.56": whichever comes last separates the cents.
            grouping = "." if cleaned.rindex(",") > cleaned.rindex(".") else ","
            cleaned = cleaned.replace(grouping, "")
        # A lone comma is a French decimal comma; "1,234" then reads as 1.234 and is refused
        # for its three decimals rather than silently taken as a thousand.
        cleaned = cleaned.replace(",", ".")
        # Plain digits only: "1e30", "NaN" or "Infinity" are numbers to Decimal, not amounts.
        if not _PLAIN_NUMBER.match(cleaned):
            raise InvalidAmount(N_("Montant invalide."))
        value = Decimal(cleaned)
    if not value.is_finite() or abs(value) >= MAX_AMOUNT:
        raise InvalidAmount(N_("Montant invalide."))
    if value != value.quantize(CENT):
        raise InvalidAmount(N_("Un montant a au plus deux décimales."))
    return int((value * 100).to_integral_value())


def cents_to_decimal(cents: int) -> Decimal:
    return (Decimal(cents) / 100).quantize(CENT)


def round_half_up_to_cents(amount: Decimal) -> int:
    """Round an amount in euros to whole cents, half-up (0.005 -> 0.01)."""
    return int((amount * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
