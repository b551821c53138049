"""The supervisor's deadline board: the next deadline of every open court procedure."""

from __future__ import annotations

from flask import render_template, request
from flask_login import current_user

from app import web
from app.agent.routes import bp, manager_required
from app.services import judicial


@bp.route("/echeances")
@manager_required
def deadline_board():
    only_urgent = request.args.get("tout") != "1"
    today = web.today()
    return render_template(
        "agent/deadline_board.html",
        rows=judicial.deadline_board(current_user, today, only_urgent=only_urgent),
        only_urgent=only_urgent,
        today=today,
    )
