"""Adding supporting documents to a case after it was submitted."""

from pathlib import Path

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent, Document, TimelineEntry
from app.services import access, intake
from app.services.errors import ValidationFailed
from tests import factories


def _stored_files(app) -> set[Path]:
    root = Path(app.config["UPLOAD_DIR"])
    return {p for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def test_documents_added_later_join_the_case_and_show_in_the_creditors_timeline(people):
    case = factories.make_case(people.creditor_user)
    documents = intake.add_documents(
        people.creditor_user,
        case,
        [
            intake.UploadInput("bon de commande.pdf", factories.minimal_pdf(), "purchase_order"),
            intake.UploadInput("livraison.png", factories.minimal_png(), "delivery_note"),
        ],
    )
    assert [d.original_name for d in case.documents] == ["bon de commande.pdf", "livraison.png"]
    assert [d.kind for d in documents] == ["purchase_order", "delivery_note"]
    entry = access.timeline_for(people.creditor_user, case)[0]
    assert entry.kind == "documents_added"
    assert entry.data == {"names": ["bon de commande.pdf", "livraison.png"]}
    audited = db.session.scalars(
        sa.select(AuditEvent.changes).where(AuditEvent.action == "document.added")
    ).all()
    assert [a["name"] for a in audited] == ["bon de commande.pdf", "livraison.png"]


def test_an_agent_can_add_a_document_to_a_case(people):
    case = factories.make_case(people.creditor_user)
    intake.add_documents(
        people.agent, case, [intake.UploadInput("relance.pdf", factories.minimal_pdf(), "other")]
    )
    assert case.documents[0].uploaded_by_id == people.agent.id


def test_it_asks_for_at_least_one_file(people):
    case = factories.make_case(people.creditor_user)
    with pytest.raises(ValidationFailed) as error:
        intake.add_documents(people.creditor_user, case, [])
    assert error.value.errors == {"uploads": ["Choisissez au moins un fichier."]}


def test_one_bad_file_means_none_is_stored(app, people):
    case = factories.make_case(people.creditor_user)
    before = _stored_files(app)
    with pytest.raises(ValidationFailed) as error:
        intake.add_documents(
            people.creditor_user,
            case,
            [
                intake.UploadInput("ok.pdf", factories.minimal_pdf(), "other"),
                intake.UploadInput("faux.pdf", factories.minimal_png(), "other"),
            ],
        )
    assert error.value.errors == {
        "uploads.1": ["« faux.pdf » ne correspond pas à son extension .pdf."]
    }
    assert _stored_files(app) == before
    assert db.session.scalar(sa.select(sa.func.count(Document.id))) == 0
    kinds = db.session.scalars(sa.select(TimelineEntry.kind)).all()
    assert kinds == ["submitted"]


def test_stored_files_are_deleted_when_the_commit_fails(app, people, monkeypatch):
    case = factories.make_case(people.creditor_user)
    before = _stored_files(app)

    def broken_commit():
        raise sa.exc.OperationalError("COMMIT", {}, Exception("database went away"))

    monkeypatch.setattr(db.session, "commit", broken_commit)
    with pytest.raises(sa.exc.OperationalError):
        intake.add_documents(
            people.creditor_user,
            case,
            [intake.UploadInput("a.pdf", factories.minimal_pdf(), "other")],
        )
    monkeypatch.undo()
    assert _stored_files(app) == before
    assert db.session.scalar(sa.select(sa.func.count(Document.id))) == 0
