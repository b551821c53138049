"""The audit log viewer (/agence/journal): the agency admin reads who changed what, filtered by
user, case and Paris dates. Read only: the route answers GET alone (a POST is 405), and the
table itself refuses UPDATE and DELETE (app/models/audit.py)."""

from __future__ import annotations

from flask import render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional, ValidationError

from app.agent.forms import _GetForm, int_or_none
from app.agent.routes import admin_required, bp
from app.creditor.forms import DayField
from app.services import audit_log


class AuditFilterForm(_GetForm):
    user = SelectField(_l("Utilisateur"), coerce=int_or_none, validate_choice=False)
    reference = StringField(_l("Dossier (référence)"), validators=[Optional(), Length(max=40)])
    date_from = DayField(_l("Du"), validators=[Optional()])
    date_to = DayField(_l("Au"), validators=[Optional()])

    def __init__(self, *args, users=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.user.choices = [SelectChoice("", _l("Tous les utilisateurs"))] + [
            SelectChoice(u.id, f"{u.full_name} · {u.email}") for u in users
        ]

    def validate_date_to(self, field):
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_l("La date de fin précède la date de début."))

    def filters(self) -> audit_log.AuditFilters:
        return audit_log.AuditFilters(
            user_id=self.user.data,
            reference=(self.reference.data or "").strip() or None,
            date_from=self.date_from.data,
            date_to=self.date_to.data,
        )


@bp.route("/journal")
@admin_required
def audit_log_page():
    form = AuditFilterForm(request.args, users=audit_log.users_for_choice(current_user))
    valid = form.validate()
    page_number = request.args.get("page", 1, type=int) or 1
    filters = form.filters() if valid else audit_log.AuditFilters()
    page = audit_log.search(current_user, filters, page=page_number) if valid else None
    filtered = any(request.args.get(k) for k in ("user", "reference", "date_from", "date_to"))
    return render_template("agent/audit_log.html", form=form, page=page, filtered=filtered), (
        200 if valid else 422
    )
