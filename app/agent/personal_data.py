"""A debtor's personal data for the agency: the export of everything about one debtor (the
right of access, LAW.md section 8), for supervisors and the agency admin."""

from __future__ import annotations

from flask import Response, abort
from flask_login import current_user
from flask_wtf import FlaskForm

from app import web
from app.agent.routes import bp, manager_required
from app.services import personal_data
from app.services.errors import NotFound


class ExportForm(FlaskForm):
    """The button only carries the CSRF token: an export is an audited act, never a GET."""


@bp.route("/debiteurs/<int:debtor_id>/export-donnees", methods=["POST"])
@manager_required
def export_debtor_data(debtor_id: int):
    if not ExportForm().validate_on_submit():
        abort(400)
    try:
        export = personal_data.export_debtor(current_user, debtor_id, today=web.today())
    except NotFound:
        abort(404)
    return Response(
        export.data,
        mimetype="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="{export.filename}"',
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
        },
    )
