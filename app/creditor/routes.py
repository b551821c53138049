"""Creditor portal: overview, new case, case list, case page, document download, payments
received directly."""

from uuid import uuid4

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from wtforms import SelectChoice

from app import exports, formatting, web
from app.creditor.forms import (
    AddDocumentsForm,
    CaseSearchForm,
    DirectPaymentForm,
    EscalationDecisionForm,
    NewCaseForm,
    PlanDecisionForm,
)
from app.extensions import db
from app.models import PaymentPlan
from app.services import (
    access,
    dashboard,
    escalation,
    intake,
    payments,
    plans,
    remittance,
    reporting,
)
from app.services.errors import NotFound, ValidationFailed
from app.web import (
    apply_errors,
    balance_context,
    creditor_required,
    or_404,
    send_document,
    today,
    uploads_from,
)

bp = Blueprint("creditor", __name__)


@bp.route("/")
@creditor_required
def home():
    # Built once: its outstanding total and money figures head the page, its charts follow.
    figures = dashboard.for_user(current_user, today())
    return render_template(
        "creditor/home.html",
        summary=reporting.creditor_summary(current_user, figures.outstanding_cents),
        money=figures.money,
        figures=figures,
        recent=reporting.recent_activity(current_user, limit=10),
    )


@bp.route("/dossiers")
@creditor_required
def cases():
    form = CaseSearchForm(request.args)
    query = reporting.search_cases(
        current_user,
        q=form.q.data or "",
        stage=form.stage.data or None,
        sort=form.sort.data or reporting.DEFAULT_SORT,
        direction=form.direction.data or "desc",
    )
    page = db.paginate(
        query,
        page=request.args.get("page", 1, type=int),
        per_page=current_app.config["CASES_PER_PAGE"],
        error_out=False,
    )
    return render_template("creditor/cases.html", form=form, page=page)


def _uploads(form):
    chosen = form.chosen_uploads()
    return uploads_from([row.file.data for row in chosen], [row.kind.data for row in chosen])


def _debtor_choices():
    debtors = reporting.debtors_for_choice(current_user)
    choices = [SelectChoice("", _("— Choisissez un débiteur —"))]
    for debtor in debtors:
        label = f"{debtor.name} · {debtor.siren}" if debtor.siren else debtor.name
        label = f"{label} ({debtor.city})" if debtor.city else label
        choices.append(SelectChoice(str(debtor.id), label))
    return choices


@bp.route("/dossiers/nouveau", methods=["GET", "POST"])
@creditor_required
def new_case():
    form = NewCaseForm()
    form.debtor_id.choices = _debtor_choices()
    if request.method == "GET" and "debiteur" in request.args:
        # "New case for this debtor": someone else's debtor looks absent.
        debtor_id = request.args.get("debiteur", type=int)
        if debtor_id is None:
            abort(404)
        debtor = or_404(access.get_debtor, current_user, debtor_id)
        form.debtor_mode.data = "existing"
        form.debtor_id.data = debtor.id
    leftovers: dict[str, list[str]] = {}
    if not form.is_submitted():
        return render_template("creditor/new_case.html", form=form, leftovers=leftovers)

    if form.uses_existing_debtor and form.debtor_id.data is not None:
        or_404(access.get_debtor, current_user, form.debtor_id.data)
    if form.validate():
        try:
            case = intake.submit_case(
                current_user,
                debtor=None if form.uses_existing_debtor else form.debtor.form.to_input(),
                debtor_id=form.debtor_id.data if form.uses_existing_debtor else None,
                invoices=form.invoice_inputs(),
                uploads=_uploads(form),
                today=today(),
            )
        except ValidationFailed as exc:
            leftovers = form.apply_service_errors(exc.errors)
        else:
            flash(
                _("Dossier %(reference)s transmis à l'agence.", reference=case.reference), "success"
            )
            return redirect(url_for("creditor.case", reference=case.reference))
    return render_template("creditor/new_case.html", form=form, leftovers=leftovers), 422


def _direct_payment_form(case) -> DirectPaymentForm:
    return DirectPaymentForm(
        formdata=None,
        prefix="direct",
        invoices=case.invoices,
        received_on=today(),
        idempotency_key=uuid4().hex,
    )


def _case_page(
    case,
    form,
    leftovers=None,
    status=200,
    direct_form=None,
    decision_form=None,
    escalation_form=None,
):
    return render_template(
        "creditor/case.html",
        case=case,
        documents=access.documents_for(current_user, case),
        timeline=access.timeline_for(current_user, case),
        form=form,
        leftovers=leftovers or {},
        direct_form=direct_form or _direct_payment_form(case),
        decision_form=decision_form or PlanDecisionForm(formdata=None),
        approval_request=escalation.pending_request(case) if case.stage == "amicable" else None,
        escalation_form=escalation_form or EscalationDecisionForm(formdata=None),
        **balance_context(case),
        **web.plans_context(case),
    ), status


@bp.route("/dossiers/<reference>")
@creditor_required
def case(reference: str):
    case = or_404(access.get_case, current_user, reference)
    return _case_page(case, AddDocumentsForm(formdata=None))


