"""Back-office forms. They parse what was typed; the services decide what is allowed."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional
from wtforms.widgets import HiddenInput

from app import formatting
from app.domain import interest, money, pipeline, schedule
from app.domain import letters as letter_rules
from app.models.activity import CALL_DIRECTIONS, CALL_OUTCOMES
from app.models.money import PAYMENT_METHODS, REVERSAL_REASONS
from app.models.plan import FREQUENCY_LABELS
from app.services import rates, worklist


def int_or_none(value) -> int | None:
    if value in (None, ""):
        return None
    return int(value)


class MoneyField(StringField):
    """An amount typed as "1 234,56": `data` holds integer cents (None when blank).

    The text stays as typed, so a refused amount is shown back to the user unchanged.
    """

    def process_formdata(self, valuelist):
        self.data = None
        if not valuelist or not valuelist[0].strip():
            return
        try:
            self.data = money.to_cents(valuelist[0])
        except money.InvalidAmount as exc:
            raise ValueError(str(exc)) from exc

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return formatting.decimal_input(self.data)


def options(pairs) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


# Choice labels are built per request, so they follow the user's language.
def _stage_choices(stages, blank) -> list[SelectChoice]:
    return options([("", blank)] + [(s, formatting.stage_label(s)) for s in stages])


class _GetForm(FlaskForm):
    """Search and filter forms: read from the query string, no CSRF (they change nothing)."""

    class Meta:
        csrf = False


class _CreditorFilter:
    """The creditor filter of the case lists: a search field with suggestions (a list of every
    creditor would be thousands of options); `?creditor=<id>` from a link still works and
    fills the field with that creditor's name."""

    def _fill_creditor(self, user) -> None:
        if not self.creditor_name.data and self.creditor.data is not None:
            self.creditor_name.data = worklist.creditor_filter_label(user, self.creditor.data)

    def _creditor_filters(self) -> dict:
        return {
            "creditor_id": self.creditor.data,
            "creditor_text": (self.creditor_name.data or "")[:200],
        }


class QueueFilterForm(_CreditorFilter, _GetForm):
    q = StringField(_l("Recherche"))
    stage = SelectField(_l("Étape"), validate_choice=False)
    creditor_name = StringField(_l("Créancier"))
    creditor = IntegerField(widget=HiddenInput())
    mine = BooleanField(_l("Seulement mes dossiers"))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        open_stages = [s for s in pipeline.STAGES if s in pipeline.OPEN_STAGES]
        self.stage.choices = _stage_choices(open_stages, _l("Toutes les étapes"))
        self._fill_creditor(user)

    def filters(self) -> worklist.CaseFilters:
        return worklist.CaseFilters(
            q=(self.q.data or "")[:100],
            stage=self.stage.data or None,
            only_mine=bool(self.mine.data),
            **self._creditor_filters(),
        )


SORT_CHOICES = options(
    [
        ("opened", _l("Date d'ouverture")),
        ("reference", _l("Référence")),
        ("amount", _l("Montant")),
        ("next_action", _l("Prochaine action")),
    ]
)


