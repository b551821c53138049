"""Locale-aware display of amounts, dates and timestamps (Jinja filters)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from flask_babel import (
    format_currency,
    format_date,
    format_datetime,
    format_decimal,
    get_locale,
    gettext,
)

from app.domain import cadence, interest, pipeline, roles
from app.domain.i18n import N_
from app.domain.letters import EMAIL_TEMPLATES as LETTER_EMAIL_TEMPLATES
from app.domain.letters import TEMPLATES as LETTER_TEMPLATES
from app.domain.money import cents_to_decimal
from app.models.automation import ACTION_STATUS_LABELS, TASK_KIND_LABELS
from app.models.debtor_link import CALLBACK_SLOT_LABELS, DISPUTE_REASON_LABELS
from app.models.insolvency import DECLARATION_STATUS_LABELS, PROCEEDING_KIND_LABELS
from app.models.judicial import (
    COST_ADVANCER_LABELS,
    COST_KIND_LABELS,
    PROCEDURE_KIND_LABELS,
    STEP_KIND_LABELS,
)
from app.models.letter import LETTER_STATUS_LABELS
from app.models.money import PAYMENT_METHOD_LABELS, REVERSAL_REASON_LABELS
from app.models.plan import FREQUENCY_LABELS, PLAN_STATUS_LABELS, PROMISE_STATUS_LABELS

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


def filesize(size_bytes: int | None) -> str:
    """12 Ko, 2,4 Mo: a document's size for people, in the locale's decimals."""
    if size_bytes is None:
        return ""
    if size_bytes < 1024 * 1024:
        return gettext("%(n)s Ko", n=format_decimal(max(1, -(-size_bytes // 1024))))
    megabytes = (Decimal(size_bytes) / (1024 * 1024)).quantize(Decimal("0.1"))
    return gettext("%(n)s Mo", n=format_decimal(megabytes, format="#,##0.#"))


def percent(basis_points: int | None) -> str:
    """1215 basis points -> 12,15 % in French, 12.15 % in English."""
    if basis_points is None:
        return ""
    return format_decimal(Decimal(basis_points) / 100, format="#,##0.00") + "\u00a0%"


def semester_label(start: date | None) -> str:
    """2026 S2: the semester starting on `start` (the same in every language)."""
    return "" if start is None else interest.semester_label(start)


def isodate(value) -> date | None:
    """Dates come back from JSON timeline data as ISO strings."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)


def count(value: int) -> str:
    """A number of things, grouped as the locale writes it (10 000 in French)."""
    return format_decimal(value, format="#,##0")


def register(app) -> None:
    app.add_template_filter(count)
    app.add_template_filter(isodate)
    app.add_template_filter(money)
    app.add_template_filter(day)
    app.add_template_filter(moment)
    app.add_template_filter(decimal_input)
    app.add_template_filter(filesize)
    app.add_template_filter(percent)
    # Texts stored from N_-marked messages (a plan's policy breaches): shown in the user's language.
    app.add_template_filter(gettext, "translate")
    register_globals(app)


def label(table: dict[str, str], code: str | None) -> str:
    """The translated label of a code in one of the N_-marked tables."""
    return "" if code is None else gettext(table.get(code, code))


def _label(table: dict[str, str]):
    def lookup(code: str | None) -> str:
        if code is None:
            return ""
        return gettext(table.get(code, code))

    return lookup


CALL_DIRECTION_LABELS = {"outbound": N_("sortant"), "inbound": N_("entrant")}
CALL_OUTCOME_LABELS = {
    "reached": N_("débiteur joint"),
    "promise_to_pay": N_("promesse de paiement"),
    "dispute": N_("contestation"),
    "no_answer": N_("pas de réponse"),
    "voicemail": N_("messagerie"),
    "wrong_number": N_("faux numéro"),
    "refused": N_("refus de payer"),
}
DOCUMENT_KIND_LABELS = {
    "invoice": N_("Facture"),
    "contract": N_("Contrat"),
    "terms_of_sale": N_("Conditions générales de vente"),
    "purchase_order": N_("Bon de commande"),
    "delivery_note": N_("Bon de livraison"),
    "correspondence": N_("Correspondance"),
    "other": N_("Autre"),
    "letter": N_("Courrier de l'agence"),
}

