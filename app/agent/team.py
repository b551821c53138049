"""The agency admin's team page: who has the second factor, and its reset (a lost phone)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app import web
from app.agent.routes import bp
from app.auth.forms import ConfirmForm
from app.domain import roles
from app.extensions import db
from app.models import User
from app.services import two_factor
from app.services.errors import Forbidden

admin_required = web.role_required({roles.AGENCY_ADMIN})


@bp.route("/equipe")
@admin_required
def team():
    return render_template(
        "agent/team.html",
        staff=two_factor.agency_staff(current_user),
        confirm_form=ConfirmForm(formdata=None),
        two_factor=two_factor,
    )


@bp.route("/equipe/<int:user_id>/double-authentification/reinitialiser", methods=["POST"])
@admin_required
def reset_second_factor(user_id: int):
    user = db.session.get(User, user_id)
    if user is None or user.organisation_id != current_user.organisation_id:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("agent.team"))
    try:
        two_factor.reset(current_user, user)
    except Forbidden as exc:
        flash(_(str(exc)), "danger")
    else:
        flash(
            _(
                "Double authentification de %(name)s réinitialisée : ses sessions sont fermées.",
                name=user.full_name,
            ),
            "success",
        )
    return redirect(url_for("agent.team"))
