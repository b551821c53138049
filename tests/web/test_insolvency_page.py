"""The collective-procedures page: import BODACC, enter a procedure, follow declarations."""

from __future__ import annotations

import io
import re
from datetime import date
from pathlib import Path

import sqlalchemy as sa

from app.extensions import db
from app.models import Case, ClaimDeclaration
from tests.helpers import page_text

DATA = Path(__file__).resolve().parents[1] / "data"


def visible(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page_text(response)))


def test_a_supervisor_imports_bodacc_then_marks_the_claim_declared(
    login, people, amicable_case, frozen_today
):
    client = login(people.supervisor)
    response = client.post(
        "/agence/procedures-collectives/bodacc",
        data={"file": (io.BytesIO((DATA / "bodacc_procedures.csv").read_bytes()), "bodacc.csv")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    text = visible(response)
    assert "1 procédure(s) ouverte(s), 1 dossier(s) arrêté(s), 1 SIREN inconnu(s)" in text
    assert "Liquidation judiciaire — SIREN 732829320" in text
    assert db.session.get(Case, amicable_case.id).stage == "insolvency"

    declaration = db.session.scalars(sa.select(ClaimDeclaration)).one()
    response = client.post(
        f"/agence/declarations/{declaration.id}",
        data={"status": "filed", "on": "2026-11-23"},
        follow_redirects=True,
    )
    assert "Déclaration mise à jour." in visible(response)
    db.session.expire_all()
    assert declaration.status == "filed" and declaration.filed_on == date(2026, 11, 23)


def test_a_procedure_entered_with_bad_dates_is_refused_and_keeps_what_was_typed(
    login, people, amicable_case, frozen_today
):
    response = login(people.supervisor).post(
        "/agence/procedures-collectives",
        data={
            "siren": "732 829 320",
            "kind": "redressement",
            "court": "Tribunal de commerce de Lyon",
            "judgment_date": "2026-11-20",
            "published_on": "2026-11-18",
            "mandataire_name": "SELARL MJ Synergie",
        },
    )
    assert response.status_code == 422
    text = visible(response)
    assert "La publication au BODACC ne peut pas précéder le jugement." in text
    assert "SELARL MJ Synergie" in page_text(response)
    assert db.session.get(Case, amicable_case.id).stage == "amicable"


def test_a_file_that_is_not_bodacc_is_refused_saying_why(login, people, frozen_today):
    response = login(people.supervisor).post(
        "/agence/procedures-collectives/bodacc",
        data={"file": (io.BytesIO(b"nom;montant\nDupont;12\n"), "clients.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "colonne « registre » absente" in page_text(response)


def test_an_agent_cannot_open_the_page(login, people):
    assert login(people.agent).get("/agence/procedures-collectives").status_code == 403