@bp.route("/dossiers/<reference>/paiements-directs", methods=["POST"])
@creditor_required
def direct_payment(reference: str):
    case = or_404(access.get_case, current_user, reference)
    form = DirectPaymentForm(prefix="direct", invoices=case.invoices)
    if form.validate_on_submit():
        try:
            payment = payments.record_payment(
                current_user,
                case,
                amount_cents=form.amount.data,
                received_on=form.received_on.data,
                method=form.method.data,
                paid_to_creditor=True,
                designated_invoice_id=form.designated_invoice_id.data,
                note=form.note.data or "",
                idempotency_key=form.idempotency_key.data or None,
                today=today(),
            )
        except ValidationFailed as exc:
            form.form_errors.extend(apply_errors(form, exc))
        else:
            flash(
                _(
                    "Paiement direct de %(amount)s signalé à l'agence.",
                    amount=formatting.money(payment.amount_cents, payment.currency),
                ),
                "success",
            )
            return redirect(url_for("creditor.case", reference=case.reference, _anchor="paiements"))
    return _case_page(case, AddDocumentsForm(formdata=None), status=422, direct_form=form)


@bp.route("/dossiers/<reference>/documents", methods=["POST"])
@creditor_required
def add_documents(reference: str):
    case = or_404(access.get_case, current_user, reference)
    form = AddDocumentsForm()
    leftovers: dict[str, list[str]] = {}
    if form.validate_on_submit():
        try:
            documents = intake.add_documents(current_user, case, _uploads(form))
        except ValidationFailed as exc:
            leftovers = form.apply_service_errors(exc.errors)
        else:
            count = len(documents)
            flash(
                ngettext("%(num)d document ajouté.", "%(num)d documents ajoutés.", count),
                "success",
            )
            return redirect(url_for("creditor.case", reference=case.reference, _anchor="documents"))
    return _case_page(case, form, leftovers, 422)


@bp.route("/documents/<int:document_id>")
@creditor_required
def document(document_id: int):
    return send_document(or_404(access.get_document, current_user, document_id))


@bp.route("/releves")
@creditor_required
def statements():
    page = db.paginate(
        remittance.remittances_query(current_user),
        page=max(request.args.get("page", 1, type=int) or 1, 1),
        per_page=current_app.config["CASES_PER_PAGE"],
        error_out=False,
    )
    return render_template(
        "creditor/statements.html",
        page=page,
        pending=remittance.pending_statement(current_user.organisation),
    )


@bp.route("/releves/<int:remittance_id>")
@creditor_required
def statement(remittance_id: int):
    issued = or_404(remittance.get_remittance, current_user, remittance_id)
    return render_template(
        "statement.html",
        statement=remittance.statement_of(issued),
        back_url=url_for("creditor.statements"),
        csv_url=url_for("creditor.statement_csv", remittance_id=issued.id),
    )


@bp.route("/releves/<int:remittance_id>.csv")
@creditor_required
def statement_csv(remittance_id: int):
    issued = or_404(remittance.get_remittance, current_user, remittance_id)
    return web.csv_download(
        exports.statement_csv(remittance.statement_of(issued)), f"{issued.reference}.csv"
    )


@bp.route("/echeanciers/<int:plan_id>/decision", methods=["POST"])
@creditor_required
def decide_plan(plan_id: int):
    plan = db.session.get(PaymentPlan, plan_id)
    if plan is None or plan.case.creditor_id != current_user.organisation_id:
        abort(404)
    form = PlanDecisionForm()
    if form.validate_on_submit():
        approve = request.form.get("decision") == "approve"
        try:
            plans.creditor_decide(
                current_user, plan, approve=approve, note=form.note.data or "", today=today()
            )
        except ValidationFailed as exc:
            form.form_errors.extend(apply_errors(form, exc))
        else:
            message = _("Échéancier accepté.") if approve else _("Échéancier refusé.")
            flash(message, "success")
            return redirect(url_for("creditor.case", reference=plan.case.reference, _anchor="plan"))
    return _case_page(plan.case, AddDocumentsForm(formdata=None), status=422, decision_form=form)


@bp.route("/demandes-judiciaire/<int:request_id>/decision", methods=["POST"])
@creditor_required
def decide_escalation(request_id: int):
    try:
        pending = escalation.get_request(current_user, request_id)
    except NotFound:
        abort(404)
    if pending.status != "pending":
        flash(_("Cette demande n'attend plus de réponse."), "warning")
        return redirect(url_for("creditor.case", reference=pending.case.reference))
    form = EscalationDecisionForm()
    decision = request.form.get("decision")
    if form.validate_on_submit() and decision in ("approve", "refuse"):
        approve = decision == "approve"
        if approve and not form.confirm.data:
            form.confirm.errors = [
                _("Cochez la case pour confirmer que vous avez compris les frais possibles.")
            ]
        else:
            try:
                escalation.decide_escalation(
                    current_user, pending, approve=approve, note=form.note.data or "", today=today()
                )
            except ValidationFailed as exc:
                form.form_errors.extend(apply_errors(form, exc))
            else:
                message = (
                    _("Vous avez autorisé le passage au judiciaire.")
                    if approve
                    else _("Vous avez refusé le passage au judiciaire.")
                )
                flash(message, "success")
                return redirect(url_for("creditor.case", reference=pending.case.reference))
    elif decision not in ("approve", "refuse"):
        form.form_errors.append(_("Choisissez d'autoriser ou de refuser."))
    return _case_page(
        pending.case, AddDocumentsForm(formdata=None), status=422, escalation_form=form
    )


@bp.route("/paiements/<int:payment_id>/recu")
@creditor_required
def payment_receipt(payment_id: int):
    payment = or_404(access.get_payment, current_user, payment_id)
    return render_template(
        "receipt.html",
        receipt=payments.receipt(payment),
        back_url=url_for("creditor.case", reference=payment.case.reference),
    )
