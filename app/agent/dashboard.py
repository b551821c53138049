"""A creditor's dashboard in the back-office, and the exports of its tables (agency staff)."""

from __future__ import annotations

from flask import render_template, url_for
from flask_login import current_user

from app import dashboard_view, web
from app.agent.routes import bp
from app.services import dashboard
from app.web import agency_required, or_404

TABLE = "any(" + ", ".join(dashboard_view.TABLES) + "):table"
FMT = "any(" + ", ".join(dashboard_view.FORMATS) + "):fmt"
bp.add_app_template_global(dashboard_view.cell, "dashboard_cell")


@bp.route("/creanciers/<int:creditor_id>/tableau-de-bord")
@agency_required
def creditor_dashboard(creditor_id: int):
    figures = or_404(dashboard.for_agency, current_user, creditor_id, web.today())
    return render_template(
        "agent/creditor_dashboard.html",
        **dashboard_view.context(
            figures,
            lambda table, fmt: url_for(
                "agent.creditor_dashboard_export", creditor_id=creditor_id, table=table, fmt=fmt
            ),
        ),
    )


@bp.route(f"/creanciers/<int:creditor_id>/tableau-de-bord/<{TABLE}>.<{FMT}>")
@agency_required
def creditor_dashboard_export(creditor_id: int, table: str, fmt: str):
    figures = or_404(dashboard.for_agency, current_user, creditor_id, web.today())
    return dashboard_view.export(figures, table, fmt, f"tableau-de-bord-{creditor_id}")
