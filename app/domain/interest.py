"""Late-payment interest under French law (LAW.md sections 2 and 3), in exact integer arithmetic.

Rates are data, in basis points (1450 = 14.50 %), keyed by kind and semester start
(1 January or 1 July). Interest is simple, actual days / 365, split at each semester boundary;
a period's interest is kept as an exact numerator over 365 x 10,000 so that segments add up
without rounding, and it is rounded half-up to the cent only where the caller says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from app.domain.schedule import add_months

ECB = "ecb"  # ECB main refinancing rate on the semester's first day (B2B: + 10 points)
LEGAL_INDIVIDUAL = "legal_individual"  # legal rate when the creditor is a private individual
LEGAL_OTHER = "legal_other"  # legal rate in all other cases
RATE_KINDS = (ECB, LEGAL_INDIVIDUAL, LEGAL_OTHER)

B2B_MARGIN_BP = 1000  # + 10 points over the ECB rate (C. com. L441-10)
B2B_FLOOR_MULTIPLIER = 3  # a contractual rate may not be below 3 x the legal rate
RECOVERY_INDEMNITY_CENTS = 4000  # 40 EUR per late invoice (D441-5)
# After a judgment against a consumer: + 5 points two months after it is enforceable (L313-3).
JUDGMENT_SURCHARGE_BP = 500
JUDGMENT_SURCHARGE_AFTER_MONTHS = 2

# Interest numerators are in cents x basis points x days; divide by this to get cents.
DENOMINATOR = 365 * 10_000


class MissingRate(LookupError):
    """A semester the computation needs has no rate: never guessed, never zero."""

    def __init__(self, kind: str, semester_start: date):
        self.kind = kind
        self.semester_start = semester_start
        super().__init__(
            f"Taux manquant : {RATE_LABELS.get(kind, kind)} pour le semestre "
            f"{semester_label(semester_start)}. Ajoutez-le au barème avant de calculer."
        )


RATE_LABELS = {
    ECB: "taux BCE",
    LEGAL_INDIVIDUAL: "taux légal (créancier particulier)",
    LEGAL_OTHER: "taux légal (autres cas)",
}


def semester_start(day: date) -> date:
    return date(day.year, 1 if day.month <= 6 else 7, 1)


def next_semester_start(day: date) -> date:
    start = semester_start(day)
    return date(start.year, 7, 1) if start.month == 1 else date(start.year + 1, 1, 1)


def semester_label(start: date) -> str:
    return f"{start.year} S{1 if start.month == 1 else 2}"


@dataclass(frozen=True)
class RateBook:
    """Published rates: {(kind, semester start): basis points}."""

    rates: dict[tuple[str, date], int]
    # Per InterestTerms, the cumulative rate table built on first use (see _cumulative). Not an
    # __init__ argument, so dataclasses.replace(book, rates=...) starts with an empty cache
    # instead of sharing one built from the old rates.
    _tables: dict = field(default_factory=dict, init=False, compare=False, repr=False)

    def rate(self, kind: str, day: date) -> int:
        start = semester_start(day)
        try:
            return self.rates[(kind, start)]
        except KeyError:
            raise MissingRate(kind, start) from None


@dataclass(frozen=True)
class InterestTerms:
    """How interest runs on one claim: B2B penalties or consumer legal interest."""

    business_debtor: bool
    creditor_is_individual: bool = False
    contractual_rate_bp: int | None = None  # B2B only: the rate in the creditor's terms

    def rate_bp(self, book: RateBook, day: date) -> int:
        if not self.business_debtor:
            return book.rate(LEGAL_INDIVIDUAL if self.creditor_is_individual else LEGAL_OTHER, day)
        if self.contractual_rate_bp is None:
            return book.rate(ECB, day) + B2B_MARGIN_BP
        floor = B2B_FLOOR_MULTIPLIER * book.rate(LEGAL_OTHER, day)
        return max(self.contractual_rate_bp, floor)


@dataclass(frozen=True)
class _JudgmentRate:
    """The rate of one stretch of judgment interest: fixed, or the legal rate of each semester,
    plus the surcharge when it applies. Shaped like InterestTerms for interest_numerator."""

    fixed_bp: int | None
    legal_kind: str
    surcharge_bp: int = 0

    def rate_bp(self, book: RateBook, day: date) -> int:
        base = self.fixed_bp if self.fixed_bp is not None else book.rate(self.legal_kind, day)
        return base + self.surcharge_bp


@dataclass(frozen=True)
class JudgmentTerms:
    """Interest once a court has ruled: it follows the judgment, from the date and at the rate the
    judgment sets (none: the legal rate), instead of the late-payment rate."""

    starts_on: date
    rate_bp: int | None = None
    # The day the title became enforceable: against a consumer the rate rises by 5 points two
    # months later. Unknown (not entered yet): no surcharge.
    enforceable_on: date | None = None
    consumer: bool = False
    creditor_is_individual: bool = False

    @property
    def surcharge_from(self) -> date | None:
        if not self.consumer or self.enforceable_on is None:
            return None
        return add_months(self.enforceable_on, JUDGMENT_SURCHARGE_AFTER_MONTHS)

    def rate_on(self, book: RateBook, day: date) -> int:
        return self._stretch(day).rate_bp(book, day)

    def _stretch(self, day: date) -> _JudgmentRate:
        kind = LEGAL_INDIVIDUAL if self.creditor_is_individual else LEGAL_OTHER
        surcharged = self.surcharge_from is not None and day >= self.surcharge_from
        return _JudgmentRate(self.rate_bp, kind, JUDGMENT_SURCHARGE_BP if surcharged else 0)

    def numerator(self, principal_cents: int, book: RateBook, first_day: date, last_day: date):
        """Exact judgment interest over the days, cut where the surcharge starts."""
        cut = self.surcharge_from
        if cut is None or not first_day < cut <= last_day:
            return interest_numerator(
                principal_cents, self._stretch(first_day), book, first_day, last_day
            )
        before = interest_numerator(
            principal_cents, self._stretch(first_day), book, first_day, cut - timedelta(days=1)
        )
        return before + interest_numerator(principal_cents, self._stretch(cut), book, cut, last_day)


@dataclass(frozen=True)
class Segment:
    start: date  # first day counted
    end: date  # last day counted (inclusive)
    rate_bp: int

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def segments(terms: InterestTerms, book: RateBook, first_day: date, last_day: date):
    """The days first_day..last_day (both counted) cut at semester boundaries, with their rate."""
    day = first_day
    while day <= last_day:
        end = min(next_semester_start(day) - timedelta(days=1), last_day)
        yield Segment(day, end, terms.rate_bp(book, day))
        day = end + timedelta(days=1)


def _cumulative(terms: InterestTerms, book: RateBook) -> dict[date, tuple[int, int, int]]:
    """For each semester of the book: (rate x days summed from the book's first semester to the
    semester's first day, the semester's rate, the run of consecutive known semesters it is in).

    Interest over any period inside one run is then two lookups and a difference, instead of a
    walk over its semesters: the balance of a case asks this several times per invoice.
    """
    table = book._tables.get(terms)
    if table is not None:
        return table
    table = {}
    if book.rates:
        starts = sorted({start for _kind, start in book.rates})
        day, last = starts[0], starts[-1]
        prefix = run = 0
        while day <= last:
            following = next_semester_start(day)
            try:
                rate = terms.rate_bp(book, day)
            except MissingRate:
                run += 1  # a gap: periods across it take the slow path, which names it
            else:
                table[day] = (prefix, rate, run)
                prefix += rate * (following - day).days
            day = following
    book._tables[terms] = table
    return table


def interest_numerator(
    principal_cents: int, terms: InterestTerms, book: RateBook, first_day: date, last_day: date
) -> int:
    """Exact interest on a constant principal over the days, as a numerator over DENOMINATOR."""
    if principal_cents <= 0 or last_day < first_day:
        return 0
    table = _cumulative(terms, book)
    first_start, last_start = semester_start(first_day), semester_start(last_day)
    first, last = table.get(first_start), table.get(last_start)
    if first is not None and last is not None and first[2] == last[2]:
        before_first = first[0] + first[1] * (first_day - first_start).days
        through_last = last[0] + last[1] * ((last_day - last_start).days + 1)
        return principal_cents * (through_last - before_first)
    # A semester without a rate is in the period: the segment walk raises MissingRate for it.
    return sum(
        principal_cents * s.rate_bp * s.days for s in segments(terms, book, first_day, last_day)
    )


def round_numerator_to_cents(numerator: int) -> int:
    """Half-up rounding of numerator / DENOMINATOR (numerators are never negative)."""
    return (2 * numerator + DENOMINATOR) // (2 * DENOMINATOR)
