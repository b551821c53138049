"""With CSRF protection on (as in production), a form posted without its token is refused."""

import html
import re

import pytest

from app import create_app
from app.extensions import db
from tests import factories


@pytest.fixture
def csrf_client(app):
    """A second app on the same database, configured like the test app but with CSRF on."""
    copied = (
        "SECRET_KEY",
        "SQLALCHEMY_DATABASE_URI",
        "UPLOAD_DIR",
        "MAIL_SERVER",
        "MAIL_PORT",
        "REDIS_URL",
        "RATELIMIT_STORAGE_URI",
        "PUBLIC_BASE_URL",
    )
    protected = create_app(
        {"TESTING": True, "WTF_CSRF_ENABLED": True, **{k: app.config[k] for k in copied}}
    )
    if "recouvra_redis" in app.extensions:
        protected.extensions["recouvra_redis"] = app.extensions["recouvra_redis"]
    yield protected.test_client()
    with protected.app_context():
        db.session.remove()
        db.engine.dispose()


def token_from(page: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', page
    )
    assert match, "no CSRF token in the page"
    return html.unescape(match.group(1))


def test_a_login_posted_without_a_token_is_refused_with_a_french_page(csrf_client, people):
    response = csrf_client.post(
        "/connexion", data={"email": people.agent.email, "password": factories.PASSWORD}
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Formulaire expiré" in page
    assert "Rechargez la page et recommencez." in page
    assert csrf_client.get("/").headers["Location"] == "/connexion"


def test_a_login_posted_with_a_forged_token_is_refused(csrf_client, people):
    csrf_client.get("/connexion")
    response = csrf_client.post(
        "/connexion",
        data={"email": people.agent.email, "password": factories.PASSWORD, "csrf_token": "x"},
    )
    assert response.status_code == 400
    assert "Formulaire expiré" in response.get_data(as_text=True)


def test_a_login_posted_with_the_token_from_the_page_works(csrf_client, people):
    token = token_from(csrf_client.get("/connexion").get_data(as_text=True))
    response = csrf_client.post(
        "/connexion",
        data={"email": people.agent.email, "password": factories.PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/agence/"


def test_logout_without_a_token_is_refused(csrf_client, people):
    token = token_from(csrf_client.get("/connexion").get_data(as_text=True))
    csrf_client.post(
        "/connexion",
        data={"email": people.agent.email, "password": factories.PASSWORD, "csrf_token": token},
    )
    assert csrf_client.post("/deconnexion").status_code == 400
    assert csrf_client.get("/").headers["Location"] == "/agence/"
