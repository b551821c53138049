import hashlib
import re
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.domain import pipeline
from app.extensions import db
from app.models import AuditEvent, Case, Debtor, DebtorIdentity, Document, TimelineEntry
from app.services import intake
from app.services.errors import Forbidden, ValidationFailed
from tests import factories


def test_a_creditor_submits_a_case_that_lands_in_intake_with_a_reference(people, today):
    case = factories.make_case(
        people.creditor_user,
        invoices=[factories.invoice("F1", 100_000), factories.invoice("F2", 50_050, paid_cents=50)],
        uploads=[intake.UploadInput("facture.pdf", factories.minimal_pdf(), "invoice")],
        today=today,
    )
    assert case.stage == pipeline.INTAKE
    assert case.reference == f"REC-2026-{case.id:06d}"
    assert case.creditor_id == people.creditor.id
    assert case.claim_cents == 150_000
    assert [d.original_name for d in case.documents] == ["facture.pdf"]
    assert case.debtor.phones == ["+33472000000"]
    kinds = db.session.scalars(
        sa.select(TimelineEntry.kind).where(TimelineEntry.case_id == case.id)
    )
    assert list(kinds) == ["submitted"]
    audit = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.case_id == case.id)).one()
    assert audit.action == "case.submitted" and audit.actor_id == people.creditor_user.id


