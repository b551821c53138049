"""The scenario editor's form: a name, where it applies, and rows of steps. Adding and removing
rows are plain submit buttons and checkboxes, so the editor works without JavaScript."""

from __future__ import annotations

import wtforms
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf import i18n as flask_wtf_i18n
from wtforms import BooleanField, FieldList, FormField, SelectField, StringField, SubmitField
from wtforms.validators import Length

from app import formatting
from app.domain import cadence
from app.domain import letters as letter_rules

MAX_STEPS = 30


class DaysField(wtforms.IntegerField):
    """A whole number of days; anything else is refused with a French message."""

    def process_formdata(self, valuelist):
        self.data = None
        if not valuelist or not str(valuelist[0]).strip():
            raise ValueError(gettext("Indiquez un délai en jours."))
        try:
            self.data = int(str(valuelist[0]).strip())
        except ValueError as exc:
            raise ValueError(gettext("Le délai est un nombre entier de jours.")) from exc


def _anchor_choices():
    return [(a, gettext(cadence.ANCHOR_LABELS[a])) for a in cadence.ANCHORS]


def _channel_choices():
    return [(c, gettext(cadence.CHANNEL_LABELS[c])) for c in cadence.CHANNELS]


def template_choices():
    letters = [
        (name, gettext(t.label)) for name, t in letter_rules.TEMPLATES.items() if t.to_debtor
    ]
    emails = [(name, gettext(t.label)) for name, t in letter_rules.EMAIL_TEMPLATES.items()]
    return [("", gettext("— Aucun (appel, SMS, escalade) —"))] + letters + emails


class StepForm(wtforms.Form):
    """One row; built-in messages follow the user's locale (no CSRF of its own)."""

    class Meta:
        def get_translations(self, form):
            return flask_wtf_i18n.translations

    offset_days = DaysField(_l("Délai (jours)"), default=0)
    anchor = SelectField(_l("Compté"), choices=_anchor_choices, default=cadence.STAGE_START)
    channel = SelectField(_l("Action"), choices=_channel_choices, default=cadence.CALL)
    template = SelectField(_l("Modèle"), choices=template_choices, default="")
    remove = BooleanField(_l("Retirer"))

    def to_step(self) -> cadence.Step:
        return cadence.Step(
            offset_days=self.offset_days.data,
            channel=self.channel.data,
            template=self.template.data or None,
            anchor=self.anchor.data,
        )


class ScenarioForm(FlaskForm):
    name = StringField(_l("Nom du scénario"), validators=[Length(max=100)])
    stage = SelectField(_l("Étape du dossier"))
    profile = SelectField(_l("Profil du payeur"))
    creditor_id = SelectField(_l("Créancier"))
    steps = FieldList(FormField(StepForm), min_entries=1, max_entries=MAX_STEPS)
    add_step = SubmitField(_l("Ajouter une étape"))
    save = SubmitField(_l("Enregistrer le scénario"))

    def __init__(self, *args, creditors=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.stage.choices = [(s, formatting.stage_label(s)) for s in cadence.SCENARIO_STAGES]
        self.profile.choices = [("", gettext("Tous"))] + [
            (p, gettext(cadence.PROFILE_LABELS[p])) for p in cadence.PROFILES
        ]
        self.creditor_id.choices = [("", gettext("Tous les créanciers"))] + [
            (str(org.id), _creditor_label(org)) for org in creditors
        ]

    def keep_rows(self) -> None:
        """Drop the rows ticked "remove" (their numbers close up)."""
        self.steps.entries = [e for e in self.steps.entries if not e.form.remove.data]
        self.steps._compact_indices()

    def add_row(self) -> None:
        if len(self.steps.entries) < MAX_STEPS:
            self.steps.append_entry()

    def step_list(self) -> list[cadence.Step]:
        return [entry.form.to_step() for entry in self.steps.entries]

    @property
    def creditor(self) -> int | None:
        return int(self.creditor_id.data) if self.creditor_id.data else None


def _creditor_label(org) -> str:
    if org.mandate_reference:
        return gettext(
            "%(name)s (mandat %(reference)s)", name=org.legal_name, reference=org.mandate_reference
        )
    return org.legal_name


def steps_data(steps) -> list[dict]:
    """Rows to pre-fill the editor with (a saved scenario's, or the default's)."""
    return [
        {
            "offset_days": step.offset_days,
            "anchor": step.anchor,
            "channel": step.channel,
            "template": step.template or "",
            "remove": False,
        }
        for step in steps
    ]
