"""A new case in intake: the agency accepts it (amicable) or returns it to the creditor."""

from __future__ import annotations

import html

import pytest
import sqlalchemy as sa

from app.domain import pipeline, roles
from app.extensions import db
from app.models import AuditEvent, TimelineEntry
from app.services import access
from tests import factories

pytestmark = pytest.mark.usefixtures("frozen_today")


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


@pytest.fixture
def case(people, today):
    return factories.make_case(people.creditor_user, today=today)


def stage_changes(case) -> list[TimelineEntry]:
    return list(
        db.session.scalars(
            sa.select(TimelineEntry).where(
                TimelineEntry.case_id == case.id, TimelineEntry.kind == "stage_changed"
            )
        )
    )


def test_an_agent_accepts_a_case_which_goes_amicable(people, login, client, case):
    login(people.agent)
    response = client.post(f"/agence/dossiers/{case.reference}/accepter")

    assert response.status_code == 302
    db.session.refresh(case)
    assert case.stage == pipeline.AMICABLE
    [entry] = stage_changes(case)
    assert entry.data["from"] == "intake" and entry.data["to"] == "amicable"
    assert entry.visible_to_creditor
    assert (
        db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.case_id == case.id)).all()[
            -1
        ]
        == "case.stage_changed"
    )
    page = text(client.get(response.headers["Location"]))
    assert "Dossier accepté" in page
    assert "Amiable" in page
    assert 'data-testid="intake-panel"' not in page


def test_a_case_whose_creditor_has_no_mandate_cannot_be_accepted(people, login, client, today):
    org = factories.make_org(name="Sans Mandat SARL", mandate=False)
    user = factories.make_user(org, roles.CREDITOR_USER, "compta@sansmandat.example")
    case = factories.make_case(user, today=today)

    login(people.agent)
    response = client.post(f"/agence/dossiers/{case.reference}/accepter")

    assert response.status_code == 422
    assert "Aucun mandat écrit signé n'est enregistré pour ce créancier" in text(response)
    db.session.refresh(case)
    assert case.stage == pipeline.INTAKE
    assert stage_changes(case) == []


def test_an_agent_returns_a_case_with_a_reason_the_creditor_sees(people, login, client, case):
    login(people.agent)
    page = text(client.get(f"/agence/dossiers/{case.reference}"))
    assert 'data-confirm="Renvoyer ce dossier au créancier ?"' in page

    response = client.post(
        f"/agence/dossiers/{case.reference}/renvoi",
        data={"return-return_reason": "incomplete", "return-note": "Joignez le contrat signé."},
    )

    assert response.status_code == 302
    db.session.refresh(case)
    assert case.stage == pipeline.RETURNED
    assert case.return_reason == "incomplete"
    assert case.return_note == "Joignez le contrat signé."
    [entry] = stage_changes(case)
    assert entry in access.timeline_for(people.creditor_user, case)
    assert entry.text == "Joignez le contrat signé."
    page = text(client.get(response.headers["Location"]))
    assert "Dossier renvoyé au créancier." in page
    assert "Dossier incomplet" in page


def test_returning_a_case_needs_a_reason(people, login, client, case):
    login(people.agent)
    response = client.post(
        f"/agence/dossiers/{case.reference}/renvoi",
        data={"return-return_reason": "", "return-note": "Il manque des pièces."},
    )

    assert response.status_code == 422
    page = text(response)
    assert "Indiquez le motif du renvoi au créancier." in page
    assert "Il manque des pièces." in page
    db.session.refresh(case)
    assert case.stage == pipeline.INTAKE


def test_returning_a_case_needs_a_message_for_the_creditor(people, login, client, case):
    login(people.agent)
    response = client.post(
        f"/agence/dossiers/{case.reference}/renvoi",
        data={"return-return_reason": "disputed", "return-note": " "},
    )

    assert response.status_code == 422
    assert "Indiquez la raison de ce changement d'étape." in text(response)
    db.session.refresh(case)
    assert case.stage == pipeline.INTAKE
    assert stage_changes(case) == []
