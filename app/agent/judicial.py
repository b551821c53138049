"""Court procedures on the case page (start one, record its steps) and the supervisor's
deadline board."""

from __future__ import annotations

from flask import flash, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from app import formatting, web
from app.agent.routes import _back, _load, _refused, bp, manager_required
from app.domain.i18n import N_
from app.extensions import db
from app.models import JudicialProcedure
from app.models.judicial import PROCEDURE_KIND_LABELS, STEP_KIND_LABELS
from app.services import intake, judicial
from app.services.errors import ValidationFailed
from app.web import agency_required


class ProcedureForm(FlaskForm):
    kind = SelectField(_l("Procédure"), choices=[])
    court_name = StringField(_l("Juridiction"), validators=[Length(max=200)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = [
            (k, formatting.label(PROCEDURE_KIND_LABELS, k)) for k in PROCEDURE_KIND_LABELS
        ]


class StepForm(FlaskForm):
    procedure_id = StringField()
    kind = SelectField(_l("Étape"), choices=[])
    occurred_on = DateField(_l("Date"), validators=[Optional()])
    note = TextAreaField(_l("Résultat, précisions"), validators=[Length(max=5_000)])
    document = FileField(_l("Pièce (ordonnance, acte, décision) — facultatif"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = [(k, formatting.label(STEP_KIND_LABELS, k)) for k in STEP_KIND_LABELS]


@bp.app_context_processor
def _procedure_helpers():
    def procedures_of(case):
        rows = db.session.scalars(
            db.select(JudicialProcedure)
            .where(JudicialProcedure.case_id == case.id)
            .order_by(JudicialProcedure.id)
        ).all()
        return [(p, judicial.next_deadline(p)) for p in rows]

    return {
        "procedures_of": procedures_of,
        "step_kinds_of": lambda procedure: judicial.STEPS_OF[procedure.kind],
        "new_procedure_form": lambda: ProcedureForm(formdata=None, prefix="procedure"),
        "new_step_form": lambda: StepForm(formdata=None, prefix="step"),
    }


@bp.route("/dossiers/<reference>/procedures", methods=["POST"])
@agency_required
def start_procedure(reference: str):
    file = _load(reference)
    form = ProcedureForm(prefix="procedure")
    if not form.validate_on_submit():
        return _refused(file, "procedure_form", form, ValidationFailed({}))
    try:
        judicial.start_procedure(
            current_user, file.case, kind=form.kind.data, court_name=form.court_name.data or ""
        )
    except ValidationFailed as exc:
        return _refused(file, "procedure_form", form, exc)
    flash(_("Procédure ouverte."), "success")
    return _back(file.case)


def _step_upload(storage_file) -> intake.UploadInput | None:
    if storage_file is None or not getattr(storage_file, "filename", ""):
        return None
    return intake.UploadInput(storage_file.filename, storage_file.read(), "correspondence")


@bp.route("/dossiers/<reference>/procedures/etapes", methods=["POST"])
@agency_required
def record_procedure_step(reference: str):
    file = _load(reference)
    form = StepForm(prefix="step")
    procedure = db.session.get(
        JudicialProcedure, request.form.get("step-procedure_id", type=int) or 0
    )
    if procedure is None or procedure.case_id != file.case.id:
        # Another case's procedure is not this case's: refused as if none was chosen.
        return _refused(
            file, "step_form", form, ValidationFailed({"kind": [N_("Choisissez la procédure.")]})
        )
    if not form.validate_on_submit():
        return _refused(file, "step_form", form, ValidationFailed({}))
    try:
        judicial.record_step(
            current_user,
            procedure,
            kind=form.kind.data,
            occurred_on=form.occurred_on.data,
            note=form.note.data or "",
            today=web.today(),
            upload=_step_upload(form.document.data),
        )
    except ValidationFailed as exc:
        return _refused(file, "step_form", form, exc)
    flash(_("Étape enregistrée."), "success")
    return _back(file.case)


@bp.route("/echeances")
@manager_required
def deadline_board():
    only_urgent = request.args.get("tout") != "1"
    today = web.today()
    return render_template(
        "agent/deadline_board.html",
        rows=judicial.deadline_board(current_user, today, only_urgent=only_urgent),
        only_urgent=only_urgent,
        today=today,
    )
