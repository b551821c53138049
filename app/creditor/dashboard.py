"""The creditor's dashboard on the portal home (templates/creditor/_dashboard.html) and the
exports of its tables, always of the user's own organisation."""

from __future__ import annotations

from flask import url_for
from flask_login import current_user

from app import dashboard_view, web
from app.creditor.routes import bp
from app.services import dashboard
from app.web import creditor_required

TABLE = "any(" + ", ".join(dashboard_view.TABLES) + "):table"
FMT = "any(" + ", ".join(dashboard_view.FORMATS) + "):fmt"
bp.add_app_template_global(dashboard_view.cell, "dashboard_cell")


@bp.app_template_global("creditor_dashboard")
def creditor_dashboard(figures: dashboard.Dashboard | None = None) -> dict:
    """Called by the home page's partial with the figures the page built (else built here)."""
    if figures is None:
        figures = dashboard.for_user(current_user, web.today())
    return dashboard_view.context(
        figures, lambda table, fmt: url_for("creditor.dashboard_export", table=table, fmt=fmt)
    )


@bp.route(f"/tableau-de-bord/<{TABLE}>.<{FMT}>")
@creditor_required
def dashboard_export(table: str, fmt: str):
    figures = dashboard.for_user(current_user, web.today())
    return dashboard_view.export(figures, table, fmt, "tableau-de-bord")
