"""The debtor's forms: the check question, a dispute, a call-back request."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from app import formatting
from app.models.debtor import CONTACT_PREFERENCE_LABELS, CONTACT_PREFERENCES
from app.models.debtor_link import (
    CALLBACK_SLOT_LABELS,
    CALLBACK_SLOTS,
    DISPUTE_REASON_LABELS,
    DISPUTE_REASONS,
)


class CheckForm(FlaskForm):
    answer = StringField(validators=[Length(max=20)], render_kw={"autocomplete": "off"})


class DisputeForm(FlaskForm):
    reason = SelectField(_l("Pourquoi contestez-vous ?"), validate_choice=False)
    text = TextAreaField(_l("Expliquez-nous"), validators=[Length(max=5_000)])
    proof = FileField(_l("Justificatif (facultatif : PDF, image)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.reason.choices = [SelectChoice("", _l("Choisissez…"))] + [
            SelectChoice(r, formatting.label(DISPUTE_REASON_LABELS, r)) for r in DISPUTE_REASONS
        ]


class PlanForm(FlaskForm):
    installment_count = SelectField(_l("En combien de fois ?"), coerce=int, validate_choice=False)
    first_due_on = DateField(_l("Première échéance"), validators=[Optional()])

    def __init__(self, *args, max_months: int = 12, **kwargs):
        super().__init__(*args, **kwargs)
        self.installment_count.choices = [
            SelectChoice(n, _l("%(n)s mensualités", n=n)) for n in range(2, max_months + 1)
        ]


class PreferenceForm(FlaskForm):
    preference = SelectField(_l("Comment préférez-vous être contacté ?"), validate_choice=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.preference.choices = [
            SelectChoice(p, formatting.label(CONTACT_PREFERENCE_LABELS, p))
            for p in CONTACT_PREFERENCES
        ]


class CallbackForm(FlaskForm):
    on = DateField(_l("Jour"), validators=[Optional()])
    slot = SelectField(_l("Créneau"), validate_choice=False)
    phone = StringField(_l("Votre numéro"), validators=[Length(max=30)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.slot.choices = [
            SelectChoice(s, formatting.label(CALLBACK_SLOT_LABELS, s)) for s in CALLBACK_SLOTS
        ]
