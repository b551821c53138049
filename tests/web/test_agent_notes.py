"""An agent adds a note to a case, internal or shown to the creditor."""

from __future__ import annotations

import html
import re

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent, TimelineEntry
from app.services import access
from tests import factories


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


@pytest.fixture
def case(people, today):
    return factories.make_case(people.creditor_user, today=today)


def notes(case) -> list[TimelineEntry]:
    return list(
        db.session.scalars(
            sa.select(TimelineEntry).where(
                TimelineEntry.case_id == case.id, TimelineEntry.kind == "note"
            )
        )
    )


def test_an_internal_note_is_saved_shown_and_audited(people, login, client, case):
    login(people.agent)
    response = client.post(
        f"/agence/dossiers/{case.reference}/notes",
        data={"note-text": "  Débiteur en congés jusqu'au 1er décembre.  "},
    )

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/agence/dossiers/{case.reference}")
    [note] = notes(case)
    assert note.text == "Débiteur en congés jusqu'au 1er décembre."
    assert note.actor_id == people.agent.id
    assert note.visible_to_creditor is False
    audit = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "case.note_added")
    ).one()
    assert audit.case_id == case.id and audit.actor_id == people.agent.id

    page = text(client.get(response.headers["Location"]))
    assert "Note ajoutée." in page
    assert "Débiteur en congés jusqu'au 1er décembre." in page
    # Internal: the creditor's timeline does not carry it.
    assert note not in access.timeline_for(people.creditor_user, case)


def test_a_note_marked_visible_reaches_the_creditors_timeline(people, login, client, case):
    login(people.agent)
    client.post(
        f"/agence/dossiers/{case.reference}/notes",
        data={"note-text": "Relance envoyée.", "note-visible_to_creditor": "y"},
    )

    [note] = notes(case)
    assert note.visible_to_creditor is True
    assert note in access.timeline_for(people.creditor_user, case)


def test_an_empty_note_is_refused_next_to_the_field(people, login, client, case):
    login(people.agent)
    response = client.post(
        f"/agence/dossiers/{case.reference}/notes",
        data={"note-text": "   ", "note-visible_to_creditor": "y"},
    )

    assert response.status_code == 422
    page = text(response)
    assert "La note est vide." in page
    assert "L'action n'a pas été enregistrée." in page
    checkbox = re.search(r'<input[^>]*id="note-visible_to_creditor"[^>]*>', page).group(0)
    assert "checked" in checkbox
    assert notes(case) == []
    assert (
        db.session.scalar(
            sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.action == "case.note_added")
        )
        == 0
    )


def test_a_note_on_an_unknown_case_is_not_found(people, login, client):
    login(people.agent)
    response = client.post("/agence/dossiers/REC-2026-999999/notes", data={"note-text": "x"})
    assert response.status_code == 404


def test_a_creditor_cannot_post_an_agency_note(people, login, client, case):
    login(people.creditor_user)
    response = client.post(f"/agence/dossiers/{case.reference}/notes", data={"note-text": "x"})
    assert response.status_code == 403
    assert notes(case) == []
