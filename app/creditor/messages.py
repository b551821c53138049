"""Creditor portal: the case's message thread with the agency, the unread badge, the approvals
inbox on the home page, and the email preferences."""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app import formatting, web
from app.creditor.forms import AddDocumentsForm
from app.creditor.routes import _case_page, bp
from app.messaging_forms import MessageForm, NotifyForm
from app.models.automation import APPROVAL_KIND_LABELS
from app.services import access, approvals, messages, notifications
from app.services.errors import Forbidden, NotFound, ValidationFailed
from app.web import creditor_required, or_404


@bp.app_context_processor
def _messaging_helpers():
    def unread_total() -> int:
        if not getattr(current_user, "is_authenticated", False):
            return 0
        if "unread_total" not in g:
            g.unread_total = messages.unread_total(current_user)
        return g.unread_total

    def unread_of(case) -> int:
        """One grouped query per page, however many rows ask."""
        if not getattr(current_user, "is_authenticated", False):
            return 0
        if "unread_counts" not in g:
            g.unread_counts = messages.unread_counts(current_user)
        return g.unread_counts.get(case.id, 0)

    def message_form() -> MessageForm:
        return g.get("message_form") or MessageForm(formdata=None)

    return {
        "unread_messages_total": unread_total,
        "unread_of_case": unread_of,
        "message_thread": lambda case: messages.thread(current_user, case),
        "message_attachments": messages.attachments_of,
        "message_form": message_form,
        "creditor_inbox": lambda: approvals.inbox(current_user),
        "approval_requests_of": approvals.requests_of,
        "approval_kind_label": lambda code: formatting.label(APPROVAL_KIND_LABELS, code),
        "decision_state": lambda: (
            g.get("decision_request_id"),
            g.get("decision_errors") or [],
            g.get("decision_note") or "",
        ),
        "approval_form_state": lambda: (
            g.get("approval_kind"),
            g.get("approval_errors") or [],
            g.get("approval_values") or {},
        ),
    }


@bp.before_app_request
def _mark_thread_read():
    """Opening a case page reads its thread."""
    if request.method != "GET" or request.endpoint not in ("creditor.case", "agent.case"):
        return
    if not current_user.is_authenticated:
        return
    try:
        case = access.get_case(current_user, (request.view_args or {}).get("reference", ""))
        messages.mark_read(current_user, case)
    except (NotFound, Forbidden):
        return  # the view answers 404 / 403 itself


def post_from_form(case, form: MessageForm):
    """Shared by both sides' POST routes: the message, or the form with its errors."""
    uploads = web.uploads_from(
        form.files.data or [], ["correspondence"] * len(form.files.data or [])
    )
    return messages.post_message(current_user, case, form.body.data or "", uploads)


@bp.route("/dossiers/<reference>/messages", methods=["POST"])
@creditor_required
def post_message(reference: str):
    case = or_404(access.get_case, current_user, reference)
    form = MessageForm()
    if form.validate_on_submit():
        try:
            post_from_form(case, form)
        except ValidationFailed as exc:
            form.form_errors.extend(web.apply_errors(form, exc))
        else:
            flash(_("Message envoyé à l'agence."), "success")
            return redirect(url_for("creditor.case", reference=case.reference, _anchor="messages"))
    g.message_form = form
    return _case_page(case, AddDocumentsForm(formdata=None), status=422)


@bp.route("/messages")
@creditor_required
def unread_messages():
    return render_template("messages_unread.html", rows=messages.unread_cases(current_user))


@bp.route("/preferences", methods=["GET", "POST"])
@creditor_required
def preferences():
    form = NotifyForm(data={"notify": current_user.notify} if request.method == "GET" else None)
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                notifications.set_preference(current_user, form.notify.data)
            except ValidationFailed as exc:
                form.form_errors.extend(web.apply_errors(form, exc))
            else:
                flash(_("Vos préférences sont enregistrées."), "success")
                return redirect(url_for("creditor.preferences"))
        return render_template("creditor/preferences.html", form=form), 422
    return render_template("creditor/preferences.html", form=form)


@bp.route("/demandes/<int:approval_id>/reponse", methods=["POST"])
@creditor_required
def decide_request(approval_id: int):
    from app.creditor.routes import home

    try:
        pending = approvals.get_request(current_user, approval_id)
    except NotFound:
        abort(404)
    decision = request.form.get("decision")
    note = request.form.get("note", "")
    errors: list[str] = []
    if decision not in ("approve", "refuse"):
        errors.append(_("Choisissez d'accepter ou de refuser."))
    else:
        try:
            approvals.decide(
                current_user, pending, approve=decision == "approve", note=note, today=web.today()
            )
        except ValidationFailed as exc:
            errors.extend(web.apply_errors(None, exc))
        except Forbidden:
            abort(404)
        else:
            flash(
                _("Votre réponse est transmise à l'agence.")
                if decision == "approve"
                else _("Votre refus est transmis à l'agence."),
                "success",
            )
            return redirect(url_for("creditor.home", _anchor="boite"))
    # Shown in templates/creditor/_inbox.html next to the request, with what was typed.
    g.decision_request_id, g.decision_errors, g.decision_note = pending.id, errors, note
    return home(), 422