class CaseListFilterForm(_CreditorFilter, _GetForm):
    q = StringField(_l("Recherche"))
    stage = SelectField(_l("Étape"), validate_choice=False)
    creditor_name = StringField(_l("Créancier"))
    creditor = IntegerField(widget=HiddenInput())
    sort = SelectField(_l("Trier par"), choices=SORT_CHOICES, default="opened")
    direction = SelectField(
        _l("Ordre"),
        choices=options([("desc", _l("Décroissant")), ("asc", _l("Croissant"))]),
        default="desc",
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.stage.choices = _stage_choices(pipeline.STAGES, _l("Toutes les étapes"))
        self._fill_creditor(user)

    def filters(self) -> worklist.CaseFilters:
        return worklist.CaseFilters(
            q=(self.q.data or "")[:100],
            stage=self.stage.data or None,
            **self._creditor_filters(),
        )


class NoteForm(FlaskForm):
    text = TextAreaField(_l("Note"), validators=[Length(max=10_000)])
    visible_to_creditor = BooleanField(_l("Visible par le créancier"))


class CallForm(FlaskForm):
    direction = SelectField(_l("Sens de l'appel"), validate_choice=False)
    phone_number = StringField(_l("Numéro"))
    outcome = SelectField(_l("Résultat"), validate_choice=False)
    duration = IntegerField(
        _l("Durée (minutes)"),
        validators=[Optional()],
        render_kw={"inputmode": "numeric", "min": 0},
    )
    notes = TextAreaField(_l("Notes (internes)"), validators=[Length(max=10_000)])
    follow_up_on = DateField(_l("Date de relance"), validators=[Optional()])
    promised_amount = MoneyField(_l("Montant promis"), render_kw={"inputmode": "decimal"})
    promised_on = DateField(_l("Date promise"), validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.direction.choices = options(
            (d, formatting.call_direction_label(d)) for d in CALL_DIRECTIONS
        )
        self.outcome.choices = options((o, formatting.call_outcome_label(o)) for o in CALL_OUTCOMES)

    @property
    def duration_seconds(self) -> int:
        return (self.duration.data or 0) * 60


class AssignForm(FlaskForm):
    agent_id = SelectField(_l("Agent"), coerce=int_or_none)

    def __init__(self, *args, agents=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.agent_id.choices = options(
            [("", _l("Non attribué (file commune)"))] + [(a.id, a.full_name) for a in agents]
        )


class AcceptForm(FlaskForm):
    pass


class ReturnForm(FlaskForm):
    return_reason = SelectField(_l("Motif du renvoi"), validate_choice=False)
    note = TextAreaField(_l("Message au créancier"), validators=[Length(max=10_000)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.return_reason.choices = options(
            [("", _l("Choisissez un motif"))]
            + [(r, formatting.return_reason_label(r)) for r in pipeline.RETURN_REASONS]
        )


class MoveForm(FlaskForm):
    target = SelectField(_l("Nouvelle étape"), validate_choice=False)
    outcome = SelectField(_l("Issue de la clôture"), validate_choice=False)
    reason = TextAreaField(_l("Raison"), validators=[Length(max=10_000)])

    def __init__(self, *args, targets=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.target.choices = options((t, formatting.stage_label(t)) for t in targets)
        self.outcome.choices = options(
            [("", _l("Choisissez l'issue"))]
            + [(o, formatting.outcome_label(o)) for o in pipeline.OUTCOMES]
        )


class HoldForm(FlaskForm):
    hold_reason = SelectField(_l("Suspension"), validate_choice=False)
    note = TextAreaField(_l("Commentaire"), validators=[Length(max=10_000)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.hold_reason.choices = options(
            [("", _l("Aucune (dossier actif)"))]
            + [(h, formatting.hold_label(h)) for h in pipeline.HOLD_REASONS]
        )


class JudicialApprovalForm(FlaskForm):
    note = TextAreaField(
        _l("Comment le créancier a donné son accord"), validators=[Length(max=10_000)]
    )


class FormalNoticeForm(FlaskForm):
    received_on = DateField(_l("Mise en demeure reçue le"), validators=[Optional()])


class PaymentForm(FlaskForm):
    amount = MoneyField(_l("Montant reçu"), render_kw={"inputmode": "decimal"})
    received_on = DateField(_l("Reçu le"), validators=[Optional()])
    method = SelectField(_l("Moyen de paiement"), validate_choice=False)
    paid_to_creditor = BooleanField(_l("Payé directement au créancier"))
    designated_invoice_id = SelectField(
        _l("Facture désignée par le débiteur"), coerce=int_or_none, validate_choice=False
    )
    reference = StringField(
        _l("Référence (n° de chèque, libellé du virement)"), validators=[Length(max=100)]
    )
    note = TextAreaField(_l("Note"), validators=[Length(max=10_000)])
    # One key per displayed form: a double click or a resent page records one payment.
    idempotency_key = HiddenField()

    def __init__(self, *args, invoices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.method.choices = options(
            (m, formatting.payment_method_label(m)) for m in PAYMENT_METHODS
        )
        self.designated_invoice_id.choices = options(
            [("", _l("Aucune : ordre légal d'imputation"))]
            + [(invoice.id, invoice.number) for invoice in invoices]
        )


class ReversalForm(FlaskForm):
    reason = SelectField(_l("Motif"), validate_choice=False)
    note = TextAreaField(_l("Précisions"), validators=[Length(max=10_000)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.reason.choices = options(
            [("", _l("Choisissez un motif"))]
            + [(r, formatting.reversal_reason_label(r)) for r in REVERSAL_REASONS]
        )


class PromiseForm(FlaskForm):
    amount = MoneyField(_l("Montant promis"), render_kw={"inputmode": "decimal"})
    promised_on = DateField(_l("Date promise"), validators=[Optional()])
    note = TextAreaField(_l("Comment la promesse a été faite"), validators=[Length(max=10_000)])


class PlanForm(FlaskForm):
    down_payment = MoneyField(_l("Acompte (facultatif)"), render_kw={"inputmode": "decimal"})
    installment_count = IntegerField(
        _l("Nombre d'échéances"),
        validators=[Optional()],
        render_kw={"inputmode": "numeric", "min": 1, "max": 120},
    )
    frequency = SelectField(_l("Périodicité"), validate_choice=False)
    first_due_on = DateField(_l("Première échéance"), validators=[Optional()])
    note = TextAreaField(_l("Note (visible par le créancier)"), validators=[Length(max=10_000)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.frequency.choices = options(
            (f, formatting.label(FREQUENCY_LABELS, f)) for f in schedule.FREQUENCIES
        )


class CancelPlanForm(FlaskForm):
    note = TextAreaField(_l("Pourquoi l'échéancier est annulé"), validators=[Length(max=10_000)])


class LetterForm(FlaskForm):
    template = SelectField(_l("Modèle"), validate_choice=False)
    letter_date = DateField(_l("Date du courrier"), validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.template.choices = options(
            (name, formatting.label({name: t.label}, name))
            for name, t in letter_rules.TEMPLATES.items()
        )


class LetterBatchForm(LetterForm):
    only_mine = BooleanField(_l("Seulement mes dossiers"))
    due_only = BooleanField(_l("Seulement les dossiers dont l'action est due aujourd'hui"))


class PostLetterForm(FlaskForm):
    registered = BooleanField(_l("En recommandé avec accusé de réception"))


class PostedForm(FlaskForm):
    posted_on = DateField(_l("Posté le"), validators=[Optional()])
    tracking_number = StringField(_l("N° de recommandé"), validators=[Length(max=50)])


class LetterReceiptForm(FlaskForm):
    received_on = DateField(_l("Accusé de réception signé le"), validators=[Optional()])


class TemplateUploadForm(FlaskForm):
    file = FileField(_l("Nouveau modèle (.docx)"))


class RemittanceRunForm(FlaskForm):
    """A button: the CSRF token is the whole form (the amount comes from the books)."""


class RemittanceFilterForm(_CreditorFilter, _GetForm):
    creditor_name = StringField(_l("Créancier"))
    creditor = IntegerField(widget=HiddenInput())

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._fill_creditor(user)

    def filters(self) -> dict:
        return self._creditor_filters()


class PercentField(StringField):
    """A rate typed as "2,15" (percent): `data` holds basis points (None when blank)."""

    def process_formdata(self, valuelist):
        self.data = None
        if not valuelist or not valuelist[0].strip():
            return
        self.data = rates.parse_percent(valuelist[0])  # its ValueError becomes a field error

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else formatting.percent(self.data).split("\u00a0")[0]


def _semester_or_none(value):
    if isinstance(value, date) or value is None:
        return value
    try:
        return rates.parse_semester(value)
    except ValueError:
        return None


class SemesterField(SelectField):
    """A semester chosen as "2026 S2" (value: its first day); `data` is that date."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, coerce=_semester_or_none, validate_choice=False, **kwargs)

    def process_formdata(self, valuelist):
        self.data = None
        if valuelist and valuelist[0].strip():
            self.data = rates.parse_semester(valuelist[0])  # its ValueError becomes a field error


class RateForm(FlaskForm):
    kind = SelectField(_l("Type de taux"), validate_choice=False)
    semester = SemesterField(_l("Semestre"))
    rate = PercentField(_l("Taux (%)"), render_kw={"inputmode": "decimal"})
    source = StringField(_l("Source"), validators=[Length(max=200)])

    def __init__(self, *args, semesters=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = options(
            [("", _l("Choisissez le type de taux"))]
            + [(k, formatting.rate_kind_label(k)) for k in interest.RATE_KINDS]
        )
        self.semester.choices = options(
            (start.isoformat(), interest.semester_label(start)) for start in semesters
        )


class TaskDoneForm(FlaskForm):
    """Marks an agent task done (the button only carries the CSRF token)."""
