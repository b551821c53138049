"""Who works a case: agents take one for themselves, supervisors hand cases out."""

from __future__ import annotations

import html

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent, TimelineEntry
from tests import factories


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


@pytest.fixture
def case(people, today):
    return factories.make_case(people.creditor_user, today=today)


def assign(client, case, agent_id):
    return client.post(
        f"/agence/dossiers/{case.reference}/attribution",
        data={"assign-agent_id": "" if agent_id is None else str(agent_id)},
    )


def assignments(case) -> list[TimelineEntry]:
    return list(
        db.session.scalars(
            sa.select(TimelineEntry).where(
                TimelineEntry.case_id == case.id, TimelineEntry.kind == "assigned"
            )
        )
    )


def test_an_agent_takes_a_case_and_it_moves_to_the_top_of_their_queue(people, login, client, case):
    login(people.agent)
    page = text(client.get(f"/agence/dossiers/{case.reference}"))
    assert "Je prends ce dossier" in page
    assert 'data-testid="assign-form"' not in page

    response = assign(client, case, people.agent.id)

    assert response.status_code == 302
    db.session.refresh(case)
    assert case.assigned_agent_id == people.agent.id
    [entry] = assignments(case)
    assert entry.data == {"agent": "Alice Agent"}
    assert db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "case.assigned")
    ).one().changes == {"assigned_agent_id": [None, people.agent.id]}
    page = text(client.get(response.headers["Location"]))
    assert "Dossier attribué à Alice Agent." in page
    assert "Remettre dans la file commune" in page
    assert text(client.get("/agence/?mine=1")).count('data-testid="case-row"') == 1


def test_an_agent_gives_a_case_back_to_the_pool(people, login, client, case):
    login(people.agent)
    assign(client, case, people.agent.id)
    response = assign(client, case, None)

    assert response.status_code == 302
    db.session.refresh(case)
    assert case.assigned_agent_id is None
    assert "Dossier remis dans la file commune." in text(client.get(response.headers["Location"]))


def test_an_agent_cannot_assign_a_case_to_someone_else(people, login, client, case):
    login(people.agent)
    response = assign(client, case, people.other_agent.id)

    assert response.status_code == 403
    db.session.refresh(case)
    assert case.assigned_agent_id is None
    assert assignments(case) == []


def test_a_supervisor_assigns_a_case_to_an_agent(people, login, client, case):
    login(people.supervisor)
    page = text(client.get(f"/agence/dossiers/{case.reference}"))
    assert 'data-testid="assign-form"' in page and ">Bruno Agent</option>" in page

    response = assign(client, case, people.other_agent.id)

    assert response.status_code == 302
    db.session.refresh(case)
    assert case.assigned_agent_id == people.other_agent.id
    page = text(client.get(response.headers["Location"]))
    assert "Dossier attribué à Bruno Agent." in page


def test_a_supervisor_cannot_assign_a_case_to_a_creditor_user(people, login, client, case):
    login(people.supervisor)
    response = assign(client, case, people.creditor_user.id)

    assert response.status_code == 422
    assert "choix valide" in text(response)
    db.session.refresh(case)
    assert case.assigned_agent_id is None
