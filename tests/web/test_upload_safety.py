"""Hostile uploads: names that try to climb out of the folder or to hide their type, content
that lies about its extension, DOCX/XLSX archives whose entries name "../" paths or inflate to
gigabytes. Nothing escapes the upload folder, the error is clear French, nothing is half-saved,
and what is kept is served as an attachment that is never sniffed."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.domain import letters as letter_rules
from app.extensions import db
from app.integrations import storage
from app.models import Case, Document, ImportBatch
from app.services import imports, intake, letters
from app.services.errors import ValidationFailed
from tests import factories
from tests.helpers import page_text as plain

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
HTML_AS_PDF = b"<!doctype html><html><script>alert(document.cookie)</script></html>"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64 + b"PE\x00\x00"


def _docx(extra: dict[str, bytes] | None = None) -> bytes:
    """A ZIP that filetype reads as DOCX, plus any extra entries (names taken as given)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
        for name, data in (extra or {}).items():
            archive.writestr(zipfile.ZipInfo(name), data, compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def _stored_files(app) -> set[Path]:
    root = Path(app.config["UPLOAD_DIR"])
    return {p for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def _everything_inside_upload_dir(app) -> None:
    root = Path(app.config["UPLOAD_DIR"]).resolve()
    for path in _stored_files(app):
        assert path.resolve().is_relative_to(root)
        # Stored under a random hex key, never under the name the user gave.
        assert path.name.isalnum() and len(path.name) == 32


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("..\\..\\Windows\\System32\\evil.pdf", "evil.pdf"),
        ("/etc/cron.d/facture.pdf", "facture.pdf"),
        ('fac"ture<script>;.pdf', "facturescript.pdf"),
    ],
)
def test_a_name_with_a_path_keeps_only_its_last_part(app, people, given, kept):
    case = factories.make_case(people.creditor_user)
    (document,) = intake.add_documents(
        people.creditor_user, case, [intake.UploadInput(given, factories.minimal_pdf(), "other")]
    )
    assert document.original_name == kept
    _everything_inside_upload_dir(app)


def test_a_name_with_a_nul_byte_cannot_smuggle_another_extension(app, people):
    case = factories.make_case(people.creditor_user)
    before = _stored_files(app)
    with pytest.raises(ValidationFailed) as error:
        intake.add_documents(
            people.creditor_user,
            case,
            [intake.UploadInput("facture.pdf\x00.exe", factories.minimal_pdf(), "other")],
        )
    assert error.value.errors["uploads.0"] == [
        "« facture.pdf.exe » : type de fichier non accepté (PDF, PNG, JPEG, DOCX ou XLSX)."
    ]
    assert _stored_files(app) == before


def test_a_right_to_left_override_cannot_disguise_an_exe(app, people):
    # Shown as "facture‮fdp.exe" a reader would see "facture" + "exe.pdf".
    checked_name = storage.safe_display_name("facture\u202efdp.exe")
    assert checked_name == "facturefdp.exe"
    with pytest.raises(storage.UploadRejected):
        storage.check_upload("facture\u202efdp.exe", EXE, 10_000_000)
    # With a .pdf name the bytes still decide.
    with pytest.raises(storage.UploadRejected) as error:
        storage.check_upload("facture\u202eexe.pdf", EXE, 10_000_000)
    assert str(error.value) == "« factureexe.pdf » ne correspond pas à son extension .pdf."


def test_a_very_long_name_is_shortened_and_keeps_its_extension(people):
    case = factories.make_case(people.creditor_user)
    (document,) = intake.add_documents(
        people.creditor_user,
        case,
        [intake.UploadInput("é" * 5000 + ".pdf", factories.minimal_pdf(), "other")],
    )
    assert len(document.original_name) == storage.MAX_NAME_LENGTH
    assert document.original_name.endswith("é.pdf")


@pytest.mark.parametrize(
    ("name", "data"),
    [("facture.pdf", HTML_AS_PDF), ("facture.pdf", EXE), ("photo.png", EXE), ("c.docx", EXE)],
)
def test_content_that_does_not_match_its_extension_is_refused(name, data):
    with pytest.raises(storage.UploadRejected) as error:
        storage.check_upload(name, data, 10_000_000)
    assert "ne correspond pas à son extension" in str(error.value)


@pytest.mark.parametrize("name", ["page.html", "setup.exe", "script.js", "image.svg", "sans"])
def test_types_we_do_not_keep_are_refused_whatever_their_content(name):
    with pytest.raises(storage.UploadRejected) as error:
        storage.check_upload(name, factories.minimal_pdf(), 10_000_000)
    assert "type de fichier non accepté" in str(error.value)


@pytest.mark.parametrize(
    "entry",
    ["../../evil.sh", "word/../../../etc/passwd", "/etc/cron.d/evil", "..\\..\\evil.bat", "C:/x"],
)
def test_a_docx_whose_entries_climb_out_is_refused(entry):
    data = _docx({entry: b"boom"})
    assert storage.check_upload("ok.docx", _docx(), 10_000_000).content_type == DOCX
    with pytest.raises(storage.UploadRejected) as error:
        storage.check_upload("contrat.docx", data, 10_000_000)
    assert (
        str(error.value) == "« contrat.docx » est refusé : l’archive contient un chemin dangereux."
    )


