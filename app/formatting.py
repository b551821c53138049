"""Locale-aware display of amounts, dates and timestamps (Jinja filters)."""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import format_currency, format_date, format_datetime, get_locale, gettext

from app.domain import pipeline, roles
from app.domain.money import cents_to_decimal

DATE_PATTERNS = {"fr": "dd/MM/yyyy", "en": "dd MMM yyyy"}


def money(cents: int | None, currency: str = "EUR") -> str:
    """1 234,56 € in French; €1,234.56 in English."""
    if cents is None:
        return ""
    return format_currency(cents_to_decimal(cents), currency)


def day(value: date | None) -> str:
    if value is None:
        return ""
    return format_date(value, DATE_PATTERNS.get(str(get_locale()), "dd/MM/yyyy"))


def moment(value: datetime | None) -> str:
    """A UTC timestamp shown in Europe/Paris time."""
    if value is None:
        return ""
    pattern = DATE_PATTERNS.get(str(get_locale()), "dd/MM/yyyy") + " HH:mm"
    return format_datetime(value, pattern)


def decimal_input(cents: int | None) -> str:
    """An amount as typed in a form field: 1234,56."""
    if cents is None:
        return ""
    text = str(cents_to_decimal(cents))
    return text.replace(".", ",") if str(get_locale()) == "fr" else text


def register(app) -> None:
    app.add_template_filter(money)
    app.add_template_filter(day)
    app.add_template_filter(moment)
    app.add_template_filter(decimal_input)
    register_globals(app)


def _label(table: dict[str, str]):
    def lookup(code: str | None) -> str:
        if code is None:
            return ""
        return gettext(table.get(code, code))

    return lookup


stage_label = _label(pipeline.STAGE_LABELS)
hold_label = _label(pipeline.HOLD_LABELS)
outcome_label = _label(pipeline.OUTCOME_LABELS)
return_reason_label = _label(pipeline.RETURN_REASON_LABELS)
role_label = _label(roles.ROLE_LABELS)


def register_globals(app) -> None:
    app.add_template_global(stage_label)
    app.add_template_global(hold_label)
    app.add_template_global(outcome_label)
    app.add_template_global(return_reason_label)
    app.add_template_global(role_label)
