"""The creditor's case page: invoices with totals, documents, what happened, adding documents."""

import html
import io
from datetime import date

import sqlalchemy as sa

from app.extensions import db
from app.models import Document
from app.services import casework, intake
from tests import factories


def plain(response) -> str:
    return (
        html.unescape(response.get_data(as_text=True)).replace("\u202f", " ").replace("\xa0", " ")
    )


def test_the_case_page_shows_the_invoices_with_a_total(people, login, today):
    case = factories.make_case(
        people.creditor_user,
        invoices=[
            factories.invoice("F-1", 100_000, issued=date(2026, 5, 1)),
            factories.invoice("F-2", 50_000, issued=date(2026, 6, 1), paid_cents=12_050),
        ],
        today=today,
    )
    page = plain(login(people.creditor_user).get(f"/creancier/dossiers/{case.reference}"))
    assert case.reference in page
    assert "Client Mauvais Payeur SARL" in page
    assert "Réception" in page
    assert "Ouvert le 23/11/2026" in page
    assert "01/05/2026" in page and "31/05/2026" in page
    assert "120,50 €" in page  # already paid on F-2
    assert "379,50 €" in page  # still due on F-2
    assert "1 500,00 €" in page and "1 379,50 €" in page  # totals


def test_the_case_page_lists_documents_with_a_download_link(people, login, today):
    case = factories.make_case(
        people.creditor_user,
        uploads=[intake.UploadInput("contrat signé.pdf", factories.minimal_pdf(), "contract")],
        today=today,
    )
    document = case.documents[0]
    page = plain(login(people.creditor_user).get(f"/creancier/dossiers/{case.reference}"))
    assert "contrat signé.pdf" in page
    assert "Contrat" in page
    assert "1 Ko" in page
    assert f'href="/creancier/documents/{document.id}"' in page


def test_the_timeline_shows_creditor_visible_entries_only(people, login, today):
    case = factories.make_case(people.creditor_user, today=today)
    casework.accept_case(people.agent, case, today=today)
    casework.add_note(people.agent, case, "Débiteur agressif au téléphone")
    casework.add_note(people.agent, case, "Relance envoyée.", visible_to_creditor=True)
    page = plain(login(people.creditor_user).get(f"/creancier/dossiers/{case.reference}"))
    assert "Réception → Amiable" in page
    assert "Relance envoyée." in page
    assert "Débiteur agressif" not in page


def test_a_returned_case_tells_the_creditor_why(people, login, today):
    case = factories.make_case(people.creditor_user, today=today)
    casework.return_to_creditor(
        people.agent,
        case,
        return_reason="incomplete",
        note="Il manque le bon de commande signé.",
        today=today,
    )
    page = plain(login(people.creditor_user).get(f"/creancier/dossiers/{case.reference}"))
    assert "L'agence vous a renvoyé ce dossier : Dossier incomplet." in page
    assert "Il manque le bon de commande signé." in page


def test_a_creditor_adds_documents_to_a_case(people, login, today):
    case = factories.make_case(people.creditor_user, today=today)
    client = login(people.creditor_user)
    response = client.post(
        f"/creancier/dossiers/{case.reference}/documents",
        data={
            "uploads-0-file": (io.BytesIO(factories.minimal_pdf()), "relance.pdf"),
            "uploads-0-kind": "correspondence",
            "uploads-1-file": (io.BytesIO(factories.minimal_png()), "bon.png"),
            "uploads-1-kind": "delivery_note",
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    kinds = db.session.scalars(sa.select(Document.kind).order_by(Document.id)).all()
    assert kinds == ["correspondence", "delivery_note"]
    page = plain(client.get(response.headers["Location"]))
    assert "2 documents ajoutés." in page
    assert "Documents ajoutés : relance.pdf, bon.png" in page


def test_adding_a_bad_document_says_why_and_saves_nothing(people, login, today):
    case = factories.make_case(people.creditor_user, today=today)
    response = login(people.creditor_user).post(
        f"/creancier/dossiers/{case.reference}/documents",
        data={
            "uploads-0-file": (io.BytesIO(factories.minimal_pdf()), "bon.pdf"),
            "uploads-0-kind": "invoice",
            "uploads-1-file": (io.BytesIO(factories.minimal_png()), "faux.docx"),
            "uploads-1-kind": "contract",
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    page = plain(response)
    assert "« faux.docx » ne correspond pas à son extension .docx." in page
    assert "sélectionnez-les de nouveau" in page
    assert db.session.scalar(sa.select(sa.func.count(Document.id))) == 0


def test_adding_documents_without_a_file_asks_for_one(people, login, today):
    case = factories.make_case(people.creditor_user, today=today)
    response = login(people.creditor_user).post(
        f"/creancier/dossiers/{case.reference}/documents",
        data={"uploads-0-kind": "invoice"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "Choisissez au moins un fichier." in plain(response)


def test_what_the_creditor_typed_is_shown_as_text_not_markup(people, login, today):
    case = factories.make_case(
        people.creditor_user,
        debtor=factories.debtor_input("<script>alert(1)</script> SARL"),
        today=today,
    )
    page = login(people.creditor_user).get(f"/creancier/dossiers/{case.reference}")
    assert "<script>alert(1)" not in page.get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt; SARL" in page.get_data(as_text=True)


def test_a_document_downloads_as_an_attachment_that_is_never_sniffed(people, login, today):
    case = factories.make_case(
        people.creditor_user,
        uploads=[intake.UploadInput("facture.pdf", factories.minimal_pdf(), "invoice")],
        today=today,
    )
    response = login(people.creditor_user).get(f"/creancier/documents/{case.documents[0].id}")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert "facture.pdf" in response.headers["Content-Disposition"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.mimetype == "application/pdf"
    assert response.data == factories.minimal_pdf()
