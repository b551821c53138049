"""Agents' notes: internal unless the agent chooses to show them to the creditor."""

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent
from app.services import access, casework
from app.services.errors import Forbidden, ValidationFailed
from tests import factories


def test_a_note_is_internal_by_default(people):
    case = factories.make_case(people.creditor_user)
    note = casework.add_note(people.agent, case, "  Débiteur agressif au téléphone.  ")
    assert note.text == "Débiteur agressif au téléphone."
    assert note.kind == "note" and note.actor_id == people.agent.id
    assert note in access.timeline_for(people.agent, case)
    assert note not in access.timeline_for(people.creditor_user, case)


def test_a_note_marked_visible_is_shown_to_the_creditor(people):
    case = factories.make_case(people.creditor_user)
    note = casework.add_note(people.agent, case, "Courrier envoyé.", visible_to_creditor=True)
    assert note in access.timeline_for(people.creditor_user, case)
    audit = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "case.note_added")
    ).one()
    assert audit.changes == {"visible_to_creditor": True}
    assert audit.case_id == case.id and audit.actor_id == people.agent.id


def test_an_empty_note_is_refused(people):
    case = factories.make_case(people.creditor_user)
    with pytest.raises(ValidationFailed) as error:
        casework.add_note(people.agent, case, "   ")
    assert error.value.errors == {"text": ["La note est vide."]}


def test_a_creditor_cannot_write_agency_notes(people):
    case = factories.make_case(people.creditor_user)
    with pytest.raises(Forbidden):
        casework.add_note(people.creditor_user, case, "Je veux voir les notes.")
    assert len(access.timeline_for(people.agent, case)) == 1
