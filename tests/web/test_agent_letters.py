"""An agent previews, generates and sends letters from the case page; the email reaches the
(local) mail server with the letter attached; registered letters come back with their receipt."""

from __future__ import annotations

import io
import zipfile
from datetime import date

import pytest
import sqlalchemy as sa
from docx import Document as DocxDocument

from app.domain import letters as rules
from app.extensions import db
from app.integrations import pdf, storage
from app.models import Letter
from app.services import letters
from tests.helpers import page_text as text

pytestmark = pytest.mark.usefixtures("frozen_today")


@pytest.fixture
def case(amicable_case):
    return amicable_case


def generate(client, case, template="relance_amiable", day="2026-11-23"):
    return client.post(
        f"/agence/dossiers/{case.reference}/courriers",
        data={"letter-template": template, "letter-letter_date": day},
    )


def test_the_preview_shows_the_letter_and_says_the_mentions_are_all_there(
    people, login, client, case
):
    login(people.agent)

    page = text(
        client.get(
            f"/agence/dossiers/{case.reference}/courriers/apercu",
            query_string={"letter-template": "relance_amiable", "letter-letter_date": "2026-11-23"},
        )
    )

    assert "Toutes les mentions obligatoires sont présentes." in page
    assert "Montant restant dû : 1 297,92 €" in page
    assert rules.L111_8_TEXT in page
    assert 'data-testid="generate-form"' in page


def test_a_generated_letter_is_a_docx_on_the_case_with_its_reference(
    people, login, client, case, run_jobs
):
    login(people.agent)

    response = generate(client, case)
    run_jobs()  # generation is a job

    assert response.status_code == 302
    letter = db.session.scalar(sa.select(Letter))
    page = text(client.get(f"/agence/dossiers/{case.reference}"))
    assert letter.reference in page and "Première relance amiable" in page
    download = client.get(f"/agence/documents/{letter.document_id}")
    words = "\n".join(p.text for p in DocxDocument(io.BytesIO(download.data)).paragraphs)
    words = words.replace("\u202f", " ").replace("\xa0", " ")
    assert "Nous vous demandons de régler la somme de 1 297,92 €" in words


def test_a_relance_before_the_first_letter_is_refused_with_the_reason(people, login, client, case):
    login(people.agent)

    response = generate(client, case, "relance_2")

    assert response.status_code == 422
    assert "Aucun premier courrier : générez d'abord la première relance amiable." in text(response)


def test_an_emailed_letter_reaches_the_debtor_with_the_docx_attached(
    people, login, client, case, run_jobs, mailbox
):
    login(people.agent)
    generate(client, case)
    run_jobs()
    letter = db.session.scalar(sa.select(Letter))

    client.post(f"/agence/courriers/{letter.id}/email")
    run_jobs()

    (message,) = mailbox
    assert message["To"] == "compta@mauvais-payeur.example"
    assert letter.reference in message["Subject"]
    attachments = [part for part in message.walk() if part.get_filename()]
    assert [a.get_filename() for a in attachments] == [f"{letter.reference}-relance_amiable.docx"]
    db.session.refresh(letter)
    assert letter.status == "sent" and letter.message_id == message["Message-ID"]
    assert "envoyé par e-mail à compta@mauvais-payeur.example" in text(
        client.get(f"/agence/dossiers/{case.reference}")
    )


def test_a_mail_failure_keeps_the_letter_marked_not_sent(people, case, app, monkeypatch, run_jobs):
    letter = letters.generate_letter(
        people.agent, case, "relance_amiable", letter_date=case.opened_on
    )
    monkeypatch.setitem(app.config, "MAIL_PORT", 1)  # nothing listens there

    letters.send_by_email(people.agent, letter)
    run_jobs()

    db.session.refresh(letter)
    assert letter.status == "failed" and letter.attempts == 1
    assert "ConnectionRefusedError" in letter.last_error
    assert letter.document is not None  # the letter itself is never lost


