"""The agency admin replaces a letter template; a template missing a mandatory mention, with an
unknown variable or a syntax error, is refused on upload and says why."""

from __future__ import annotations

import html
import io
from pathlib import Path

import pytest
from docx import Document as DocxDocument

from app.services import letters

SHIPPED = Path(__file__).resolve().parents[2] / "letters"


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def docx_with(*paragraphs: str) -> bytes:
    document = DocxDocument()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def upload(client, name, data, filename="modele.docx"):
    return client.post(
        f"/agence/modeles/{name}",
        data={"file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )


@pytest.fixture(autouse=True)
def no_custom_templates(app):
    yield
    for path in Path(app.config["LETTER_TEMPLATES_DIR"]).glob("*.docx"):
        path.unlink()


def test_an_edited_template_that_passes_the_check_replaces_the_shipped_one(people, login, client):
    login(people.admin)
    edited = DocxDocument(SHIPPED / "relance_2.docx")
    edited.add_paragraph("Notre service client vous répond du lundi au vendredi.")
    out = io.BytesIO()
    edited.save(out)

    response = upload(client, "relance_2", out.getvalue())

    assert response.status_code == 302
    assert letters.is_customised("relance_2")
    page = text(client.get("/agence/modeles"))
    assert "Version de l'agence" in page


def test_a_first_letter_without_the_l111_8_text_is_refused(people, login, client):
    login(people.admin)
    data = docx_with("{{ agency.name }} demande {{ balance.outstanding }} à régler.")

    response = upload(client, "relance_amiable", data)

    assert response.status_code == 422
    page = text(response)
    assert "le texte de l'article L111-8 (alinéas 2 et 3)" in page
    assert "l'adresse du créancier" in page
    assert not letters.is_customised("relance_amiable")


def test_an_unknown_variable_is_named(people, login, client):
    login(people.admin)

    response = upload(client, "releve_creancier", docx_with("Bonjour {{ debtor.nickname }}"))

    assert response.status_code == 422
    assert "nickname" in text(response)


def test_a_syntax_error_gives_its_line(people, login, client):
    login(people.admin)

    response = upload(client, "releve_creancier", docx_with("{% if %}"))

    assert response.status_code == 422
    assert "Erreur de syntaxe ligne" in text(response)


def test_a_file_that_is_not_word_is_refused(people, login, client):
    login(people.admin)

    response = upload(client, "releve_creancier", b"%PDF-1.4 not a docx", "modele.docx")

    assert response.status_code == 422
    assert "Ce fichier n'est pas un document Word (.docx)." in text(response)


def test_an_agent_cannot_replace_a_template(people, login, client):
    login(people.agent)

    response = upload(client, "relance_2", (SHIPPED / "relance_2.docx").read_bytes())

    assert response.status_code == 403
    assert not letters.is_customised("relance_2")


def test_the_shipped_templates_all_pass_the_upload_check(app):
    for name in letters.rules.TEMPLATES:
        assert letters.check_template_file(name, (SHIPPED / f"{name}.docx").read_bytes()) == []
