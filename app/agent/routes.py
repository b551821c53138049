"""Agency back-office: the work queue, the list of cases, and the case page with its actions."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import uuid4

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from app import exports, formatting, web
from app.agent import forms
from app.domain import identifiers, interest, pipeline, roles
from app.domain import letters as letter_rules
from app.extensions import db
from app.integrations import pdf
from app.models import Letter, Organisation, PaymentPlan, Task
from app.services import (
    access,
    casework,
    debtor_access,
    letters,
    payments,
    plans,
    rates,
    remittance,
    worklist,
)
from app.services import tasks as agent_tasks
from app.services.errors import Forbidden, ValidationFailed
from app.web import agency_required, or_404, role_required

bp = Blueprint("agent", __name__)

manager_required = role_required(roles.MANAGER_ROLES)


def _page_number() -> int:
    return max(request.args.get("page", 1, type=int) or 1, 1)


@bp.route("/")
@agency_required
def queue():
    form = forms.QueueFilterForm(formdata=request.args, user=current_user)
    page = worklist.work_queue(current_user, form.filters(), page=_page_number())
    today = web.today()
    return render_template(
        "agent/queue.html",
        form=form,
        page=page,
        due=worklist.due_counts(current_user, today),
        tasks=agent_tasks.due_tasks(current_user, today),
        task_count=agent_tasks.count_due_tasks(current_user, today),
        task_done_form=forms.TaskDoneForm(formdata=None),
        calling=agent_tasks.calling_now(),
        today=today,
        filtered=any(
            request.args.get(k) for k in ("q", "stage", "creditor", "creditor_name", "mine")
        ),
    )


@bp.route("/dossiers")
@agency_required
def cases():
    form = forms.CaseListFilterForm(formdata=request.args, user=current_user)
    page = worklist.all_cases(
        current_user,
        form.filters(),
        sort=form.sort.data,
        direction=form.direction.data,
        page=_page_number(),
    )
    return render_template(
        "agent/cases.html",
        form=form,
        page=page,
        today=web.today(),
        filtered=any(request.args.get(k) for k in ("q", "stage", "creditor", "creditor_name")),
    )


@bp.route("/creanciers/suggestions")
@agency_required
def creditor_suggestions():
    """The filter's suggestions as <option>s, for the field's datalist (htmx)."""
    text = (request.args.get("creditor_name") or "")[:200]
    return render_template(
        "agent/_creditor_suggestions.html",
        labels=worklist.creditor_suggestions(current_user, text),
    )


@bp.route("/documents/<int:document_id>")
@agency_required
def document(document_id: int):
    return web.send_document(or_404(access.get_document, current_user, document_id))


# --- The case page and its action panels -------------------------------------------------


def _default_forms(case) -> dict:
    """Blank panels; `formdata=None` so a failed POST fills only the panel that was sent."""
    phones = case.debtor.phones
    return {
        "note_form": forms.NoteForm(formdata=None, prefix="note"),
        "call_form": forms.CallForm(
            formdata=None,
            prefix="call",
            direction="outbound",
            phone_number=identifiers.format_phone_national(phones[0]) if phones else "",
        ),
        "assign_form": forms.AssignForm(
            formdata=None,
            prefix="assign",
            agents=casework.agents(),
            agent_id=case.assigned_agent_id,
        ),
        "accept_form": forms.AcceptForm(formdata=None, prefix="accept"),
        "return_form": forms.ReturnForm(formdata=None, prefix="return"),
        "move_form": forms.MoveForm(
            formdata=None,
            prefix="move",
            targets=pipeline.allowed_targets(case.stage, current_user.role),
        ),
        "hold_form": forms.HoldForm(formdata=None, prefix="hold", hold_reason=case.hold_reason),
        "judicial_form": forms.JudicialApprovalForm(formdata=None, prefix="judicial"),
        "payment_form": forms.PaymentForm(
            formdata=None,
            prefix="payment",
            invoices=case.invoices,
            received_on=web.today(),
            idempotency_key=uuid4().hex,
        ),
        "promise_form": forms.PromiseForm(formdata=None, prefix="promise"),
        "plan_form": forms.PlanForm(formdata=None, prefix="plan", frequency="monthly"),
        "cancel_plan_form": forms.CancelPlanForm(formdata=None, prefix="cancel_plan"),
        "letter_form": forms.LetterForm(formdata=None, prefix="letter", letter_date=web.today()),
        "notice_form": forms.FormalNoticeForm(
            formdata=None, prefix="notice", received_on=case.formal_notice_received_on
        ),
    }


# Where each panel sits on the page, so a refusal can point to it (the page is long on a phone).
PANEL_ANCHORS = {
    "note_form": "note",
    "call_form": "appel",
    "assign_form": "attribution",
    "accept_form": "reception",
    "return_form": "reception",
    "move_form": "etape",
    "hold_form": "suspension",
    "judicial_form": "accord-judiciaire",
    "notice_form": "mise-en-demeure",
    "payment_form": "paiement",
    "letter_form": "courriers",
    "promise_form": "promesse",
    "plan_form": "echeancier",
    "cancel_plan_form": "plan",
    "procedure_form": "procedures",
    "step_form": "procedures",
}


def _render_case(
    file: worklist.CaseFile, status: int = 200, new_link_url: str | None = None, **submitted
):
    panels = _default_forms(file.case)
    panels.update(submitted)
    return (
        render_template(
            "agent/case.html",
            file=file,
            case=file.case,
            today=web.today(),
            phone=identifiers.format_phone_national,
            failed_panel=next((PANEL_ANCHORS[name] for name in submitted), None),
            **web.balance_context(file.case),
            **web.plans_context(file.case),
            letters=letters.letters_of(file.case),
            pdf_enabled=pdf.enabled(),
            new_link_url=new_link_url,
            post_form=forms.PostLetterForm(formdata=None),
            posted_form=forms.PostedForm(formdata=None, posted_on=web.today()),
            letter_receipt_form=forms.LetterReceiptForm(formdata=None),
            plan_policy=plans.policy_of(file.case),
            case_tasks=agent_tasks.case_tasks(file.case, web.today()),
            **_cadence_context(file.case),
            task_done_form=forms.TaskDoneForm(formdata=None),
            calling=agent_tasks.calling_now(),
            **panels,
        ),
        status,
    )


def _cadence_context(case) -> dict:
    from app.domain import cadence as cadence_rules
    from app.services import cadence, prescription

    plan = cadence.case_plan(case)
    return {
        "limitation_on": prescription.limitation_on(case),
        "cadence_plan": plan,
        "cadence_keys": cadence_rules.step_keys(plan.scenario.steps) if plan.scenario else [],
    }


def _load(reference: str) -> worklist.CaseFile:
    return or_404(worklist.case_file, current_user, reference)


def _back(case):
    return redirect(url_for("agent.case", reference=case.reference))


def _refused(file, name: str, form, exc: Exception):
    """Re-render the case page with the refusal shown in the panel that was sent."""
    if isinstance(exc, ValidationFailed):
        form.form_errors.extend(web.apply_errors(form, exc))
    else:
        form.form_errors.append(_(str(exc)))
    return _render_case(file, 422, **{name: form})


@bp.route("/dossiers/<reference>")
@agency_required
def case(reference: str):
    return _render_case(_load(reference))


@bp.route("/taches/<int:task_id>/fait", methods=["POST"])
@agency_required
def task_done(task_id: int):
    task = db.session.get(Task, task_id) or abort(404)
    # Scoped like the case itself: a task of a case the user cannot see does not exist.
    or_404(access.get_case, current_user, task.case.reference)
    form = forms.TaskDoneForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        agent_tasks.complete_task(current_user, task)
        flash(_("Tâche terminée."), "success")
    except ValidationFailed as exc:
        for messages in exc.errors.values():
            for message in messages:
                flash(_(message), "warning")
    if request.form.get("back") == "case":
        return _back(task.case)
    return redirect(url_for("agent.queue"))


@bp.route("/dossiers/<reference>/notes", methods=["POST"])
@agency_required
def add_note(reference: str):
    file = _load(reference)
    form = forms.NoteForm(prefix="note")
    if not form.validate():
        return _render_case(file, 422, note_form=form)
    try:
        casework.add_note(
            current_user,
            file.case,
            form.text.data or "",
            visible_to_creditor=form.visible_to_creditor.data,
        )
    except ValidationFailed as exc:
        return _refused(file, "note_form", form, exc)
    flash(_("Note ajoutée."), "success")
    return _back(file.case)


@bp.route("/dossiers/<reference>/appels", methods=["POST"])
@agency_required
def log_call(reference: str):
    file = _load(reference)
    form = forms.CallForm(prefix="call")
    if not form.validate():
        return _render_case(file, 422, call_form=form)
    try:
        casework.log_call(
            current_user,
            file.case,
            direction=form.direction.data or "",
            phone_number=form.phone_number.data or "",
            outcome=form.outcome.data or "",
            duration_seconds=form.duration_seconds,
            notes=form.notes.data or "",
            follow_up_on=form.follow_up_on.data,
            promised_amount_cents=form.promised_amount.data,
            promised_on=form.promised_on.data,
            today=web.today(),
        )
    except ValidationFailed as exc:
        return _refused(file, "call_form", form, exc)
    flash(_("Appel enregistré."), "success")
    return _back(file.case)


@bp.route("/dossiers/<reference>/attribution", methods=["POST"])
@agency_required
def assign(reference: str):
    file = _load(reference)
    form = forms.AssignForm(prefix="assign", agents=casework.agents())
    if not form.validate():
        return _render_case(file, 422, assign_form=form)
    try:
        case = casework.assign_case(current_user, file.case, form.agent_id.data)
    except Forbidden:
        abort(403)
    except ValidationFailed as exc:
        return _refused(file, "assign_form", form, exc)
    if case.assigned_agent:
        flash(_("Dossier attribué à %(name)s.", name=case.assigned_agent.full_name), "success")
    else:
        flash(_("Dossier remis dans la file commune."), "success")
    return _back(case)


@bp.route("/dossiers/<reference>/accepter", methods=["POST"])
@agency_required
def accept(reference: str):
    file = _load(reference)
    form = forms.AcceptForm(prefix="accept")
    if not form.validate():
        return _render_case(file, 422, accept_form=form)
    try:
        casework.accept_case(current_user, file.case, today=web.today())
    except pipeline.TransitionRefused as exc:
        return _refused(file, "accept_form", form, exc)
    flash(_("Dossier accepté : il passe en phase amiable."), "success")
    return _back(file.case)


@bp.route("/dossiers/<reference>/renvoi", methods=["POST"])
@agency_required
def return_case(reference: str):
    file = _load(reference)
    form = forms.ReturnForm(prefix="return")
    if not form.validate():
        return _render_case(file, 422, return_form=form)
    try:
        casework.return_to_creditor(
            current_user,
            file.case,
            return_reason=form.return_reason.data or None,
            note=form.note.data or "",
            today=web.today(),
        )
    except pipeline.TransitionRefused as exc:
        return _refused(file, "return_form", form, exc)
    flash(_("Dossier renvoyé au créancier."), "success")
    return _back(file.case)


@bp.route("/dossiers/<reference>/etape", methods=["POST"])
@agency_required
def move(reference: str):
    file = _load(reference)
    form = forms.MoveForm(
        prefix="move", targets=pipeline.allowed_targets(file.case.stage, current_user.role)
    )
    if not form.validate():
        return _render_case(file, 422, move_form=form)
    try:
        case = casework.move_stage(
            current_user,
            file.case,
            form.target.data or "",
            reason=form.reason.data or "",
            outcome=form.outcome.data or None,
            today=web.today(),
        )
    except pipeline.TransitionRefused as exc:
        return _refused(file, "move_form", form, exc)
    flash(_("Étape modifiée : %(stage)s.", stage=formatting.stage_label(case.stage)), "success")
    return _back(case)


@bp.route("/dossiers/<reference>/suspension", methods=["POST"])
@agency_required
def hold(reference: str):
    file = _load(reference)
    form = forms.HoldForm(prefix="hold")
    if not form.validate():
        return _render_case(file, 422, hold_form=form)
    try:
        case = casework.set_hold(
            current_user, file.case, form.hold_reason.data or None, note=form.note.data or ""
        )
    except ValidationFailed as exc:
        return _refused(file, "hold_form", form, exc)
    if case.hold_reason:
        flash(_("Dossier suspendu."), "success")
    else:
        flash(_("Suspension levée."), "success")
    return _back(case)


@bp.route("/dossiers/<reference>/accord-judiciaire", methods=["POST"])
@manager_required
def judicial_approval(reference: str):
    file = _load(reference)
    form = forms.JudicialApprovalForm(prefix="judicial")
    if not form.validate():
        return _render_case(file, 422, judicial_form=form)
    try:
        casework.record_judicial_approval(current_user, file.case, note=form.note.data or "")
    except Forbidden:
        abort(403)
    except ValidationFailed as exc:
        return _refused(file, "judicial_form", form, exc)
    flash(_("Accord du créancier pour la phase judiciaire enregistré."), "success")
    return _back(file.case)


@bp.route("/dossiers/<reference>/mise-en-demeure", methods=["POST"])
@agency_required
def formal_notice(reference: str):
    file = _load(reference)
    form = forms.FormalNoticeForm(prefix="notice")
    if not form.validate():
        return _render_case(file, 422, notice_form=form)
    try:
        casework.set_formal_notice_received(
            current_user, file.case, form.received_on.data, today=web.today()
        )
    except ValidationFailed as exc:
        return _refused(file, "notice_form", form, exc)
    flash(_("Date de réception de la mise en demeure enregistrée."), "success")
    return _back(file.case)


# --- Payments ---------------------------------------------------------------------------------


@bp.route("/dossiers/<reference>/paiements", methods=["POST"])
@agency_required
def record_payment(reference: str):
    file = _load(reference)
    form = forms.PaymentForm(prefix="payment", invoices=file.case.invoices)
    if not form.validate():
        return _render_case(file, 422, payment_form=form)
    try:
        payment = payments.record_payment(
            current_user,
            file.case,
            amount_cents=form.amount.data,
            received_on=form.received_on.data,
            method=form.method.data,
            paid_to_creditor=form.paid_to_creditor.data,
            designated_invoice_id=form.designated_invoice_id.data,
            reference=form.reference.data or "",
            note=form.note.data or "",
            idempotency_key=form.idempotency_key.data or None,
            today=web.today(),
        )
    except ValidationFailed as exc:
        return _refused(file, "payment_form", form, exc)
    flash(
        _(
            "Paiement de %(amount)s enregistré.",
            amount=formatting.money(payment.amount_cents, payment.currency),
        ),
        "success",
    )
    if not file.case.is_open and file.case.outcome == "paid":
        flash(_("Le solde est réglé : le dossier est clôturé comme payé."), "success")
    return _back(file.case)


@bp.route("/paiements/<int:payment_id>/recu")
@agency_required
def payment_receipt(payment_id: int):
    payment = or_404(access.get_payment, current_user, payment_id)
    return render_template(
        "receipt.html",
        receipt=payments.receipt(payment),
        back_url=url_for("agent.case", reference=payment.case.reference),
    )


@bp.route("/paiements/<int:payment_id>/annulation", methods=["GET", "POST"])
@agency_required
def reverse_payment(payment_id: int):
    payment = or_404(access.get_payment, current_user, payment_id)
    form = forms.ReversalForm()
    if request.method == "POST" and form.validate():
        try:
            payments.reverse_payment(
                current_user,
                payment,
                reason=form.reason.data or None,
                note=form.note.data or "",
                today=web.today(),
            )
        except ValidationFailed as exc:
            form.form_errors.extend(web.apply_errors(form, exc))
        else:
            flash(_("Paiement annulé : les écritures inverses sont passées."), "success")
            return _back(payment.case)
    status = 422 if request.method == "POST" else 200
    return render_template("agent/reverse_payment.html", payment=payment, form=form), status


# --- Promises and payment plans ---------------------------------------------------------------


@bp.route("/dossiers/<reference>/promesses", methods=["POST"])
@agency_required
def record_promise(reference: str):
    file = _load(reference)
    form = forms.PromiseForm(prefix="promise")
    if not form.validate():
        return _render_case(file, 422, promise_form=form)
    try:
        plans.record_promise(
            current_user,
            file.case,
            amount_cents=form.amount.data,
            promised_on=form.promised_on.data,
            note=form.note.data or "",
            today=web.today(),
        )
    except ValidationFailed as exc:
        return _refused(file, "promise_form", form, exc)
    flash(_("Promesse de paiement enregistrée."), "success")
    return _back(file.case)


@bp.route("/dossiers/<reference>/echeancier", methods=["POST"])
@agency_required
def propose_plan(reference: str):
    file = _load(reference)
    form = forms.PlanForm(prefix="plan")
    if not form.validate():
        return _render_case(file, 422, plan_form=form)
    try:
        plan = plans.propose_plan(
            current_user,
            file.case,
            down_payment_cents=form.down_payment.data,
            installment_count=form.installment_count.data,
            frequency=form.frequency.data,
            first_due_on=form.first_due_on.data,
            note=form.note.data or "",
            today=web.today(),
        )
    except ValidationFailed as exc:
        return _refused(file, "plan_form", form, exc)
    if plan.status == "active":
        flash(_("Échéancier accordé : il démarre aujourd'hui."), "success")
    else:
        flash(_("Échéancier hors politique du créancier : envoyé pour accord."), "warning")
    return _back(file.case)


@bp.route("/echeanciers/<int:plan_id>/annulation", methods=["POST"])
@agency_required
def cancel_plan(plan_id: int):
    plan = db.session.get(PaymentPlan, plan_id) or abort(404)
    file = _load(plan.case.reference)
    form = forms.CancelPlanForm(prefix="cancel_plan")
    if not form.validate():
        return _render_case(file, 422, cancel_plan_form=form)
    try:
        plans.cancel_plan(current_user, plan, note=form.note.data or "", today=web.today())
    except ValidationFailed as exc:
        return _refused(file, "cancel_plan_form", form, exc)
    flash(_("Échéancier annulé."), "success")
    return _back(file.case)


# --- Letters ----------------------------------------------------------------------------------


@bp.route("/dossiers/<reference>/courriers/apercu")
@agency_required
def letter_preview(reference: str):
    file = _load(reference)
    form = forms.LetterForm(formdata=request.args, prefix="letter", meta={"csrf": False})
    letter_date = form.letter_date.data or web.today()
    try:
        rendered = letters.preview(
            current_user, file.case, form.template.data or "", letter_date=letter_date
        )
    except ValidationFailed as exc:
        return _refused(file, "letter_form", form, exc)
    generate_form = forms.LetterForm(
        formdata=None, prefix="letter", template=form.template.data, letter_date=letter_date
    )
    return render_template(
        "agent/letter_preview.html",
        case=file.case,
        rendered=rendered,
        letter_date=letter_date,
        form=generate_form,
    )


@bp.route("/dossiers/<reference>/courriers", methods=["POST"])
@agency_required
def generate_letter(reference: str):
    file = _load(reference)
    form = forms.LetterForm(prefix="letter")
    if not form.validate():
        return _render_case(file, 422, letter_form=form)
    letter_date = form.letter_date.data or web.today()
    try:
        checked = letters.preview(
            current_user, file.case, form.template.data or "", letter_date=letter_date
        )
        if checked.missing:
            raise ValidationFailed(
                {"template": [_("Mentions obligatoires absentes du courrier :")] + checked.missing}
            )
    except ValidationFailed as exc:
        return _refused(file, "letter_form", form, exc)
    # Generation is a job (inline without Redis); it is idempotent per case, template and day.
    from app.jobs import enqueue
    from app.jobs.tasks import generate_letter as generate_task

    result = enqueue(
        generate_task,
        current_user.id,
        file.case.id,
        form.template.data,
        letter_date.isoformat(),
        queue="letters",
    )
    if isinstance(result, int):
        flash(_("Courrier généré."), "success")
    else:
        flash(_("Courrier en cours de génération : il apparaîtra dans la liste."), "info")
    return redirect(url_for("agent.case", reference=file.case.reference, _anchor="courriers"))


def _letter(letter_id: int) -> Letter:
    letter = db.session.get(Letter, letter_id)
    if letter is None:
        abort(404)
    return letter


def _letter_action(letter: Letter, action, success: str):
    try:
        action()
    except ValidationFailed as exc:
        for message in web.apply_errors(None, exc):
            flash(message, "danger")
    else:
        flash(success, "success")
    return redirect(url_for("agent.case", reference=letter.case.reference, _anchor="courriers"))


@bp.route("/courriers/<int:letter_id>/email", methods=["POST"])
@agency_required
def email_letter(letter_id: int):
    letter = _letter(letter_id)
    if not forms.PostLetterForm().validate():
        abort(400)

    def send():
        letters.send_by_email(current_user, letter)
        if letter.status == "failed":
            raise ValidationFailed(
                {"channel": [_("L'envoi a échoué : %(error)s", error=letter.last_error)]}
            )

    return _letter_action(letter, send, _("Courrier envoyé au débiteur par e-mail."))


@bp.route("/dossiers/<reference>/email-relance", methods=["POST"])
@agency_required
def email_reminder(reference: str):
    file = _load(reference)
    if not forms.PostLetterForm().validate():
        abort(400)
    try:
        letter = letters.send_email_reminder(current_user, file.case, today=web.today())
    except ValidationFailed as exc:
        for message in web.apply_errors(None, exc):
            flash(message, "danger")
    else:
        if letter.status == "failed":
            flash(_("L'envoi a échoué : %(error)s", error=letter.last_error), "danger")
        else:
            flash(_("E-mail de relance envoyé au débiteur."), "success")
    return redirect(url_for("agent.case", reference=file.case.reference, _anchor="courriers"))


@bp.route("/courriers/<int:letter_id>/a-poster", methods=["POST"])
@agency_required
def letter_to_post(letter_id: int):
    letter = _letter(letter_id)
    form = forms.PostLetterForm()
    if not form.validate():
        abort(400)
    return _letter_action(
        letter,
        lambda: letters.mark_to_post(current_user, letter, registered=form.registered.data),
        _("Courrier ajouté au lot à poster."),
    )


@bp.route("/courriers/<int:letter_id>/poste", methods=["POST"])
@agency_required
def letter_posted(letter_id: int):
    letter = _letter(letter_id)
    form = forms.PostedForm()
    form.validate()
    return _letter_action(
        letter,
        lambda: letters.mark_posted(
            current_user,
            letter,
            posted_on=form.posted_on.data,
            tracking_number=form.tracking_number.data or "",
            today=web.today(),
        ),
        _("Envoi postal enregistré."),
    )


@bp.route("/courriers/<int:letter_id>/accuse", methods=["POST"])
@agency_required
def letter_receipt(letter_id: int):
    letter = _letter(letter_id)
    form = forms.LetterReceiptForm()
    form.validate()
    return _letter_action(
        letter,
        lambda: letters.record_receipt(
            current_user, letter, received_on=form.received_on.data, today=web.today()
        ),
        _("Accusé de réception enregistré."),
    )


@bp.route("/courriers/lot", methods=["GET", "POST"])
@agency_required
def letter_batch():
    today = web.today()
    form = forms.LetterBatchForm(letter_date=today, due_only=True)
    if request.method == "POST" and form.validate():
        letter_date = form.letter_date.data or today
        case_ids = letters.batch_candidates(
            current_user, only_mine=form.only_mine.data, due_only=form.due_only.data, today=today
        )
        if not case_ids:
            flash(_("Aucun dossier amiable ne correspond à cette sélection."), "info")
            return redirect(url_for("agent.letter_batch"))
        from app.jobs import enqueue
        from app.jobs.tasks import generate_letter_batch

        result = enqueue(
            generate_letter_batch,
            current_user.id,
            case_ids,
            form.template.data,
            letter_date.isoformat(),
            queue="letters",
            job_timeout=3600,
        )
        if isinstance(result, dict):  # ran inline: the summary is ready
            return render_template("agent/letter_batch.html", form=form, summary=result)
        if result is None:  # Redis is down: the batch is kept and starts when it is back
            flash(
                _("File d'attente indisponible : le lot est enregistré et partira à son retour."),
                "warning",
            )
            return redirect(url_for("agent.letter_batch"))
        result.meta.update(total=len(case_ids), done=0, generated=0, skipped=[])
        result.save_meta()
        return redirect(url_for("agent.letter_batch_progress", job_id=result.id))
    return render_template("agent/letter_batch.html", form=form, summary=None)


def _batch_state(job_id: str) -> dict | None:
    from rq.exceptions import NoSuchJobError
    from rq.job import Job

    from app.jobs import REDIS_ERRORS, redis_connection

    connection = redis_connection()
    if connection is None:
        return None
    try:
        job = Job.fetch(job_id, connection=connection)
    except NoSuchJobError:
        return None
    except REDIS_ERRORS:
        return {"unavailable": True}
    state = {"total": 0, "done": 0, "generated": 0, "skipped": [], **job.get_meta()}
    result = job.return_value() if job.is_finished else None
    if isinstance(result, dict):
        state.update(result)
    state["finished"] = job.is_finished
    state["failed"] = job.is_failed
    return state


@bp.route("/courriers/lot/<job_id>")
@agency_required
def letter_batch_progress(job_id: str):
    state = _batch_state(job_id) or abort(404)
    if state.get("unavailable"):
        flash(
            _("File d'attente indisponible : l'avancement du lot s'affichera à son retour."),
            "warning",
        )
        return redirect(url_for("agent.letter_batch"))
    template = "agent/_batch_progress.html" if request.headers.get("HX-Request") else None
    return render_template(
        template or "agent/letter_batch_progress.html", state=state, job_id=job_id
    )


@bp.route("/courriers/a-poster")
@agency_required
def print_batch():
    return render_template(
        "agent/print_batch.html", batch=letters.to_post(), posted_form=forms.PostedForm()
    )


@bp.route("/courriers/a-poster.zip")
@agency_required
def print_batch_zip():
    import io
    import zipfile

    from app.integrations import storage

    batch = letters.to_post()
    if not batch:
        flash(_("Aucun courrier à poster."), "info")
        return redirect(url_for("agent.print_batch"))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for letter in batch:
            archive.writestr(
                letter.document.original_name, storage.read(letter.document.storage_key)
            )
    return Response(
        buffer.getvalue(),
        mimetype="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="a-poster-{web.today().isoformat()}.zip"',
            "X-Content-Type-Options": "nosniff",
        },
    )


# --- The debtor's link ---------------------------------------------------------------------------


@bp.route("/dossiers/<reference>/lien", methods=["POST"])
@agency_required
def debtor_link(reference: str):
    file = _load(reference)
    if not forms.PostLetterForm().validate():
        abort(400)
    try:
        token = debtor_access.create_link(current_user, file.case)
    except ValidationFailed as exc:
        for message in web.apply_errors(None, exc):
            flash(message, "danger")
        return _back(file.case)
    # Shown once, in this response only: the token is stored hashed.
    url = current_app.config["PUBLIC_BASE_URL"].rstrip("/") + url_for("pay.page", token=token)
    return _render_case(file, new_link_url=url)


@bp.route("/dossiers/<reference>/lien/revocation", methods=["POST"])
@agency_required
def revoke_debtor_links(reference: str):
    file = _load(reference)
    if not forms.PostLetterForm().validate():
        abort(400)
    count = debtor_access.revoke_links(current_user, file.case)
    flash(_("%(n)s lien(s) débiteur révoqué(s).", n=count), "success")
    return _back(file.case)


# --- Letter templates (the agency admin's) -----------------------------------------------------

admin_required = role_required({roles.AGENCY_ADMIN})


def _known_template(name: str) -> None:
    if name not in letter_rules.TEMPLATES:
        abort(404)


def _render_templates(form=None, failed=None, status=200):
    rows = [
        (name, template, letters.is_customised(name))
        for name, template in letter_rules.TEMPLATES.items()
    ]
    return (
        render_template(
            "agent/letter_templates.html",
            rows=rows,
            form=form or forms.TemplateUploadForm(formdata=None),
            failed=failed,
        ),
        status,
    )


@bp.route("/modeles")
@admin_required
def letter_templates():
    return _render_templates()


@bp.route("/modeles/<name>.docx")
@admin_required
def download_template(name: str):
    _known_template(name)
    path = letters.template_path(name)
    return Response(
        path.read_bytes(),
        mimetype=letters.DOCX_TYPE,
        headers={
            "Content-Disposition": f'attachment; filename="{name}.docx"',
            "X-Content-Type-Options": "nosniff",
        },
    )


@bp.route("/modeles/<name>", methods=["POST"])
@admin_required
def upload_template(name: str):
    _known_template(name)
    form = forms.TemplateUploadForm()
    upload = form.file.data if form.validate() else None
    data = upload.read(5 * 1024 * 1024 + 1) if upload else b""
    try:
        if not data:
            raise ValidationFailed({"file": [_("Choisissez un fichier .docx.")]})
        if len(data) > 5 * 1024 * 1024:
            raise ValidationFailed({"file": [_("Le modèle dépasse 5 Mo.")]})
        letters.replace_template(current_user, name, data)
    except ValidationFailed as exc:
        form.form_errors.extend(web.apply_errors(form, exc))
        return _render_templates(form, failed=name, status=422)
    flash(_("Modèle « %(name)s » remplacé : il a passé la vérification.", name=name), "success")
    return redirect(url_for("agent.letter_templates"))


@bp.route("/modeles/<name>/origine", methods=["POST"])
@admin_required
def restore_template(name: str):
    _known_template(name)
    if not forms.RemittanceRunForm().validate():
        abort(400)
    letters.restore_template(current_user, name)
    flash(_("Modèle « %(name)s » : version d'origine rétablie.", name=name), "success")
    return redirect(url_for("agent.letter_templates"))


# --- Remittances and statements -------------------------------------------------------------


@bp.route("/reversements")
@agency_required
def remittances():
    today = web.today()
    form = forms.RemittanceFilterForm(formdata=request.args, user=current_user)
    page = db.paginate(
        remittance.remittances_query(current_user, **form.filters()),
        page=_page_number(),
        per_page=current_app.config["CASES_PER_PAGE"],
        error_out=False,
    )
    pending_page = db.paginate(
        remittance.creditors_with_movements_query(),
        page=request.args.get("a_reverser", 1, type=int),
        per_page=current_app.config["CASES_PER_PAGE"],
        error_out=False,
    )
    pending = [remittance.pending_statement(c) for c in pending_page.items]
    return render_template(
        "agent/remittances.html",
        form=form,
        page=page,
        pending=pending,
        pending_page=pending_page,
        overdue={o.creditor.id: o for o in remittance.overdue_funds(today)},
        run_form=forms.RemittanceRunForm(),
    )


@bp.route("/reversements/<int:creditor_id>", methods=["POST"])
@manager_required
def run_remittance(creditor_id: int):
    creditor = db.session.get(Organisation, creditor_id)
    if creditor is None or creditor.kind != "creditor":
        abort(404)
    form = forms.RemittanceRunForm()
    if not form.validate():
        abort(400)
    try:
        issued = remittance.run_remittance(current_user, creditor, today=web.today())
    except ValidationFailed as exc:
        for message in web.apply_errors(None, exc):
            flash(message, "danger")
        return redirect(url_for("agent.remittances"))
    if issued is None:
        flash(_("Rien de nouveau à reverser pour %(name)s.", name=creditor.legal_name), "info")
        return redirect(url_for("agent.remittances"))
    flash(
        _(
            "Relevé %(reference)s émis : %(amount)s à virer à %(name)s.",
            reference=issued.reference,
            amount=formatting.money(issued.amount_cents, issued.currency),
            name=creditor.legal_name,
        ),
        "success",
    )
    return redirect(url_for("agent.statement", remittance_id=issued.id))


@bp.route("/releves/<int:remittance_id>")
@agency_required
def statement(remittance_id: int):
    issued = or_404(remittance.get_remittance, current_user, remittance_id)
    return render_template(
        "statement.html",
        statement=remittance.statement_of(issued),
        back_url=url_for("agent.remittances"),
        csv_url=url_for("agent.statement_csv", remittance_id=issued.id),
    )


@bp.route("/releves/<int:remittance_id>.csv")
@agency_required
def statement_csv(remittance_id: int):
    issued = or_404(remittance.get_remittance, current_user, remittance_id)
    return web.csv_download(
        exports.statement_csv(remittance.statement_of(issued)), f"{issued.reference}.csv"
    )


# --- The rate table ---------------------------------------------------------------------------

FIRST_SEMESTER = date(2019, 1, 1)  # the oldest semester of LAW.md's tables


def _semesters(today) -> list:
    """The semesters a rate can be entered for: the next one back to the oldest in the law's
    tables, newest first."""
    start = interest.next_semester_start(today)
    semesters = []
    while start >= FIRST_SEMESTER:
        semesters.append(start)
        start = interest.semester_start(start - timedelta(days=1))
    return semesters


def _render_rates(form=None, status: int = 200):
    today = web.today()
    table = rates.rate_table(today)
    missing = rates.missing_kinds(today)
    if form is None:
        # Propose the current semester while it is incomplete, else the next one.
        current = interest.semester_start(today)
        proposed = current if missing else interest.next_semester_start(today)
        form = forms.RateForm(formdata=None, semesters=_semesters(today), semester=proposed)
    return (
        render_template(
            "agent/rates.html",
            form=form,
            table=table,
            missing=missing,
            current_semester=interest.semester_start(today),
        ),
        status,
    )


@bp.route("/taux", endpoint="rates")
@agency_required
def rate_table():
    return _render_rates()


@bp.route("/taux", methods=["POST"])
@manager_required
def add_rate():
    form = forms.RateForm(semesters=_semesters(web.today()))
    if not form.validate():
        return _render_rates(form, 422)
    try:
        rate = rates.add_rate(
            current_user,
            form.kind.data or "",
            form.semester.data,
            form.rate.data,
            form.source.data or "",
        )
    except Forbidden:
        abort(403)
    except ValidationFailed as exc:
        form.form_errors.extend(web.apply_errors(form, exc))
        return _render_rates(form, 422)
    flash(
        _(
            "Taux enregistré : %(kind)s, semestre %(semester)s, %(rate)s.",
            kind=formatting.rate_kind_label(rate.kind),
            semester=interest.semester_label(rate.semester_start),
            rate=formatting.percent(rate.rate_bp),
        ),
        "success",
    )
    return redirect(url_for("agent.rates"))
