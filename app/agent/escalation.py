"""Back-office: propose the judicial stage to the creditor, and what the case page shows of it
(templates/agent/_escalation.html)."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app import formatting, web
from app.agent.routes import bp
from app.domain.i18n import N_
from app.models.automation import APPROVAL_STATUS_LABELS
from app.services import escalation, worklist
from app.services.errors import Forbidden, ValidationFailed
from app.web import agency_required, or_404

# Seen from the agency: "pending" means waiting for the creditor, not for "you".
AGENCY_STATUS_LABELS = {**APPROVAL_STATUS_LABELS, "pending": N_("En attente du créancier")}


@bp.app_context_processor
def _escalation_helpers():
    return {
        "escalation_requests": escalation.requests_of,
        "may_request_escalation": escalation.may_request,
        "escalation_status_label": lambda code, agency=False: formatting.label(
            AGENCY_STATUS_LABELS if agency else APPROVAL_STATUS_LABELS, code
        ),
    }


@bp.route("/dossiers/<reference>/judiciaire/proposition", methods=["POST"])
@agency_required
def propose_escalation(reference: str):
    case = or_404(worklist.case_file, current_user, reference).case
    try:
        escalation.propose_escalation(
            current_user, case, today=web.today(), note=request.form.get("note", "")
        )
    except (ValidationFailed, Forbidden) as exc:
        messages = (
            [m for ms in exc.errors.values() for m in ms]
            if isinstance(exc, ValidationFailed)
            else [str(exc)]
        )
        for message in messages:
            flash(_(message), "warning")
    else:
        flash(_("Passage au judiciaire proposé au créancier."), "success")
    return redirect(url_for("agent.case", reference=case.reference, _anchor="escalade"))
