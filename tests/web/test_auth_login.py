"""Logging in and out through the browser pages."""

import pytest

from tests import factories


def login(client, email, password=factories.PASSWORD, next_url=None):
    url = "/connexion" if next_url is None else f"/connexion?next={next_url}"
    return client.post(url, data={"email": email, "password": password})


def test_the_login_page_shows_the_form_in_french(client):
    response = client.get("/connexion")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert '<html lang="fr">' in page
    assert "Connexion" in page and "Mot de passe oublié ?" in page


def test_an_agent_lands_on_the_agency_work_queue(client, people):
    response = login(client, people.agent.email)
    assert response.status_code == 302
    assert response.headers["Location"] == "/agence/"


@pytest.mark.parametrize("who", ["creditor_user", "creditor_admin"])
def test_a_creditor_lands_on_the_creditor_portal(client, people, who):
    response = login(client, getattr(people, who).email)
    assert response.status_code == 302
    assert response.headers["Location"] == "/creancier/"


def test_the_address_may_be_typed_in_capitals(client, people):
    response = login(client, people.agent.email.upper())
    assert response.headers["Location"] == "/agence/"


def test_a_wrong_password_shows_a_french_error_and_keeps_the_email(client, people):
    response = login(client, people.agent.email, "mauvais mot de passe")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Adresse e-mail ou mot de passe incorrect." in page
    assert f'value="{people.agent.email}"' in page
    assert "mauvais mot de passe" not in page


def test_an_inactive_account_cannot_log_in(client, people):
    from app.extensions import db

    people.creditor_user.active = False
    db.session.commit()
    response = login(client, people.creditor_user.email)
    assert response.status_code == 422
    assert "Adresse e-mail ou mot de passe incorrect." in response.get_data(as_text=True)


def test_an_empty_form_is_refused_without_logging_in(client, people):
    response = client.post("/connexion", data={"email": "", "password": ""})
    assert response.status_code == 422
    assert client.get("/").headers["Location"] == "/connexion"


def test_the_eleventh_attempt_within_a_minute_is_throttled(app, client, people):
    assert app.config["LOGIN_RATE_LIMIT"] == "10 per minute"
    for _ in range(10):
        assert login(client, people.agent.email, "mauvais mot de passe").status_code == 422
    response = login(client, people.agent.email)
    assert response.status_code == 429
    page = response.get_data(as_text=True)
    assert "Trop de tentatives" in page
    assert "Réessayez dans une minute." in page
    assert client.get("/").headers["Location"] == "/connexion"


def test_a_local_next_page_is_followed(client, people):
    response = login(client, people.agent.email, next_url="/agence/dossiers")
    assert response.headers["Location"] == "/agence/dossiers"


@pytest.mark.parametrize(
    "next_url",
    [
        "https://evil.example",
        "//evil.example",
        "/\\evil.example",
        "/%09/evil.example",
        "https:/evil.example",
        "javascript:alert(1)",
    ],
)
def test_a_next_page_off_the_site_is_not_followed(client, people, next_url):
    response = login(client, people.agent.email, next_url=next_url)
    assert response.status_code == 302
    assert response.headers["Location"] == "/agence/"


def test_a_logged_in_user_visiting_the_login_page_goes_home(client, people):
    login(client, people.creditor_user.email)
    assert client.get("/connexion").headers["Location"] == "/creancier/"
    assert client.get("/").headers["Location"] == "/creancier/"


def test_logout_needs_a_post(client, people):
    login(client, people.agent.email)
    assert client.get("/deconnexion").status_code == 405
    assert client.get("/").headers["Location"] == "/agence/"


def test_logout_ends_the_session(client, people):
    login(client, people.agent.email)
    response = client.post("/deconnexion", follow_redirects=True)
    assert response.request.path == "/connexion"
    assert "Vous êtes déconnecté." in response.get_data(as_text=True)
    assert client.get("/").headers["Location"] == "/connexion"
