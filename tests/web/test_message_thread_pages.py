"""The thread on both case pages: write, attach, read, and the unread badge."""

from __future__ import annotations

import io

import pytest

from app.services import messages
from tests import factories
from tests.helpers import page_text

pytestmark = pytest.mark.usefixtures("frozen_today")


def post(client, url, body, files=()):
    data = {"body": body}
    if files:
        data["files"] = [(io.BytesIO(content), name) for name, content in files]
    return client.post(url, data=data, content_type="multipart/form-data")


def test_the_creditor_writes_with_an_attachment_and_the_agent_reads_it(
    people, login, client, amicable_case
):
    ref = amicable_case.reference
    login(people.creditor_user)
    response = post(
        client,
        f"/creancier/dossiers/{ref}/messages",
        "Le bon de commande signé est joint.",
        [("commande.pdf", factories.minimal_pdf())],
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/creancier/dossiers/{ref}#messages")
    page = page_text(client.get(f"/creancier/dossiers/{ref}"))
    assert "Le bon de commande signé est joint." in page
    assert "commande.pdf" in page

    client.post("/deconnexion")
    login(people.agent)
    assert 'data-testid="unread-total">1<' in client.get("/agence/messages").get_data(True)
    page = page_text(client.get(f"/agence/dossiers/{ref}"))
    assert "Le bon de commande signé est joint." in page
    assert 'href="/agence/documents/' in page
    # Opening the case read the thread.
    assert 'data-testid="unread-total"' not in client.get("/agence/messages").get_data(True)


def test_the_agent_answers_and_the_creditor_sees_the_badge_until_reading(
    people, login, client, amicable_case
):
    ref = amicable_case.reference
    login(people.agent)
    assert (
        post(client, f"/agence/dossiers/{ref}/messages", "Avez-vous le contrat ?").status_code
        == 302
    )
    client.post("/deconnexion")
    login(people.creditor_user)
    home = client.get("/creancier/").get_data(True)
    assert 'data-testid="unread-total">1<' in home
    listing = page_text(client.get("/creancier/messages"))
    assert ref in listing
    client.get(f"/creancier/dossiers/{ref}")
    assert 'data-testid="unread-total"' not in client.get("/creancier/").get_data(True)
    assert messages.unread_total(people.creditor_user) == 0


def test_an_empty_message_is_refused_and_the_page_keeps_the_attachment_field(
    people, login, client, amicable_case
):
    login(people.creditor_user)
    response = post(client, f"/creancier/dossiers/{amicable_case.reference}/messages", "  ")
    assert response.status_code == 422
    assert "Écrivez votre message." in page_text(response)
    assert messages.thread(people.creditor_user, amicable_case) == []


def test_a_too_long_message_comes_back_with_what_was_typed(people, login, client, amicable_case):
    login(people.agent)
    body = "Bonjour " + "x" * 5000
    response = post(client, f"/agence/dossiers/{amicable_case.reference}/messages", body)
    assert response.status_code == 422
    assert body in page_text(response)


def test_another_creditor_gets_a_404_on_the_thread(people, login, client, amicable_case):
    login(people.other_creditor_user)
    response = post(client, f"/creancier/dossiers/{amicable_case.reference}/messages", "Salut")
    assert response.status_code == 404
    assert messages.thread(people.agent, amicable_case) == []


def test_the_agents_thread_and_requests_read_in_english(people, login, client, amicable_case):
    from tests.web.test_english_locale import assert_english_page, read_catalog

    messages.post_message(people.creditor_user, amicable_case, "Hello from the creditor")
    login(people.agent)
    client.post("/langue/en")
    data = (amicable_case.debtor.name, "Boulangerie Dupont SAS")
    assert_english_page(
        client.get(f"/agence/dossiers/{amicable_case.reference}"),
        read_catalog(),
        "Messages with the creditor",
        "Propose a settlement",
        data=data,
    )


def test_the_case_lists_show_how_many_messages_are_unread(people, login, client, amicable_case):
    messages.post_message(people.agent, amicable_case, "Un")
    messages.post_message(people.agent, amicable_case, "Deux")
    login(people.creditor_user)
    assert 'data-testid="case-unread">2<' in client.get("/creancier/dossiers").get_data(True)
    client.post("/deconnexion")
    messages.post_message(people.creditor_user, amicable_case, "Trois")
    login(people.agent)
    assert 'data-testid="case-unread">1<' in client.get("/agence/dossiers").get_data(True)