RATE_KIND_LABELS = {
    interest.ECB: N_("taux BCE"),
    interest.LEGAL_INDIVIDUAL: N_("taux légal (créancier particulier)"),
    interest.LEGAL_OTHER: N_("taux légal (autres cas)"),
}

stage_label = _label(pipeline.STAGE_LABELS)
call_direction_label = _label(CALL_DIRECTION_LABELS)
call_outcome_label = _label(CALL_OUTCOME_LABELS)
document_kind_label = _label(DOCUMENT_KIND_LABELS)
hold_label = _label(pipeline.HOLD_LABELS)
outcome_label = _label(pipeline.OUTCOME_LABELS)
return_reason_label = _label(pipeline.RETURN_REASON_LABELS)
role_label = _label(roles.ROLE_LABELS)
rate_kind_label = _label(RATE_KIND_LABELS)
payment_method_label = _label(PAYMENT_METHOD_LABELS)
plan_status_label = _label(PLAN_STATUS_LABELS)
promise_status_label = _label(PROMISE_STATUS_LABELS)
frequency_label = _label(FREQUENCY_LABELS)
letter_status_label = _label(LETTER_STATUS_LABELS)
dispute_reason_label = _label(DISPUTE_REASON_LABELS)
callback_slot_label = _label(CALLBACK_SLOT_LABELS)
letter_label = _label(
    {name: t.label for name, t in {**LETTER_TEMPLATES, **LETTER_EMAIL_TEMPLATES}.items()}
)
reversal_reason_label = _label(REVERSAL_REASON_LABELS)
cadence_channel_label = _label(cadence.CHANNEL_LABELS)
cadence_status_label = _label(ACTION_STATUS_LABELS)
cadence_skip_label = _label(cadence.SKIP_REASONS)
task_kind_label = _label(TASK_KIND_LABELS)
proceeding_kind_label = _label(PROCEEDING_KIND_LABELS)
declaration_status_label = _label(DECLARATION_STATUS_LABELS)
procedure_kind_label = _label(PROCEDURE_KIND_LABELS)
step_kind_label = _label(STEP_KIND_LABELS)
cost_kind_label = _label(COST_KIND_LABELS)
cost_advancer_label = _label(COST_ADVANCER_LABELS)


def register_globals(app) -> None:
    # Named explicitly: every label function is a closure called "lookup".
    app.add_template_global(stage_label, "stage_label")
    app.add_template_global(hold_label, "hold_label")
    app.add_template_global(outcome_label, "outcome_label")
    app.add_template_global(return_reason_label, "return_reason_label")
    app.add_template_global(role_label, "role_label")
    app.add_template_global(call_direction_label, "call_direction_label")
    app.add_template_global(call_outcome_label, "call_outcome_label")
    app.add_template_global(document_kind_label, "document_kind_label")
    app.add_template_global(rate_kind_label, "rate_kind_label")
    app.add_template_global(semester_label, "semester_label")
    app.add_template_global(payment_method_label, "payment_method_label")
    app.add_template_global(plan_status_label, "plan_status_label")
    app.add_template_global(promise_status_label, "promise_status_label")
    app.add_template_global(frequency_label, "frequency_label")
    app.add_template_global(letter_status_label, "letter_status_label")
    app.add_template_global(dispute_reason_label, "dispute_reason_label")
    app.add_template_global(callback_slot_label, "callback_slot_label")
    app.add_template_global(letter_label, "letter_label")
    app.add_template_global(reversal_reason_label, "reversal_reason_label")
    app.add_template_global(cadence_channel_label, "cadence_channel_label")
    app.add_template_global(cadence_status_label, "cadence_status_label")
    app.add_template_global(cadence_skip_label, "cadence_skip_label")
    app.add_template_global(task_kind_label, "task_kind_label")
    app.add_template_global(proceeding_kind_label, "proceeding_kind_label")
    app.add_template_global(declaration_status_label, "declaration_status_label")
    app.add_template_global(procedure_kind_label, "procedure_kind_label")
    app.add_template_global(step_kind_label, "step_kind_label")
    app.add_template_global(cost_kind_label, "cost_kind_label")
    app.add_template_global(cost_advancer_label, "cost_advancer_label")