def test_a_zip_bomb_is_refused_before_anything_inflates_it(monkeypatch):
    monkeypatch.setattr(storage, "MAX_ARCHIVE_UNCOMPRESSED", 1024 * 1024)
    data = _docx({"word/media/zeros.bin": b"\x00" * (2 * 1024 * 1024)})
    assert len(data) < 20_000  # small on the wire
    with pytest.raises(storage.UploadRejected) as error:
        storage.check_upload("gros.docx", data, 10_000_000)
    assert "l’archive décompressée serait trop volumineuse" in str(error.value)


def test_a_file_over_the_size_limit_is_refused(app):
    limit = app.config["MAX_UPLOAD_BYTES"]
    with pytest.raises(storage.UploadRejected) as error:
        storage.check_upload("gros.pdf", factories.minimal_pdf() + b"\x00" * limit, limit)
    assert str(error.value) == "« gros.pdf » dépasse la taille maximale de 10 Mo."


def test_one_hostile_docx_among_good_files_saves_nothing(app, people, login, today):
    case = factories.make_case(people.creditor_user, today=today)
    before = _stored_files(app)
    response = login(people.creditor_user).post(
        f"/creancier/dossiers/{case.reference}/documents",
        data={
            "uploads-0-file": (io.BytesIO(factories.minimal_pdf()), "bon.pdf"),
            "uploads-0-kind": "invoice",
            "uploads-1-file": (io.BytesIO(_docx({"../../../evil.sh": b"x"})), "../contrat.docx"),
            "uploads-1-kind": "contract",
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "« contrat.docx » est refusé : l’archive contient un chemin dangereux." in plain(
        response
    )
    assert db.session.scalar(sa.select(sa.func.count(Document.id))) == 0
    assert _stored_files(app) == before


def test_a_new_case_with_a_disguised_file_is_not_created(app, people):
    before = _stored_files(app)
    with pytest.raises(ValidationFailed) as error:
        factories.make_case(
            people.creditor_user,
            uploads=[intake.UploadInput("facture.pdf", HTML_AS_PDF, "invoice")],
        )
    assert error.value.errors["uploads.0"] == [
        "« facture.pdf » ne correspond pas à son extension .pdf."
    ]
    assert _stored_files(app) == before
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(Case.id))) == 0


def test_an_import_xlsx_whose_entries_climb_out_is_refused(app, people):
    before = _stored_files(app)
    data = _docx({"../../xl/evil.xml": b"x"})
    with pytest.raises(ValidationFailed) as error:
        imports.upload(people.creditor_user, "factures.xlsx", data)
    assert error.value.errors == {
        "file": ["« factures.xlsx » est refusé : l’archive contient un chemin dangereux."]
    }
    assert db.session.scalar(sa.select(sa.func.count(ImportBatch.id))) == 0
    assert _stored_files(app) == before


def test_a_letter_template_whose_entries_climb_out_is_refused(app, people):
    folder = Path(app.config["LETTER_TEMPLATES_DIR"])
    before = set(folder.rglob("*")) if folder.exists() else set()
    name = next(iter(letter_rules.TEMPLATES))
    with pytest.raises(ValidationFailed) as error:
        letters.replace_template(people.admin, name, _docx({"../../../../tmp/evil": b"x"}))
    assert error.value.errors == {
        "file": ["Modèle refusé : l’archive contient un chemin dangereux."]
    }
    assert (set(folder.rglob("*")) if folder.exists() else set()) == before


def test_a_kept_file_is_served_as_a_safe_attachment_never_sniffed(app, people, login, today):
    case = factories.make_case(
        people.creditor_user,
        uploads=[
            intake.UploadInput("../../rapport «final» é.pdf", factories.minimal_pdf(), "invoice")
        ],
        today=today,
    )
    document = case.documents[0]
    for user, url in (
        (people.creditor_user, f"/creancier/documents/{document.id}"),
        (people.agent, f"/agence/documents/{document.id}"),
    ):
        response = login(user).get(url)
        assert response.status_code == 200
        disposition = response.headers["Content-Disposition"]
        assert disposition.startswith("attachment;")
        assert "/" not in disposition and ".." not in disposition
        assert "filename*=UTF-8''rapport%20%C2%ABfinal%C2%BB%20%C3%A9.pdf" in disposition
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.mimetype == "application/pdf"
        response.client = None
        login(user).post("/deconnexion")
    _everything_inside_upload_dir(app)


def test_a_debtors_disguised_proof_is_refused_and_the_case_is_not_put_on_hold(
    app, client, people, amicable_case, frozen_today
):
    from app.services import debtor_access

    token = debtor_access.create_link(people.agent, amicable_case)
    client.post(f"/p/{token}", data={"answer": "732 829 320"})
    before = _stored_files(app)
    response = client.post(
        f"/p/{token}/contestation",
        data={
            "dispute-reason": "already_paid",
            "dispute-text": "Payé par virement",
            "dispute-proof": (io.BytesIO(HTML_AS_PDF), "../../preuve.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "« preuve.pdf » ne correspond pas à son extension .pdf." in plain(response)
    db.session.expire_all()
    assert amicable_case.hold_reason is None
    assert db.session.scalar(sa.select(sa.func.count(Document.id))) == 0
    assert _stored_files(app) == before
