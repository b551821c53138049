"""Back-office: the case's message thread with the creditor, the cases with unread messages,
and asking the creditor's yes for a write-off or a settlement."""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app import web
from app.agent.routes import _render_case, bp
from app.creditor.messages import post_from_form
from app.domain import money
from app.messaging_forms import MessageForm
from app.services import approvals, messages, worklist
from app.services.errors import Forbidden, ValidationFailed
from app.web import agency_required, or_404


@bp.route("/dossiers/<reference>/messages", methods=["POST"])
@agency_required
def post_message(reference: str):
    file = or_404(worklist.case_file, current_user, reference)
    form = MessageForm()
    if form.validate_on_submit():
        try:
            post_from_form(file.case, form)
        except ValidationFailed as exc:
            form.form_errors.extend(web.apply_errors(form, exc))
        else:
            flash(_("Message envoyé au créancier."), "success")
            return redirect(url_for("agent.case", reference=reference, _anchor="messages"))
    g.message_form = form
    return _render_case(file, 422)


@bp.route("/messages")
@agency_required
def unread_messages():
    return render_template("messages_unread.html", rows=messages.unread_cases(current_user))


@bp.route("/dossiers/<reference>/demandes/<kind>", methods=["POST"])
@agency_required
def request_approval(reference: str, kind: str):
    if kind not in ("abandon", "transaction"):
        abort(404)
    file = or_404(worklist.case_file, current_user, reference)
    note = request.form.get("note", "")
    errors: list[str] = []
    amount = None
    try:
        amount = money.to_cents(request.form.get("amount", ""))
    except money.InvalidAmount as exc:
        errors.append(_("Montant : %(error)s", error=_(str(exc))))
    if not errors:
        ask = approvals.request_write_off if kind == "abandon" else approvals.request_settlement
        try:
            ask(current_user, file.case, amount, note, today=web.today())
        except ValidationFailed as exc:
            errors.extend(web.apply_errors(None, exc))
        except Forbidden as exc:
            errors.append(_(str(exc)))
        else:
            flash(_("Demande envoyée au créancier."), "success")
            return redirect(url_for("agent.case", reference=reference, _anchor="demandes"))
    # Shown in templates/agent/_approvals.html, with what was typed.
    g.approval_kind, g.approval_errors, g.approval_values = kind, errors, request.form
    return _render_case(file, 422)
