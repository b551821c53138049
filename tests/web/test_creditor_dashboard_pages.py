"""The dashboard on the creditor's home and, per creditor, in the back-office: tables beside the
charts, exports of the creditor's own figures only, an empty state for a new creditor."""

import csv
import io
from datetime import date

import pytest
from openpyxl import load_workbook

from app.extensions import db
from app.services import casework, payments
from tests import factories
from tests.helpers import page_text


@pytest.fixture
def dupont_case(people, today, rates_to_date, frozen_today):
    """Dupont: 1,200.00 due 01/07/2026, 300.00 paid on 10/11. Martin: 77,777.77 due the same
    day, 5,555.55 paid (its figures must never show on Dupont's pages)."""
    case = factories.make_case(
        people.creditor_user,
        invoices=[factories.invoice("F-1", 120_000, issued=date(2026, 6, 1), days=30)],
        today=today,
    )
    casework.accept_case(people.agent, case, today=today)
    payments.record_payment(
        people.agent,
        case,
        amount_cents=30_000,
        received_on=date(2026, 11, 10),
        method="transfer",
        today=today,
    )
    other = factories.make_case(
        people.other_creditor_user,
        invoices=[factories.invoice("M-1", 7_777_777, issued=date(2026, 6, 1), days=30)],
        today=today,
    )
    casework.accept_case(people.agent, other, today=today)
    payments.record_payment(
        people.agent,
        other,
        amount_cents=555_555,
        received_on=date(2026, 11, 10),
        method="transfer",
        today=today,
    )
    db.session.commit()
    return case


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))


def test_the_home_page_shows_my_figures_with_a_table_beside_each_chart(people, login, dupont_case):
    response = login(people.creditor_user).get("/creancier/")
    text = page_text(response)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    for testid in ("chart-stages", "table-stages", "chart-ageing", "table-ageing"):
        assert f'data-testid="{testid}"' in html
    assert 'id="dashboard-data"' in html and 'type="application/json"' in html
    assert "vendor/chart.umd.min.js" in html and "dashboard.js" in html
    assert "Ancienneté des impayés" in text
    assert "900,00 €" in text  # still unpaid: 1,200.00 less 300.00, 145 days past due
    assert "25,0 %" in text  # recovery rate: 300 / 1,200
    assert "77 777,77" not in text and "5 555,55" not in text


def test_my_exports_hold_my_figures_only(people, login, dupont_case):
    client = login(people.creditor_user)
    response = client.get("/creancier/tableau-de-bord/anciennete.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = _rows(response.get_data(as_text=True))
    assert rows[0] == ["Retard depuis l'échéance", "Reste dû"]
    assert ["91 à 180 jours", "900,00"] in rows
    summary = client.get("/creancier/tableau-de-bord/synthese.xlsx")
    assert summary.status_code == 200
    sheet = load_workbook(io.BytesIO(summary.data)).active
    values = {row[0]: row[1] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert values["Créancier"] == "Boulangerie Dupont SAS"
    assert float(values["Montant transmis"]) == 1200.0
    assert float(values["Recouvré (paiements non annulés)"]) == 300.0


def test_an_unknown_table_or_format_is_not_found(people, login, dupont_case):
    client = login(people.creditor_user)
    assert client.get("/creancier/tableau-de-bord/autre.csv").status_code == 404
    assert client.get("/creancier/tableau-de-bord/synthese.pdf").status_code == 404


def test_a_creditor_whose_name_looks_like_a_formula_exports_it_as_text(people, login, dupont_case):
    people.creditor.legal_name = '=HYPERLINK("http://evil.example","Cliquez")'
    db.session.commit()
    client = login(people.creditor_user)
    rows = _rows(client.get("/creancier/tableau-de-bord/synthese.csv").get_data(as_text=True))
    assert ["Créancier", '\'=HYPERLINK("http://evil.example","Cliquez")'] in rows
    sheet = load_workbook(
        io.BytesIO(client.get("/creancier/tableau-de-bord/synthese.xlsx").data)
    ).active
    assert sheet["B2"].value.startswith("'=")
    assert sheet["B2"].data_type == "s"


def test_the_back_office_page_of_a_creditor_shows_that_creditor_only(people, login, dupont_case):
    client = login(people.agent)
    response = client.get(f"/agence/creanciers/{people.creditor.id}/tableau-de-bord")
    text = page_text(response)
    assert response.status_code == 200
    assert "Boulangerie Dupont SAS" in text
    assert "900,00 €" in text
    assert "Garage Martin SARL" not in text
    assert "77 777,77" not in text and "5 555,55" not in text
    other = page_text(client.get(f"/agence/creanciers/{people.other_creditor.id}/tableau-de-bord"))
    assert "77 777,77 €" in other and "900,00 €" not in other
    export = client.get(f"/agence/creanciers/{people.creditor.id}/tableau-de-bord/etapes.csv")
    rows = _rows(export.get_data(as_text=True))
    assert ["Amiable", "1", "900,00"] in rows
    assert not any("77777" in ";".join(r) or "77 777" in ";".join(r) for r in rows)


def test_the_back_office_links_a_creditor_to_its_dashboard(people, login, dupont_case):
    page = login(people.agent).get(f"/agence/dossiers/{dupont_case.reference}")
    assert f"/agence/creanciers/{people.creditor.id}/tableau-de-bord" in page.get_data(as_text=True)


def test_the_agency_itself_or_an_unknown_id_has_no_dashboard(people, login, frozen_today):
    client = login(people.supervisor)
    assert client.get(f"/agence/creanciers/{people.agency.id}/tableau-de-bord").status_code == 404
    assert client.get("/agence/creanciers/999999/tableau-de-bord").status_code == 404


def test_a_new_creditor_sees_an_empty_state_instead_of_charts(people, login, frozen_today):
    response = login(people.creditor_user).get("/creancier/")
    html = response.get_data(as_text=True)
    # The home page's own invitation to hand over a first case stands for the dashboard there.
    assert 'data-testid="empty-state"' in html
    assert "chart.umd.min.js" not in html and "dashboard-data" not in html


def test_the_back_office_says_a_new_creditor_has_no_figures_yet(people, login, frozen_today):
    staff = login(people.agent).get(f"/agence/creanciers/{people.creditor.id}/tableau-de-bord")
    assert 'data-testid="dashboard-empty"' in staff.get_data(as_text=True)
    assert "apparaîtront ici dès le premier dossier" in page_text(staff)
