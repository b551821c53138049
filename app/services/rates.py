"""The rate table: published ECB and legal interest rates, one row per kind and semester.

Rates are data the agency keeps up to date (a new semester is published twice a year); a
computation that needs a semester nobody entered fails naming it (interest.MissingRate).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.domain import interest
from app.domain.i18n import N_
from app.domain.rate_tables import seed_rows
from app.extensions import db
from app.models import InterestRate
from app.services.access import require_manager
from app.services.audit import record_audit
from app.services.errors import ValidationFailed

# Where the rows of LAW.md's tables come from (the migration inserts the same rows).
SEED_SOURCE = "Barème initial (Banque de France / Journal officiel)"
DEFAULT_SOURCES = {
    interest.ECB: "Banque de France",
    interest.LEGAL_INDIVIDUAL: "Journal officiel",
    interest.LEGAL_OTHER: "Journal officiel",
}
MAX_RATE_BP = 100_00  # 100 %: anything above is a typing slip, not a published rate
_PERCENT = re.compile(r"^-?\d{1,6}(\.\d+)?$")
_SEMESTER = re.compile(r"^\s*(\d{4})\s*[-/ ]?\s*S\s*([12])\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class SemesterRates:
    """One line of the rate table: what each kind is worth over one semester (None: missing)."""

    start: date
    ecb_bp: int | None
    legal_individual_bp: int | None
    legal_other_bp: int | None

    @property
    def label(self) -> str:
        return interest.semester_label(self.start)

    @property
    def b2b_default_bp(self) -> int | None:
        return None if self.ecb_bp is None else self.ecb_bp + interest.B2B_MARGIN_BP

    @property
    def missing(self) -> list[str]:
        values = {
            interest.ECB: self.ecb_bp,
            interest.LEGAL_INDIVIDUAL: self.legal_individual_bp,
            interest.LEGAL_OTHER: self.legal_other_bp,
        }
        return [kind for kind in interest.RATE_KINDS if values[kind] is None]


def _all_rates() -> list[InterestRate]:
    return list(
        db.session.scalars(
            sa.select(InterestRate).order_by(InterestRate.semester_start, InterestRate.kind)
        )
    )


def rate_book() -> interest.RateBook:
    """Every stored rate, ready for the interest computation."""
    rows = db.session.execute(
        sa.select(InterestRate.kind, InterestRate.semester_start, InterestRate.rate_bp)
    )
    return interest.RateBook({(kind, start): bp for kind, start, bp in rows})


def rate_table(today: date) -> list[SemesterRates]:
    """Semesters from the oldest stored to the current one, newest first, gaps included."""
    rates = {(r.kind, r.semester_start): r.rate_bp for r in _all_rates()}
    current = interest.semester_start(today)
    starts = {start for _kind, start in rates} | {current}
    day, last = min(starts), max(starts)
    lines = []
    while day <= last:
        lines.append(
            SemesterRates(
                start=day,
                ecb_bp=rates.get((interest.ECB, day)),
                legal_individual_bp=rates.get((interest.LEGAL_INDIVIDUAL, day)),
                legal_other_bp=rates.get((interest.LEGAL_OTHER, day)),
            )
        )
        day = interest.next_semester_start(day)
    return list(reversed(lines))


def missing_kinds(day: date) -> list[str]:
    """The kinds of rate not yet entered for the semester containing `day`."""
    start = interest.semester_start(day)
    present = set(
        db.session.scalars(sa.select(InterestRate.kind).where(InterestRate.semester_start == start))
    )
    return [kind for kind in interest.RATE_KINDS if kind not in present]


def parse_semester(text: str) -> date:
    """ "2026-S2", "2026 S2" or a date "2026-07-01" -> the semester's first day."""
    text = (text or "").strip()
    match = _SEMESTER.match(text)
    if match:
        return date(int(match.group(1)), 1 if match.group(2) == "1" else 7, 1)
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise ValueError(
            N_("Semestre invalide : écrivez par exemple 2026-S2 ou 2026-07-01.")
        ) from None
    if day != interest.semester_start(day):
        raise ValueError(N_("Un semestre commence le 1er janvier ou le 1er juillet."))
    return day


