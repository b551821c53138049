"""The agency's clock: Europe/Paris. Jobs and commands have no request, so they read the
business day here; views read it through `web.today()`; services are given it."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")


def paris_now() -> datetime:
    return datetime.now(PARIS)


def paris_today() -> date:
    return paris_now().date()


def paris_date(moment: datetime) -> date:
    """The Paris calendar day of an aware (UTC) timestamp."""
    return moment.astimezone(PARIS).date()
