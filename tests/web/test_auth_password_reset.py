"""Forgotten password: ask for a link, get it by mail, choose a new password, use it once."""

import html
import re
import time
from urllib.parse import urlsplit

import pytest
from itsdangerous import TimestampSigner

from app.services import accounts
from tests import factories

NEW_PASSWORD = "un nouveau mot de passe solide"
LINK = re.compile(r"http://recouvra\.test(/reinitialiser/\S+)")


def link_path(message) -> str:
    text = message.get_payload(decode=True).decode(message.get_content_charset() or "utf-8")
    return LINK.search(text).group(1)


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def login(client, email, password):
    return client.post("/connexion", data={"email": email, "password": password})


def test_the_whole_reset_flow_works_once(client, people, mailbox, run_jobs):
    user = people.creditor_user
    response = client.post(
        "/mot-de-passe-oublie", data={"email": user.email}, follow_redirects=True
    )
    assert response.request.path == "/connexion"
    assert "un lien de réinitialisation vient d'être envoyé" in text(response)
    assert mailbox == []

    run_jobs()
    [message] = mailbox
    assert message["To"] == user.email
    path = link_path(message)

    page = client.get(path)
    assert page.status_code == 200
    assert "Nouveau mot de passe" in text(page)
    response = client.post(
        path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}, follow_redirects=True
    )
    assert response.request.path == "/connexion"
    assert "Votre mot de passe a été changé. Connectez-vous." in text(response)

    assert login(client, user.email, factories.PASSWORD).status_code == 422
    assert login(client, user.email, NEW_PASSWORD).headers["Location"] == "/creancier/"
    client.post("/deconnexion")

    again = client.get(path, follow_redirects=True)
    assert again.request.path == "/mot-de-passe-oublie"
    assert "Ce lien de réinitialisation est invalide ou a expiré." in text(again)


def test_an_unknown_address_gets_the_same_answer_and_no_mail(client, people, mailbox, run_jobs):
    response = client.post(
        "/mot-de-passe-oublie", data={"email": "inconnu@nulle-part.example"}, follow_redirects=True
    )
    assert "un lien de réinitialisation vient d'être envoyé" in text(response)
    run_jobs()
    assert mailbox == []


def test_a_malformed_address_is_refused_on_the_form(client, people):
    response = client.post("/mot-de-passe-oublie", data={"email": "pas-une-adresse"})
    assert response.status_code == 422
    assert 'value="pas-une-adresse"' in text(response)


def test_a_garbage_token_sends_back_to_the_request_page_with_a_french_message(client, people):
    response = client.get("/reinitialiser/pas-un-jeton", follow_redirects=True)
    assert response.request.path == "/mot-de-passe-oublie"
    assert "Ce lien de réinitialisation est invalide ou a expiré." in text(response)


def test_a_token_older_than_an_hour_has_expired(client, people, monkeypatch):
    an_hour_ago = int(time.time()) - 3601
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: an_hour_ago)
    token = accounts.make_reset_token(people.agent)
    monkeypatch.undo()
    response = client.post(
        f"/reinitialiser/{token}",
        data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
        follow_redirects=True,
    )
    assert response.request.path == "/mot-de-passe-oublie"
    assert "Ce lien de réinitialisation est invalide ou a expiré." in text(response)
    assert login(client, people.agent.email, NEW_PASSWORD).status_code == 422


def test_a_token_a_little_under_an_hour_old_still_works(client, people, monkeypatch):
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: int(time.time()) - 3500)
    token = accounts.make_reset_token(people.agent)
    monkeypatch.undo()
    assert client.get(f"/reinitialiser/{token}").status_code == 200


@pytest.mark.parametrize(
    ("password", "confirm", "message"),
    [
        ("court", "court", "Le champ doit contenir au moins 12 caractères."),
        (NEW_PASSWORD, NEW_PASSWORD + "!", "Les mots de passe diffèrent."),
    ],
)
def test_a_bad_new_password_is_refused_and_the_old_one_still_works(
    client, people, password, confirm, message
):
    token = accounts.make_reset_token(people.agent)
    response = client.post(
        f"/reinitialiser/{token}", data={"password": password, "confirm": confirm}
    )
    assert response.status_code == 422
    assert message in text(response)
    assert urlsplit(
        login(client, people.agent.email, factories.PASSWORD).headers["Location"]
    ).path == ("/agence/")
