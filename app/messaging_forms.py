"""The forms of the message thread, shared by the creditor portal and the back-office."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import RadioField, SelectChoice, TextAreaField
from wtforms.validators import InputRequired, Length

from app.services.messages import MAX_BODY


class MessageForm(FlaskForm):
    body = TextAreaField(
        _l("Votre message"),
        validators=[
            InputRequired(_l("Écrivez votre message.")),
            Length(
                max=MAX_BODY, message=_l("Le message est trop long (5 000 caractères au plus).")
            ),
        ],
    )
    files = MultipleFileField(_l("Pièces jointes (facultatif)"))


class NotifyForm(FlaskForm):
    notify = RadioField(
        _l("Recevoir un e-mail"),
        choices=[
            SelectChoice("each", _l("À chaque nouveau message ou demande de l'agence")),
            SelectChoice("daily", _l("Un récapitulatif par jour")),
            SelectChoice("none", _l("Jamais (je consulte le portail)")),
        ],
        validators=[InputRequired(_l("Choisissez une option."))],
    )