def parse_percent(text: str) -> int:
    """ "2,15" or "2.15 %" -> 215 basis points; more than two decimals is refused."""
    cleaned = (text or "").strip().rstrip("%").strip().replace(",", ".")
    # Plain digits only: "1e400" or "NaN" are numbers to Decimal, not rates to a person.
    if not _PERCENT.match(cleaned):
        raise ValueError(N_("Taux invalide : écrivez un pourcentage, par exemple 2,15."))
    value = Decimal(cleaned)
    if value != value.quantize(Decimal("0.01")):
        raise ValueError(N_("Un taux a au plus deux décimales."))
    return int((value * 100).to_integral_value())


def add_rate(
    actor, kind: str, semester_start: date | None, rate_bp: int | None, source: str = ""
) -> InterestRate:
    """Record a published rate for one semester (managers; actor None is the command line)."""
    if actor is not None:
        require_manager(actor)
    errors: dict[str, list[str]] = {}
    if kind not in interest.RATE_KINDS:
        errors["kind"] = [N_("Choisissez le type de taux.")]
    if semester_start is None:
        errors["semester"] = [N_("Choisissez le semestre.")]
    elif semester_start != interest.semester_start(semester_start):
        errors["semester"] = [N_("Un semestre commence le 1er janvier ou le 1er juillet.")]
    if rate_bp is None:
        errors["rate"] = [N_("Indiquez le taux.")]
    elif rate_bp < 0:
        errors["rate"] = [N_("Un taux ne peut pas être négatif.")]
    elif rate_bp > MAX_RATE_BP:
        errors["rate"] = [
            N_("Un taux supérieur à 100 pour cent est certainement une erreur de saisie.")
        ]
    source = (source or "").strip() or DEFAULT_SOURCES.get(kind, "")
    if len(source) > 200:
        errors["source"] = [N_("La source est trop longue (200 caractères au plus).")]
    if not errors and _exists(kind, semester_start):
        errors["semester"] = [_duplicate_message(kind, semester_start)]
    if errors:
        raise ValidationFailed(errors)

    rate = InterestRate(
        kind=kind,
        semester_start=semester_start,
        rate_bp=rate_bp,
        source=source,
        created_by_id=actor.id if actor else None,
    )
    db.session.add(rate)
    try:
        db.session.flush()
    except IntegrityError:
        # Someone entered the same semester at the same moment: theirs stands.
        db.session.rollback()
        raise ValidationFailed({"semester": [_duplicate_message(kind, semester_start)]}) from None
    record_audit(
        actor,
        "rate.added",
        "interest_rate",
        rate.id,
        changes={
            "kind": kind,
            "semester_start": semester_start,
            "rate_bp": rate_bp,
            "source": source,
        },
    )
    db.session.commit()
    return rate


def _exists(kind: str, start: date) -> bool:
    query = sa.select(InterestRate.id).where(
        InterestRate.kind == kind, InterestRate.semester_start == start
    )
    return db.session.scalar(query) is not None


def _duplicate_message(kind: str, start: date) -> str:
    return (
        f"Le {interest.RATE_LABELS[kind]} du semestre {interest.semester_label(start)} est déjà "
        "enregistré : un taux publié ne se modifie pas."
    )


def seed_published_rates() -> int:
    """Insert LAW.md's rates that are not stored yet (databases built by create_all: tests,
    the demo); safe to run again. Returns how many rows it added."""
    present = {(r.kind, r.semester_start) for r in _all_rates()}
    added = 0
    for kind, start, rate_bp in seed_rows():
        if (kind, start) not in present:
            db.session.add(
                InterestRate(kind=kind, semester_start=start, rate_bp=rate_bp, source=SEED_SOURCE)
            )
            added += 1
    db.session.commit()
    return added
