"""The message thread of a case between the creditor and the agency."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent, Document
from app.services import access, messages
from app.services.errors import Forbidden, ValidationFailed
from app.services.intake import UploadInput
from tests import factories


def test_a_message_with_an_attachment_keeps_the_file_as_a_document_of_the_case(people):
    case = factories.make_case(people.creditor_user)
    message = messages.post_message(
        people.creditor_user,
        case,
        "  Voici le bon de livraison signé.  ",
        [UploadInput("livraison.pdf", factories.minimal_pdf(), "correspondence")],
    )
    [document] = db.session.scalars(
        sa.select(Document).where(Document.original_name == "livraison.pdf")
    ).all()
    assert message.body == "Voici le bon de livraison signé."
    assert message.side == "creditor"
    assert message.document_ids == [document.id]
    assert document.case_id == case.id
    assert [m.id for m in messages.thread(people.agent, case)] == [message.id]
    entry = access.timeline_for(people.creditor_user, case)[0]
    assert (entry.kind, entry.data["attachments"]) == ("message_posted", 1)
    assert db.session.scalar(
        sa.select(AuditEvent.id).where(
            AuditEvent.action == "message.posted", AuditEvent.entity_id == message.id
        )
    )


def test_an_empty_or_overlong_message_is_refused(people):
    case = factories.make_case(people.creditor_user)
    with pytest.raises(ValidationFailed) as empty:
        messages.post_message(people.agent, case, "   ")
    assert "body" in empty.value.errors
    with pytest.raises(ValidationFailed) as long:
        messages.post_message(people.agent, case, "x" * (messages.MAX_BODY + 1))
    assert "body" in long.value.errors
    assert messages.thread(people.agent, case) == []


def test_a_forbidden_file_type_is_refused_and_nothing_is_posted(people):
    case = factories.make_case(people.creditor_user)
    with pytest.raises(ValidationFailed) as refused:
        messages.post_message(
            people.creditor_user, case, "Le script", [UploadInput("x.exe", b"MZ\x90\x00", "other")]
        )
    assert "files" in refused.value.errors
    assert messages.thread(people.creditor_user, case) == []


def test_another_creditor_can_neither_read_nor_write_in_the_thread(people):
    case = factories.make_case(people.creditor_user)
    with pytest.raises(Forbidden):
        messages.post_message(people.other_creditor_user, case, "Bonjour")
    with pytest.raises(Forbidden):
        messages.thread(people.other_creditor_user, case)
    assert messages.unread_counts(people.other_creditor_user) == {}


def test_unread_counts_go_up_with_the_other_sides_messages_and_to_zero_once_read(people):
    case = factories.make_case(people.creditor_user)
    other = factories.make_case(people.creditor_user, debtor=factories.debtor_input("Autre SARL"))
    messages.post_message(people.agent, case, "Le débiteur conteste la facture F-1.")
    messages.post_message(people.agent, case, "Avez-vous le bon de commande ?")
    messages.post_message(people.supervisor, other, "Dossier reçu.")
    assert messages.unread_counts(people.creditor_user) == {case.id: 2, other.id: 1}
    assert messages.unread_total(people.creditor_admin) == 3
    # Its own messages are never unread for the agency.
    assert messages.unread_counts(people.agent) == {}

    messages.mark_read(people.creditor_user, case)
    assert messages.unread_counts(people.creditor_user) == {other.id: 1}
    # Each user has their own marker.
    assert messages.unread_total(people.creditor_admin) == 3

    messages.post_message(people.creditor_user, case, "Le voici.")
    assert messages.unread_counts(people.agent) == {case.id: 1}
    messages.mark_read(people.agent, case)
    assert messages.unread_total(people.agent) == 0
