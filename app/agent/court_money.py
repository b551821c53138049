"""On the case page: the court route's money (costs, the judgment's interest) and the debtor's
acknowledgment of the debt, which restarts the limitation period."""

from __future__ import annotations

from flask import abort, flash
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from app import formatting, web
from app.agent.forms import MoneyField, PercentField, int_or_none, options
from app.agent.routes import PANEL_ANCHORS, _back, _load, _refused, bp
from app.extensions import db
from app.models import CaseCost, JudicialProcedure
from app.models.judicial import COST_ADVANCER_LABELS, COST_KIND_LABELS
from app.services import costs, judicial, prescription
from app.services.errors import ValidationFailed
from app.web import agency_required

PANEL_ANCHORS.update(
    {
        "cost_form": "frais",
        "judgment_form": "procedures",
        "acknowledgment_form": "prescription",
    }
)


class CostForm(FlaskForm):
    kind = SelectField(_l("Nature"), validate_choice=False)
    label = StringField(_l("Description (acte, juridiction, n° de facture)"))
    amount = MoneyField(_l("Montant TTC"), render_kw={"inputmode": "decimal"})
    incurred_on = DateField(_l("Date"), validators=[Optional()])
    advanced_by = SelectField(_l("Avancés par"), validate_choice=False)
    recoverable = BooleanField(_l("À recouvrer auprès du débiteur (une fois le titre obtenu)"))
    procedure_id = SelectField(_l("Procédure"), coerce=int_or_none, validate_choice=False)

    def __init__(self, *args, procedures=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = options((k, formatting.cost_kind_label(k)) for k in COST_KIND_LABELS)
        self.advanced_by.choices = options(
            (k, formatting.cost_advancer_label(k)) for k in COST_ADVANCER_LABELS
        )
        self.procedure_id.choices = options(
            [("", _l("Aucune en particulier"))]
            + [(p.id, formatting.procedure_kind_label(p.kind)) for p in procedures]
        )


class CancelCostForm(FlaskForm):
    pass


class JudgmentInterestForm(FlaskForm):
    starts_on = DateField(_l("Intérêts à compter du"), validators=[Optional()])
    rate = PercentField(
        _l("Taux fixé par la décision (%) — vide : taux légal"),
        render_kw={"inputmode": "decimal"},
    )


class AcknowledgmentForm(FlaskForm):
    acknowledged_on = DateField(_l("Reconnaissance de dette du"), validators=[Optional()])
    note = TextAreaField(_l("Quel écrit (lettre signée, accord…)"), validators=[Length(max=2_000)])


def _procedures(case) -> list[JudicialProcedure]:
    return list(
        db.session.scalars(
            db.select(JudicialProcedure)
            .where(JudicialProcedure.case_id == case.id)
            .order_by(JudicialProcedure.id)
        )
    )


@bp.app_context_processor
def _court_money_helpers():
    def costs_of(case):
        rows = costs.case_costs(case)
        standing = [c for c in rows if c.cancelled_at is None]
        return {
            "rows": rows,
            "total": sum(c.amount_cents for c in standing),
            "by_agency": sum(c.amount_cents for c in standing if c.advanced_by == "agency"),
            "recoverable": sum(c.amount_cents for c in standing if c.recoverable),
        }

    return {
        "costs_of": costs_of,
        "new_cost_form": lambda case: CostForm(
            formdata=None, prefix="cost", procedures=_procedures(case), recoverable=True
        ),
        "new_cancel_cost_form": lambda: CancelCostForm(formdata=None, prefix="cancel-cost"),
        "new_judgment_form": lambda procedure: JudgmentInterestForm(
            formdata=None,
            prefix=f"judgment-{procedure.id}",
            starts_on=procedure.judgment_interest_from,
            rate=procedure.judgment_rate_bp,
        ),
        "new_acknowledgment_form": lambda: AcknowledgmentForm(
            formdata=None, prefix="ack", acknowledged_on=web.today()
        ),
        "has_title": lambda procedure: any(
            step.kind in judicial.TITLE_STEPS for step in procedure.steps
        ),
    }


@bp.route("/dossiers/<reference>/frais", methods=["POST"])
@agency_required
def record_cost(reference: str):
    file = _load(reference)
    form = CostForm(prefix="cost", procedures=_procedures(file.case))
    if not form.validate_on_submit():
        return _refused(file, "cost_form", form, ValidationFailed({}))
    try:
        costs.record_cost(
            current_user,
            file.case,
            kind=form.kind.data,
            label=form.label.data or "",
            amount_cents=form.amount.data,
            incurred_on=form.incurred_on.data,
            advanced_by=form.advanced_by.data,
            recoverable=form.recoverable.data,
            procedure_id=form.procedure_id.data,
            today=web.today(),
        )
    except ValidationFailed as exc:
        return _refused(file, "cost_form", form, exc)
    flash(_("Frais enregistrés."), "success")
    return _back(file.case)


@bp.route("/dossiers/<reference>/frais/<int:cost_id>/annuler", methods=["POST"])
@agency_required
def cancel_cost(reference: str, cost_id: int):
    file = _load(reference)
    cost = db.session.get(CaseCost, cost_id)
    if cost is None or cost.case_id != file.case.id:
        abort(404)
    form = CancelCostForm(prefix="cancel-cost")
    if not form.validate_on_submit():
        abort(400)
    try:
        costs.cancel_cost(current_user, cost, today=web.today())
    except ValidationFailed as exc:
        # Shown in the costs panel, above its form.
        panel = CostForm(formdata=None, prefix="cost", procedures=_procedures(file.case))
        return _refused(file, "cost_form", panel, exc)
    flash(_("Frais annulés."), "success")
    return _back(file.case)


@bp.route("/dossiers/<reference>/procedures/<int:procedure_id>/interets", methods=["POST"])
@agency_required
def set_judgment_interest(reference: str, procedure_id: int):
    file = _load(reference)
    procedure = db.session.get(JudicialProcedure, procedure_id)
    if procedure is None or procedure.case_id != file.case.id:
        abort(404)
    form = JudgmentInterestForm(prefix=f"judgment-{procedure.id}")
    if not form.validate_on_submit():
        return _refused(file, "judgment_form", form, ValidationFailed({}))
    try:
        judicial.set_judgment_interest(
            current_user,
            procedure,
            starts_on=form.starts_on.data,
            rate_bp=form.rate.data,
            today=web.today(),
        )
    except ValidationFailed as exc:
        return _refused(file, "judgment_form", form, exc)
    flash(_("Intérêts du jugement enregistrés."), "success")
    return _back(file.case)


@bp.route("/dossiers/<reference>/reconnaissance-de-dette", methods=["POST"])
@agency_required
def record_acknowledgment(reference: str):
    file = _load(reference)
    form = AcknowledgmentForm(prefix="ack")
    if not form.validate_on_submit():
        return _refused(file, "acknowledgment_form", form, ValidationFailed({}))
    try:
        prescription.record_acknowledgment(
            current_user,
            file.case,
            acknowledged_on=form.acknowledged_on.data,
            note=form.note.data or "",
            today=web.today(),
        )
    except ValidationFailed as exc:
        return _refused(file, "acknowledgment_form", form, exc)
    flash(_("Reconnaissance de dette enregistrée : le délai de prescription repart."), "success")
    return _back(file.case)
