"""Who may open the creditor portal: another creditor's things look absent, staff are refused."""

import io

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Case, Document
from app.services import intake
from tests import factories
from tests.web.test_creditor_new_case import new_case_form, post_new_case


@pytest.fixture
def their_case(people, today):
    """A case of the other creditor, with a document."""
    return factories.make_case(
        people.other_creditor_user,
        uploads=[intake.UploadInput("leur-facture.pdf", factories.minimal_pdf(), "invoice")],
        today=today,
    )


def portal_pages(case):
    return [
        "/creancier/",
        "/creancier/dossiers",
        "/creancier/dossiers/nouveau",
        f"/creancier/dossiers/{case.reference}",
        f"/creancier/documents/{case.documents[0].id}",
    ]


def test_another_creditors_case_page_is_not_found(people, login, their_case):
    response = login(people.creditor_user).get(f"/creancier/dossiers/{their_case.reference}")
    assert response.status_code == 404


def test_an_unknown_reference_is_not_found(people, login):
    response = login(people.creditor_user).get("/creancier/dossiers/REC-2026-999999")
    assert response.status_code == 404


def test_another_creditors_document_is_not_found(people, login, their_case):
    response = login(people.creditor_user).get(f"/creancier/documents/{their_case.documents[0].id}")
    assert response.status_code == 404


def test_a_document_kept_from_the_creditor_is_not_found(people, login, today):
    case = factories.make_case(
        people.creditor_user,
        uploads=[intake.UploadInput("interne.pdf", factories.minimal_pdf(), "other")],
        today=today,
    )
    case.documents[0].visible_to_creditor = False
    db.session.commit()
    client = login(people.creditor_user)
    assert client.get(f"/creancier/documents/{case.documents[0].id}").status_code == 404
    assert "interne.pdf" not in client.get(f"/creancier/dossiers/{case.reference}").get_data(
        as_text=True
    )


def test_adding_documents_to_another_creditors_case_is_not_found(people, login, their_case):
    response = login(people.creditor_user).post(
        f"/creancier/dossiers/{their_case.reference}/documents",
        data={"uploads-0-file": (io.BytesIO(factories.minimal_pdf()), "x.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 404
    assert db.session.scalar(sa.select(sa.func.count(Document.id))) == 1


def test_prefilling_another_creditors_debtor_is_not_found(people, login, their_case):
    client = login(people.creditor_user)
    response = client.get(f"/creancier/dossiers/nouveau?debiteur={their_case.debtor_id}")
    assert response.status_code == 404
    assert client.get("/creancier/dossiers/nouveau?debiteur=abc").status_code == 404


def test_filing_against_another_creditors_debtor_is_not_found(people, login, their_case):
    data = new_case_form(debtor_mode="existing", debtor_id=str(their_case.debtor_id))
    response = post_new_case(login(people.creditor_user), data)
    assert response.status_code == 404
    assert db.session.scalar(sa.select(sa.func.count(Case.id))) == 1


@pytest.mark.parametrize("persona", ["agent", "supervisor", "admin"])
def test_agency_staff_are_refused_the_creditor_portal(people, login, their_case, persona):
    client = login(getattr(people, persona))
    for url in portal_pages(their_case):
        assert client.get(url).status_code == 403, url
    assert post_new_case(client, new_case_form()).status_code == 403


def test_anonymous_visitors_are_sent_to_the_login_page(client, their_case):
    for url in portal_pages(their_case):
        response = client.get(url)
        assert response.status_code == 302, url
        assert "/connexion" in response.headers["Location"]
    assert post_new_case(client, new_case_form()).status_code == 302


def test_a_creditor_admin_and_user_of_one_creditor_share_its_cases(people, login, today):
    case = factories.make_case(people.creditor_user, today=today)
    response = login(people.creditor_admin).get(f"/creancier/dossiers/{case.reference}")
    assert response.status_code == 200


def test_a_new_case_posted_without_a_csrf_token_is_refused(app, people, login, monkeypatch):
    client = login(people.creditor_user)
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    assert 'name="csrf_token"' in client.get("/creancier/dossiers/nouveau").get_data(as_text=True)
    response = post_new_case(client, new_case_form())
    assert response.status_code == 400
    assert "Formulaire expiré" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Case.id))) == 0
