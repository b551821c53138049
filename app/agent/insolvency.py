"""Collective procedures for the agency: enter one, import BODACC announcements, and follow each
claim declaration until the mandataire decides."""

from __future__ import annotations

import secrets

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from app import formatting, web
from app.agent.forms import MoneyField
from app.agent.routes import bp, manager_required
from app.extensions import db
from app.models import ClaimDeclaration
from app.models.insolvency import PROCEEDING_KIND_LABELS
from app.services import access, insolvency
from app.services.errors import ValidationFailed


class ProceedingForm(FlaskForm):
    siren = StringField(_l("SIREN du débiteur"), validators=[Length(max=20)])
    kind = SelectField(_l("Procédure"), choices=[])
    court = StringField(_l("Tribunal"), validators=[Length(max=200)])
    judgment_date = DateField(_l("Date du jugement d'ouverture"), validators=[Optional()])
    published_on = DateField(_l("Date de publication au BODACC"), validators=[Optional()])
    mandataire_name = StringField(_l("Mandataire judiciaire"), validators=[Length(max=200)])
    mandataire_address = TextAreaField(_l("Adresse du mandataire"), validators=[Length(max=500)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = [
            (k, formatting.label(PROCEEDING_KIND_LABELS, k)) for k in PROCEEDING_KIND_LABELS
        ]


class BodaccForm(FlaskForm):
    file = FileField(_l("Export BODACC (CSV ou JSON)"))


class DeclarationForm(FlaskForm):
    status = SelectField(choices=[(k, k) for k in insolvency.DECLARATION_MOVES])
    on = DateField(_l("Date"), validators=[Optional()])


class DividendForm(FlaskForm):
    amount = MoneyField(_l("Dividende reçu"), render_kw={"inputmode": "decimal"})
    received_on = DateField(_l("Reçu le"), validators=[Optional()])
    # One key per displayed form: a double click records one dividend.
    idempotency_key = HiddenField()


def _page(proceeding_form=None, bodacc_form=None, status=200):
    rows = insolvency.proceedings_with_declarations(current_user)
    return (
        render_template(
            "agent/insolvency.html",
            rows=rows,
            dividends=insolvency.dividends_received([d for _p, ds in rows for d in ds]),
            next_statuses=insolvency.next_statuses,
            dividend_form=DividendForm(formdata=None),
            fresh_key=lambda: secrets.token_urlsafe(16),
            proceeding_form=proceeding_form or ProceedingForm(formdata=None),
            bodacc_form=bodacc_form or BodaccForm(formdata=None),
            declaration_form=DeclarationForm(formdata=None),
            today=web.today(),
        ),
        status,
    )


@bp.route("/procedures-collectives")
@manager_required
def insolvency_page():
    return _page()


@bp.route("/procedures-collectives", methods=["POST"])
@manager_required
def open_proceeding():
    form = ProceedingForm()
    if not form.validate_on_submit():
        return _page(proceeding_form=form, status=422)
    data = insolvency.ProceedingInput(
        siren=form.siren.data or "",
        kind=form.kind.data,
        court=form.court.data or "",
        judgment_date=form.judgment_date.data,
        published_on=form.published_on.data,
        mandataire_name=form.mandataire_name.data or "",
        mandataire_address=form.mandataire_address.data or "",
    )
    try:
        _proceeding, stopped = insolvency.open_proceeding(current_user, data)
    except ValidationFailed as exc:
        form.form_errors.extend(web.apply_errors(form, exc))
        return _page(proceeding_form=form, status=422)
    flash(
        ngettext(
            "Procédure enregistrée : %(num)d dossier arrêté.",
            "Procédure enregistrée : %(num)d dossiers arrêtés.",
            len(stopped),
        ),
        "success",
    )
    return redirect(url_for("agent.insolvency_page"))


@bp.route("/procedures-collectives/bodacc", methods=["POST"])
@manager_required
def import_bodacc():
    form = BodaccForm()
    upload = form.file.data
    if not form.validate_on_submit() or not upload or not upload.filename:
        form.form_errors.append(_("Choisissez un fichier."))
        return _page(bodacc_form=form, status=422)
    try:
        report = insolvency.import_bodacc(current_user, upload.read(), upload.filename)
    except ValidationFailed as exc:
        form.form_errors.extend(web.apply_errors(form, exc))
        return _page(bodacc_form=form, status=422)
    flash(
        _(
            "%(opened)s procédure(s) ouverte(s), %(cases)s dossier(s) arrêté(s), "
            "%(unknown)s SIREN inconnu(s), %(ignored)s annonce(s) sans ouverture.",
            opened=report.opened,
            cases=report.stopped_cases,
            unknown=len(report.unknown_sirens),
            ignored=report.ignored,
        ),
        "success",
    )
    return redirect(url_for("agent.insolvency_page"))


def _flash_refusal(exc: ValidationFailed) -> None:
    for messages in exc.errors.values():
        for message in messages:
            flash(_(message), "warning")


@bp.route("/declarations/<int:declaration_id>/dividendes", methods=["POST"])
@manager_required
def record_dividend(declaration_id: int):
    declaration = db.session.get(ClaimDeclaration, declaration_id) or abort(404)
    web.or_404(access.get_case, current_user, declaration.case.reference)
    form = DividendForm()
    if not form.validate_on_submit():
        for messages in form.errors.values():
            for message in messages:
                flash(message, "warning")
        return redirect(url_for("agent.insolvency_page"))
    try:
        insolvency.record_dividend(
            current_user,
            declaration,
            amount_cents=form.amount.data,
            received_on=form.received_on.data,
            idempotency_key=form.idempotency_key.data or None,
            today=web.today(),
        )
        flash(_("Dividende enregistré comme paiement du dossier."), "success")
    except ValidationFailed as exc:
        _flash_refusal(exc)
    return redirect(url_for("agent.insolvency_page"))


@bp.route("/declarations/<int:declaration_id>", methods=["POST"])
@manager_required
def move_declaration(declaration_id: int):
    declaration = db.session.get(ClaimDeclaration, declaration_id) or abort(404)
    web.or_404(access.get_case, current_user, declaration.case.reference)
    form = DeclarationForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        insolvency.move_declaration(
            current_user, declaration, form.status.data, on=form.on.data, today=web.today()
        )
        flash(_("Déclaration mise à jour."), "success")
    except ValidationFailed as exc:
        _flash_refusal(exc)
    return redirect(url_for("agent.insolvency_page"))
