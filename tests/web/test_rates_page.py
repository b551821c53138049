"""The rate table in the back-office: every agency user reads it, managers add a semester."""

from __future__ import annotations

import html
import re
from datetime import date

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import InterestRate
from app.services import rates

pytestmark = pytest.mark.usefixtures("frozen_today")


def text(response) -> str:
    page = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    page = html.unescape(page).replace("\u202f", " ").replace("\xa0", " ")
    return " ".join(page.split())


def add(client, **fields):
    data = {"kind": "ecb", "semester": "2026-07-01", "rate": "2,15", "source": ""} | fields
    return client.post("/agence/taux", data=data)


def test_an_agent_reads_the_rates_by_semester_with_the_b2b_default_rate(
    people, login, client, published_rates
):
    login(people.agent)
    response = client.get("/agence/taux")
    page = text(response)

    assert response.status_code == 200
    assert "Semestre Taux BCE Pénalités B2B (BCE + 10) Taux légal, créancier particulier" in page
    assert "2024 S1 4,50 % 14,50 % 8,01 % 5,07 %" in page
    assert "2019 S1 0,00 % 10,00 % 3,40 % 0,86 %" in page
    assert page.index("2026 S1") < page.index("2025 S2")  # newest first
    assert 'data-testid="add-rate-form"' not in response.get_data(as_text=True)
    assert "Seuls les superviseurs et les administrateurs ajoutent des taux." in page


def test_a_banner_names_the_rates_missing_for_the_current_semester(
    people, login, client, published_rates
):
    login(people.agent)
    page = text(client.get("/agence/taux"))

    assert (
        "Taux manquants pour le semestre en cours (2026 S2) : taux BCE, taux légal (créancier "
        "particulier), taux légal (autres cas)." in page
    )
    assert "2026 S2 manquant manquant manquant manquant" in page


def test_the_nav_shows_the_rates_to_agency_staff_only(people, login, client):
    login(people.agent)
    assert 'href="/agence/taux"' in client.get("/agence/").get_data(as_text=True)
    client.post("/deconnexion")
    login(people.creditor_user)
    assert 'href="/agence/taux"' not in client.get("/creancier/").get_data(as_text=True)


def test_a_supervisor_adds_the_missing_semester_and_sees_it_in_the_table(
    people, login, client, published_rates
):
    login(people.supervisor)
    form_page = client.get("/agence/taux").get_data(as_text=True)
    # The form proposes the semester still incomplete.
    assert '<option selected value="2026-07-01">2026 S2</option>' in form_page

    response = add(client, source="Banque de France, communiqué du 1er juillet")
    assert response.status_code == 302
    page = text(client.get("/agence/taux"))

    assert "Taux enregistré : taux BCE, semestre 2026 S2, 2,15 %." in page
    assert "2026 S2 2,15 % 12,15 % manquant manquant" in page
    assert "taux légal (créancier particulier), taux légal (autres cas)." in page
    row = db.session.scalars(
        sa.select(InterestRate).where(InterestRate.semester_start == date(2026, 7, 1))
    ).one()
    assert (row.rate_bp, row.created_by_id) == (215, people.supervisor.id)
    assert row.source == "Banque de France, communiqué du 1er juillet"


def test_a_complete_semester_removes_the_banner(people, login, client, published_rates):
    for kind, bp in (("ecb", 215), ("legal_individual", 662), ("legal_other", 262)):
        rates.add_rate(people.admin, kind, date(2026, 7, 1), bp)
    login(people.admin)
    response = client.get("/agence/taux")

    assert 'data-testid="rates-missing"' not in response.get_data(as_text=True)
    assert '<option selected value="2027-01-01">2027 S1</option>' in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"rate": "2,155"}, "Un taux a au plus deux décimales."),
        ({"rate": "beaucoup"}, "Taux invalide : écrivez un pourcentage, par exemple 2,15."),
        ({"rate": "-1"}, "Un taux ne peut pas être négatif."),
        ({"rate": ""}, "Indiquez le taux."),
        ({"kind": ""}, "Choisissez le type de taux."),
        ({"semester": "2026-08-01"}, "Un semestre commence le 1er janvier ou le 1er juillet."),
    ],
)
def test_bad_input_is_refused_next_to_the_field_and_what_was_typed_stays(
    people, login, client, published_rates, fields, message
):
    login(people.admin)
    response = add(client, source="JO", **fields)

    assert response.status_code == 422
    assert message in text(response)
    assert 'value="JO"' in response.get_data(as_text=True)
    if "rate" in fields and fields["rate"]:
        assert f'value="{fields["rate"]}"' in response.get_data(as_text=True)
    assert rates.missing_kinds(date(2026, 11, 23)) == ["ecb", "legal_individual", "legal_other"]


def test_a_semester_already_entered_is_refused_and_the_rate_kept(
    people, login, client, published_rates
):
    login(people.admin)
    response = add(client, semester="2026-01-01", rate="3,00")

    assert response.status_code == 422
    assert (
        "Le taux BCE du semestre 2026 S1 est déjà enregistré : un taux publié ne se modifie pas."
        in text(response)
    )
    assert rates.rate_book().rate("ecb", date(2026, 1, 1)) == 215


def test_an_agent_cannot_add_a_rate(people, login, client, published_rates):
    login(people.agent)
    assert add(client).status_code == 403
    assert rates.missing_kinds(date(2026, 11, 23))[0] == "ecb"
