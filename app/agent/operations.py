"""The automation page for managers: queues, failed jobs, jobs kept while Redis was down, the
daily runs. Routes live here, on the agent blueprint, to keep routes.py to casework."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from flask_wtf import FlaskForm

from app import web
from app.agent.routes import bp, manager_required
from app.jobs import REDIS_ERRORS
from app.services import operations
from app.services.errors import NotFound


class ButtonForm(FlaskForm):
    """A button: the CSRF token is the whole form."""


@bp.route("/automatisation")
@manager_required
def operations_page():
    return render_template(
        "agent/operations.html",
        overview=operations.overview(web.today()),
        form=ButtonForm(),
    )


@bp.route("/automatisation/echecs/<job_id>/relancer", methods=["POST"])
@manager_required
def retry_failed_job(job_id: str):
    if not ButtonForm().validate():
        abort(400)
    try:
        task = operations.retry_failed_job(current_user, job_id)
    except NotFound:
        flash(_("Cette tâche n'est plus en échec : déjà relancée ou expirée."), "warning")
    except REDIS_ERRORS:
        flash(_("Redis est indisponible : la tâche n'a pas pu être relancée."), "danger")
    else:
        flash(_("Tâche %(task)s relancée : un worker va l'exécuter.", task=task), "success")
    return redirect(url_for("agent.operations_page"))


@bp.route("/automatisation/en-attente/relancer", methods=["POST"])
@manager_required
def flush_pending_jobs():
    if not ButtonForm().validate():
        abort(400)
    result = operations.flush_now(current_user)
    if result.enqueued:
        flash(
            ngettext(
                "%(num)d tâche mise en file.", "%(num)d tâches mises en file.", result.enqueued
            ),
            "success",
        )
    if result.still_waiting:
        flash(
            ngettext(
                "Redis ne répond toujours pas : %(num)d tâche reste en attente.",
                "Redis ne répond toujours pas : %(num)d tâches restent en attente.",
                result.still_waiting,
            ),
            "warning",
        )
    elif not result.enqueued:
        flash(_("Aucune tâche en attente de Redis."), "info")
    return redirect(url_for("agent.operations_page"))