def test_a_debtor_without_email_gets_a_clear_refusal(people, login, client, case):
    case.debtor.contacts = [c for c in case.debtor.contacts if c.kind != "email"]
    db.session.commit()
    letter = letters.generate_letter(
        people.agent, case, "relance_amiable", letter_date=case.opened_on
    )
    login(people.agent)

    response = client.post(f"/agence/courriers/{letter.id}/email", follow_redirects=True)

    assert "Le débiteur n'a pas d'adresse e-mail : envoyez ce courrier par la poste." in text(
        response
    )


def test_a_registered_formal_notice_is_posted_and_its_receipt_starts_consumer_interest(
    people, login, client, case
):
    letters.generate_letter(people.agent, case, "relance_amiable", letter_date=date(2026, 11, 1))
    notice = letters.generate_letter(
        people.agent, case, "mise_en_demeure", letter_date=date(2026, 11, 10)
    )
    login(people.agent)

    client.post(f"/agence/courriers/{notice.id}/a-poster", data={"registered": "y"})
    batch = client.get("/agence/courriers/a-poster.zip")
    refused = client.post(
        f"/agence/courriers/{notice.id}/poste",
        data={"posted_on": "2026-11-10", "tracking_number": ""},
        follow_redirects=True,
    )
    client.post(
        f"/agence/courriers/{notice.id}/poste",
        data={"posted_on": "2026-11-10", "tracking_number": "1A 234 567 8901 2"},
    )
    client.post(f"/agence/courriers/{notice.id}/accuse", data={"received_on": "2026-11-13"})

    names = zipfile.ZipFile(io.BytesIO(batch.data)).namelist()
    assert names == [f"{notice.reference}-mise_en_demeure.docx"]
    assert "Indiquez le numéro de recommandé." in text(refused)
    db.session.refresh(notice)
    assert (notice.status, notice.tracking_number) == ("posted", "1A 234 567 8901 2")
    assert notice.received_on == date(2026, 11, 13)
    db.session.refresh(case)
    assert case.formal_notice_received_on == date(2026, 11, 13)


@pytest.mark.skipif(not pdf.soffice(), reason="LibreOffice (soffice) is not installed; CI has it")
def test_with_libreoffice_a_letter_also_gets_a_pdf_sent_as_the_attachment(
    people, case, app, monkeypatch, run_jobs, mailbox
):
    monkeypatch.setitem(app.config, "LETTER_PDF", "auto")

    letter = letters.generate_letter(
        people.agent, case, "relance_amiable", letter_date=case.opened_on
    )
    letters.send_by_email(people.agent, letter)
    run_jobs()

    assert letter.pdf_document is not None
    assert storage.read(letter.pdf_document.storage_key).startswith(b"%PDF")
    (message,) = mailbox
    (attachment,) = [part for part in message.walk() if part.get_filename()]
    assert attachment.get_filename().endswith(".pdf")
    assert attachment.get_content_type() == "application/pdf"


def test_an_email_reminder_quotes_the_first_letter_and_the_amounts(
    people, login, client, case, run_jobs, mailbox
):
    first = letters.generate_letter(
        people.agent, case, "relance_amiable", letter_date=date(2026, 11, 2)
    )
    login(people.agent)

    client.post(f"/agence/dossiers/{case.reference}/email-relance")
    client.post(f"/agence/dossiers/{case.reference}/email-relance")  # a second click, same day
    run_jobs()

    (message,) = mailbox
    plain = next(p for p in message.walk() if p.get_content_type() == "text/plain")
    body = plain.get_payload(decode=True).decode("utf-8")
    body = body.replace("\u202f", " ").replace("\xa0", " ")
    assert f"premier courrier référencé {first.reference} du 02/11/2026" in body
    assert "Montant restant dû : 1 297,92 €" in body
    assert not [part for part in message.walk() if part.get_filename()]
    reminder = db.session.scalar(sa.select(Letter).where(Letter.template == "email_relance"))
    assert reminder.status == "sent"


def test_an_email_reminder_before_any_letter_is_refused(people, login, client, case, mailbox):
    login(people.agent)

    response = client.post(
        f"/agence/dossiers/{case.reference}/email-relance", follow_redirects=True
    )

    assert "Aucun premier courrier" in text(response)
    assert mailbox == []
