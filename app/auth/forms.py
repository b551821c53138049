from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    StringField,
    SubmitField,
)
from wtforms.validators import DataRequired, Email, EqualTo, Length


class LoginForm(FlaskForm):
    email = EmailField(_l("Adresse e-mail"), validators=[DataRequired(), Email()])
    password = PasswordField(_l("Mot de passe"), validators=[DataRequired()])
    remember = BooleanField(_l("Rester connecté"))
    submit = SubmitField(_l("Se connecter"))


class ResetRequestForm(FlaskForm):
    email = EmailField(_l("Adresse e-mail"), validators=[DataRequired(), Email()])
    submit = SubmitField(_l("Recevoir un lien"))


class ResetPasswordForm(FlaskForm):
    password = PasswordField(
        _l("Nouveau mot de passe"), validators=[DataRequired(), Length(min=12)]
    )
    confirm = PasswordField(
        _l("Confirmez le mot de passe"),
        validators=[
            DataRequired(),
            EqualTo("password", message=_l("Les mots de passe diffèrent.")),
        ],
    )
    submit = SubmitField(_l("Changer le mot de passe"))


class CodeForm(FlaskForm):
    """A 6-digit code from the authenticator app (login step, enrolment, turning it off)."""

    code = StringField(
        _l("Code à 6 chiffres"),
        validators=[DataRequired(message=_l("Saisissez le code.")), Length(max=12)],
    )
    submit = SubmitField(_l("Valider"))


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(_l("Mot de passe actuel"), validators=[DataRequired()])
    password = PasswordField(_l("Nouveau mot de passe"), validators=[DataRequired()])
    confirm = PasswordField(
        _l("Confirmez le mot de passe"),
        validators=[
            DataRequired(),
            EqualTo("password", message=_l("Les mots de passe diffèrent.")),
        ],
    )
    submit = SubmitField(_l("Changer le mot de passe"))


class ConfirmForm(FlaskForm):
    """A button whose hidden field must come along: an empty post does nothing."""

    confirm = HiddenField(validators=[DataRequired()])
