"""How long a debtor's personal data is kept (LAW.md section 8): while a case is open, then
archived until the limitation period ends, then erased.

A finished case (closed, or returned to its creditor) is kept until the later of its end and
its limitation date (services.prescription: none when nothing is left unpaid), plus an archive
period: a late dispute, a last statement to the creditor or a control can still need to know
who the debtor was. A debtor is erasable once every one of its cases is past that day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from app.domain.schedule import add_months

# The archive kept after the limitation date (or the end of a case with nothing left to claim).
ARCHIVE_MONTHS = 12


@dataclass(frozen=True)
class CaseRetention:
    is_open: bool
    ended_on: date | None  # closed_on, or the day it went back to the creditor
    limitation_on: date | None


def case_kept_until(case: CaseRetention) -> date | None:
    """The last day a finished case's debtor data is kept; None while the case is open."""
    if case.is_open:
        return None
    anchors = [d for d in (case.ended_on, case.limitation_on) if d is not None]
    if not anchors:
        return None
    return add_months(max(anchors), ARCHIVE_MONTHS)


def debtor_kept_until(cases: list[CaseRetention]) -> date | None:
    """The last day of the debtor's retention: the latest of its cases'; None while any case
    is open (or the debtor has no case to date it by)."""
    if not cases:
        return None
    days = [case_kept_until(case) for case in cases]
    if any(day is None for day in days):
        return None
    return max(days)


def is_erasable(cases: list[CaseRetention], today: date) -> bool:
    kept_until = debtor_kept_until(cases)
    return kept_until is not None and today > kept_until
