"""Creditor portal: the organisation's API tokens (its admin creates and revokes them)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from app.creditor.routes import bp
from app.domain import roles
from app.services import api_tokens
from app.services.errors import NotFound, ValidationFailed
from app.web import role_required

admin_required = role_required({roles.CREDITOR_ADMIN})


class NewTokenForm(FlaskForm):
    name = StringField(
        _l("Nom du jeton"),
        validators=[
            DataRequired(_l("Donnez un nom au jeton (l'outil qui l'utilise).")),
            Length(max=100),
        ],
        description=_l("Par exemple le nom de votre logiciel de facturation."),
    )


class RevokeTokenForm(FlaskForm):
    """CSRF only: the confirmation page is the question, this button the answer."""


def _page(form, *, created=None, plain=None, status=200):
    response = render_template(
        "creditor/api_tokens.html",
        form=form,
        tokens=api_tokens.tokens_of(current_user),
        created=created,
        plain=plain,
    )
    return response, status, {"Cache-Control": "no-store"}


@bp.route("/api", methods=["GET", "POST"])
@admin_required
def api_tokens_page():
    form = NewTokenForm()
    if not form.is_submitted():
        return _page(form)
    if form.validate():
        try:
            token, plain = api_tokens.create_token(current_user, form.name.data)
        except ValidationFailed as exc:
            form.name.errors = [_(m) for ms in exc.errors.values() for m in ms]
        else:
            # Shown in this response only: never in a flash, a session or a log.
            return _page(NewTokenForm(formdata=None), created=token, plain=plain)
    return _page(form, status=422)


@bp.route("/api/<int:token_id>/revoquer", methods=["GET", "POST"])
@admin_required
def revoke_api_token(token_id: int):
    try:
        token = api_tokens.get_token(current_user, token_id)
    except NotFound:
        abort(404)
    form = RevokeTokenForm()
    if form.validate_on_submit():
        api_tokens.revoke_token(current_user, token)
        flash(_("Jeton « %(name)s » révoqué.", name=token.name), "success")
        return redirect(url_for("creditor.api_tokens_page"))
    return render_template("creditor/api_token_revoke.html", form=form, token=token)