def test_it_saves_nothing_when_one_invoice_row_is_bad(people, today):
    bad = factories.invoice("F2", 0)
    with pytest.raises(ValidationFailed) as error:
        factories.make_case(people.creditor_user, invoices=[factories.invoice("F1"), bad])
    assert "invoices.1.amount" in error.value.errors
    assert db.session.scalar(sa.select(sa.func.count(Case.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(Debtor.id))) == 0


def test_the_same_siren_at_two_creditors_is_two_debtors_sharing_one_identity(people):
    first = factories.make_case(people.creditor_user)
    second = factories.make_case(people.other_creditor_user)
    assert first.debtor_id != second.debtor_id
    assert first.debtor.identity_id == second.debtor.identity_id
    assert db.session.scalar(sa.select(sa.func.count(DebtorIdentity.id))) == 1


def test_a_creditor_cannot_file_a_case_against_another_creditors_debtor(people):
    theirs = factories.make_case(people.other_creditor_user)
    with pytest.raises(ValidationFailed) as error:
        intake.submit_case(
            people.creditor_user,
            debtor_id=theirs.debtor_id,
            invoices=[factories.invoice()],
            today=date(2026, 11, 23),
        )
    assert "debtor_id" in error.value.errors


def _stored_files(app) -> set[Path]:
    root = Path(app.config["UPLOAD_DIR"])
    return {p for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def _document_path(app, document) -> Path:
    return (
        Path(app.config["UPLOAD_DIR"]).resolve() / document.storage_key[:2] / document.storage_key
    )


def test_a_new_debtor_is_created_with_its_contacts_normalised(people, today):
    debtor = intake.DebtorInput(
        kind="company",
        name=" Client Mauvais Payeur SARL ",
        siren="732 829 320",
        address_line1="12 avenue des Champs",
        postal_code="69001",
        city="Lyon",
        country="fr",
        emails=["Compta@Client.EXAMPLE", " "],
        phones=["06 12 34 56 78", ""],
    )
    case = factories.make_case(people.creditor_user, debtor=debtor, today=today)
    assert case.debtor.creditor_id == people.creditor.id
    assert case.debtor.name == "Client Mauvais Payeur SARL"
    assert case.debtor.siren == factories.VALID_SIRENS[0]
    assert case.debtor.country == "FR"
    assert case.debtor.emails == ["compta@client.example"]
    assert case.debtor.phones == ["+33612345678"]


def test_a_second_case_against_a_debtor_of_mine_reuses_that_debtor(people, today):
    first = factories.make_case(people.creditor_user, today=today)
    second = intake.submit_case(
        people.creditor_admin,
        debtor_id=first.debtor_id,
        invoices=[factories.invoice("F-2026-002")],
        today=today,
    )
    assert second.debtor_id == first.debtor_id
    assert second.reference != first.reference
    assert db.session.scalar(sa.select(sa.func.count(Debtor.id))) == 1
    assert db.session.scalar(sa.select(sa.func.count(DebtorIdentity.id))) == 1


def test_debtors_with_different_sirens_get_different_identities(people):
    first = factories.make_case(people.creditor_user)
    second = factories.make_case(
        people.creditor_user, debtor=factories.debtor_input("Autre SA", factories.VALID_SIRENS[1])
    )
    assert first.debtor.identity_id != second.debtor.identity_id
    assert second.debtor.identity.siren == factories.VALID_SIRENS[1]


def test_an_individual_debtor_needs_no_siren_and_has_no_identity(people):
    debtor = intake.DebtorInput(
        kind="individual",
        name="Jean Martin",
        address_line1="3 rue Basse",
        postal_code="13001",
        city="Marseille",
    )
    case = factories.make_case(people.creditor_user, debtor=debtor)
    assert case.debtor.siren is None and case.debtor.identity is None


def test_it_reports_every_debtor_problem_at_once(people):
    debtor = intake.DebtorInput(kind="company", name=" ", siren="732829321", phones=["12"])
    with pytest.raises(ValidationFailed) as error:
        factories.make_case(people.creditor_user, debtor=debtor)
    assert error.value.errors["debtor.siren"] == [
        "SIREN invalide : 9 chiffres attendus avec une clé de contrôle correcte."
    ]
    assert error.value.errors["debtor.name"] == ["Indiquez le nom du débiteur."]
    assert error.value.errors["debtor.address"] == ["Indiquez l'adresse postale complète."]
    assert error.value.errors["debtor.phones"] == ["12 : Numéro de téléphone invalide."]


def test_a_company_debtor_needs_a_siren(people):
    with pytest.raises(ValidationFailed) as error:
        factories.make_case(people.creditor_user, debtor=factories.debtor_input(siren=""))
    assert error.value.errors["debtor.siren"] == ["Indiquez le SIREN de l'entreprise."]


def test_it_refuses_a_case_without_debtor_or_invoice(people, today):
    with pytest.raises(ValidationFailed) as error:
        intake.submit_case(people.creditor_user, invoices=[], today=today)
    assert error.value.errors["debtor"] == ["Choisissez ou créez un débiteur."]
    assert error.value.errors["invoices"] == ["Ajoutez au moins une facture."]


def test_it_names_an_invoice_number_typed_twice_as_the_user_typed_it(people):
    invoices = [factories.invoice("FA-12"), factories.invoice("fa-12 ")]
    with pytest.raises(ValidationFailed) as error:
        factories.make_case(people.creditor_user, invoices=invoices)
    assert error.value.errors["invoices"] == ["La facture FA-12 apparaît deux fois."]


def test_agency_staff_must_name_the_creditor_of_the_case(people, today):
    with pytest.raises(Forbidden):
        factories.make_case(people.agent, today=today)
    case = intake.submit_case(
        people.agent,
        creditor_id=people.creditor.id,
        debtor=factories.debtor_input(),
        invoices=[factories.invoice()],
        today=today,
    )
    assert case.creditor_id == people.creditor.id
    assert case.debtor.creditor_id == people.creditor.id


def test_an_upload_is_stored_under_a_random_name_and_keeps_its_name_for_display(app, people):
    pdf = factories.minimal_pdf()
    case = factories.make_case(
        people.creditor_user,
        uploads=[
            intake.UploadInput("Facture Mars.pdf", pdf, "invoice"),
            intake.UploadInput("Facture Mars.pdf", pdf, "invoice"),
        ],
    )
    first, second = case.documents
    assert first.original_name == "Facture Mars.pdf"
    assert first.content_type == "application/pdf"
    assert first.size_bytes == len(pdf)
    assert first.sha256 == hashlib.sha256(pdf).hexdigest()
    assert first.uploaded_by_id == people.creditor_user.id
    assert re.fullmatch(r"[0-9a-f]{32}", first.storage_key)
    assert first.storage_key != second.storage_key
    path = _document_path(app, first)
    assert path.read_bytes() == pdf
    assert path.name == first.storage_key
    assert not [p for p in _stored_files(app) if "Facture" in p.name]


def test_a_path_in_the_filename_is_dropped_and_the_file_stays_in_the_upload_folder(app, people):
    upload_dir = Path(app.config["UPLOAD_DIR"]).resolve()
    case = factories.make_case(
        people.creditor_user,
        uploads=[
            intake.UploadInput("../../etc/passwd.pdf", factories.minimal_pdf(), "other"),
            intake.UploadInput("..\\..\\boot.ini.png", factories.minimal_png(), "other"),
        ],
    )
    assert [d.original_name for d in case.documents] == ["passwd.pdf", "boot.ini.png"]
    for document in case.documents:
        assert _document_path(app, document).is_relative_to(upload_dir)
        assert _document_path(app, document).exists()
    assert not (upload_dir / "../../etc/passwd.pdf").resolve().exists()
    assert not (upload_dir.parent / "passwd.pdf").exists()


def test_files_already_stored_are_deleted_when_the_database_commit_fails(app, people, monkeypatch):
    before = _stored_files(app)

    def broken_commit():
        raise sa.exc.OperationalError("COMMIT", {}, Exception("database went away"))

    monkeypatch.setattr(db.session, "commit", broken_commit)
    with pytest.raises(sa.exc.OperationalError):
        factories.make_case(
            people.creditor_user,
            uploads=[
                intake.UploadInput("a.pdf", factories.minimal_pdf(), "invoice"),
                intake.UploadInput("b.png", factories.minimal_png(), "other"),
            ],
        )
    monkeypatch.undo()
    assert _stored_files(app) == before
    assert db.session.scalar(sa.select(sa.func.count(Case.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(Document.id))) == 0


@pytest.mark.parametrize(
    ("filename", "data", "message"),
    [
        (
            "facture.pdf",
            factories.minimal_png(),
            "« facture.pdf » ne correspond pas à son extension .pdf.",
        ),
        (
            "photo.png",
            factories.minimal_pdf(),
            "« photo.png » ne correspond pas à son extension .png.",
        ),
        ("vide.pdf", b"", "« vide.pdf » est vide."),
        (
            "script.exe",
            b"MZ\x90\x00",
            "« script.exe » : type de fichier non accepté (PDF, PNG, JPEG, DOCX ou XLSX).",
        ),
        (
            "contrat.docx",
            factories.minimal_pdf(),
            "« contrat.docx » ne correspond pas à son extension .docx.",
        ),
    ],
    ids=["png named pdf", "pdf named png", "empty", "executable", "pdf named docx"],
)
def test_it_rejects_a_file_that_is_empty_or_not_what_its_name_says(
    app, people, filename, data, message
):
    before = _stored_files(app)
    with pytest.raises(ValidationFailed) as error:
        factories.make_case(
            people.creditor_user,
            uploads=[
                intake.UploadInput("bon.pdf", factories.minimal_pdf(), "invoice"),
                intake.UploadInput(filename, data, "invoice"),
            ],
        )
    assert error.value.errors == {"uploads.1": [message]}
    assert _stored_files(app) == before
    assert db.session.scalar(sa.select(sa.func.count(Case.id))) == 0


def test_it_rejects_a_file_over_10_mb(app, people):
    pdf = factories.minimal_pdf()
    too_big = pdf + b"\0" * (10 * 1024 * 1024 - len(pdf) + 1)
    with pytest.raises(ValidationFailed) as error:
        factories.make_case(
            people.creditor_user, uploads=[intake.UploadInput("gros.pdf", too_big, "invoice")]
        )
    assert error.value.errors == {
        "uploads.0": ["« gros.pdf » dépasse la taille maximale de 10 Mo."]
    }


def test_it_accepts_a_file_of_exactly_10_mb(app, people):
    pdf = factories.minimal_pdf()
    just_fits = pdf + b"\0" * (10 * 1024 * 1024 - len(pdf))
    case = factories.make_case(
        people.creditor_user, uploads=[intake.UploadInput("juste.pdf", just_fits, "invoice")]
    )
    assert case.documents[0].size_bytes == 10 * 1024 * 1024
    _document_path(app, case.documents[0]).unlink()


def test_it_rejects_an_unknown_document_kind(people):
    with pytest.raises(ValidationFailed) as error:
        factories.make_case(
            people.creditor_user,
            uploads=[intake.UploadInput("a.pdf", factories.minimal_pdf(), "selfie")],
        )
    assert error.value.errors == {"uploads.0": ["Type de document inconnu."]}


def test_agency_staff_must_file_a_case_for_a_creditor_organisation(people, today):
    from app.services.errors import Forbidden

    for creditor_id in (None, people.agency.id, 999_999):
        with pytest.raises(Forbidden):
            intake.submit_case(
                people.agent,
                creditor_id=creditor_id,
                debtor=factories.debtor_input(),
                invoices=[factories.invoice()],
                today=today,
            )
    case = intake.submit_case(
        people.agent,
        creditor_id=people.creditor.id,
        debtor=factories.debtor_input(),
        invoices=[factories.invoice()],
        today=today,
    )
    assert case.creditor_id == people.creditor.id
