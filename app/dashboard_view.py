"""What the two dashboard pages (creditor portal, back-office) show and export: the same tables,
translated, and the charts' data drawn from them (no business rule here)."""

from __future__ import annotations

from decimal import Decimal

from flask import Response, abort
from flask_babel import format_date, format_decimal, get_locale, gettext

from app import exports, formatting, web
from app.domain import dashboard as figures
from app.services.dashboard import Dashboard

TABLES = ("etapes", "anciennete", "mois", "synthese")
FORMATS = ("csv", "xlsx")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _month(value) -> str:
    return format_date(value, "MMM yyyy" if str(get_locale()) == "en" else "MMMM yyyy")


def tables(dash: Dashboard) -> dict[str, exports.Table]:
    money = exports.Money
    stages = exports.Table(
        "etapes",
        gettext("Encours par étape"),
        [gettext("Étape"), gettext("Dossiers"), gettext("Reste dû")],
        [
            [formatting.stage_label(s.stage), s.cases, money(s.outstanding_cents)]
            for s in dash.stages
        ],
    )
    stages.rows.append(
        [gettext("Total"), sum(s.cases for s in dash.stages), money(dash.outstanding_cents)]
    )
    ageing = exports.Table(
        "anciennete",
        gettext("Ancienneté des impayés"),
        [gettext("Retard depuis l'échéance"), gettext("Reste dû")],
        [[gettext(label), money(dash.ageing[key])] for key, label, *_ in figures.AGEING_BUCKETS],
    )
    months = exports.Table(
        "mois",
        gettext("Recouvré par mois"),
        [
            gettext("Mois"),
            gettext("Recouvré"),
            gettext("Dossiers ayant payé"),
            gettext("Dossiers soldés"),
        ],
        [
            [_month(m.month), money(m.recovered_cents), m.cases_paying, m.cases_closed_paid]
            for m in dash.months
        ],
    )
    summary = exports.Table(
        "synthese",
        gettext("Synthèse"),
        [gettext("Indicateur"), gettext("Valeur")],
        [
            [gettext("Créancier"), dash.creditor.legal_name],
            [gettext("Dossiers transmis"), dash.total_cases],
            [gettext("Montant transmis"), money(dash.handed_over_cents)],
            [gettext("Recouvré (paiements non annulés)"), money(dash.recovered_cents)],
            [gettext("Taux de recouvrement (%)"), dash.recovery_rate],
            [gettext("Dossiers soldés"), dash.closed_paid_cases],
            [gettext("Délai moyen de recouvrement (jours)"), dash.average_days_to_recover],
            [gettext("Reversé"), money(dash.remitted_cents)],
            [gettext("Reste à reverser"), money(dash.to_remit_cents)],
        ],
    )
    return {t.key: t for t in (stages, ageing, months, summary)}


def charts(dash: Dashboard, by_key: dict[str, exports.Table]) -> dict:
    """The charts' data, read by static/dashboard.js from a JSON block (amounts in cents)."""
    return {
        "currency": "EUR",
        "locale": str(get_locale()),
        "stages": {
            "labels": [row[0] for row in by_key["etapes"].rows[:-1]],
            "series": [
                {"label": gettext("Reste dû"), "values": [s.outstanding_cents for s in dash.stages]}
            ],
        },
        "ageing": {
            "labels": [row[0] for row in by_key["anciennete"].rows],
            "series": [
                {
                    "label": gettext("Reste dû"),
                    "values": [dash.ageing[key] for key, *_ in figures.AGEING_BUCKETS],
                }
            ],
        },
        "months": {
            "labels": [row[0] for row in by_key["mois"].rows],
            "series": [
                {"label": gettext("Recouvré"), "values": [m.recovered_cents for m in dash.months]}
            ],
        },
    }


def context(dash: Dashboard, export_url) -> dict:
    """What templates/_dashboard_body.html needs; `export_url(table, fmt)` builds a link."""
    by_key = tables(dash)
    return {
        "dash": dash,
        "tables": by_key,
        "charts": charts(dash, by_key),
        "export_url": export_url,
    }


def export(dash: Dashboard, table: str, fmt: str, stem: str) -> Response:
    if table not in TABLES or fmt not in FORMATS:
        abort(404)
    chosen = tables(dash)[table]
    filename = f"{stem}-{table}.{fmt}"
    if fmt == "csv":
        return web.csv_download(exports.table_csv(chosen), filename)
    return Response(
        exports.table_xlsx(chosen),
        mimetype=XLSX_TYPE,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
        },
    )


def cell(value) -> str:
    """A table cell as the page shows it, in the user's locale."""
    if value is None:
        return "—"
    if isinstance(value, exports.Money):
        return formatting.money(value.cents)
    if isinstance(value, Decimal):
        return format_decimal(value, format="#,##0.0")
    if isinstance(value, int):
        return format_decimal(value)
    return str(value)
