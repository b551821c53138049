"""The periodic erasure of debtors past retention (services.personal_data)."""

from __future__ import annotations

from app.jobs.context import with_app_context


@with_app_context
def purge_personal_data(day_iso: str | None = None) -> int:
    """Anonymise every debtor past retention as of `day_iso` (default: today in Paris). The
    scheduler enqueues it every few hours: safe to run twice, as an anonymised debtor is no
    longer a candidate and each debtor is claimed by one conditional UPDATE; a scheduler down
    for days catches up at its next run."""
    from datetime import date

    from app.clock import paris_today
    from app.services import personal_data

    day = date.fromisoformat(day_iso) if day_iso else paris_today()
    return len(personal_data.purge(day).erased)
