"""Rate limits on the authentication pages and the debtor's check, each with a clear 429
(the login's own limit: test_auth_login.py; the API's: tests/api/test_rate_limit.py; the code
step's: test_auth_two_factor.py)."""

from tests import factories
from tests.helpers import page_text as text


def assert_throttled(response):
    assert response.status_code == 429
    page = text(response)
    assert "Trop de tentatives" in page and "Réessayez dans une minute." in page


def test_the_sixth_reset_request_within_a_minute_is_throttled(client, people):
    for _ in range(5):
        response = client.post("/mot-de-passe-oublie", data={"email": people.agent.email})
        assert response.status_code == 302
    assert_throttled(client.post("/mot-de-passe-oublie", data={"email": people.agent.email}))


def test_the_eleventh_new_password_post_within_a_minute_is_throttled(client, people):
    for _ in range(10):
        assert client.post("/reinitialiser/pas-un-jeton", data={}).status_code == 302
    assert_throttled(client.post("/reinitialiser/pas-un-jeton", data={}))


def test_the_password_change_form_is_throttled(client, login, people):
    login(people.agent)
    for _ in range(10):
        wrong = client.post(
            "/compte/mot-de-passe",
            data={"current_password": "x", "password": "y" * 12, "confirm": "y" * 12},
        )
        assert wrong.status_code == 422
    assert_throttled(
        client.post(
            "/compte/mot-de-passe",
            data={
                "current_password": factories.PASSWORD,
                "password": "y" * 12,
                "confirm": "y" * 12,
            },
        )
    )


def test_the_debtor_check_is_throttled_per_address_across_links(client):
    # Each link locks itself after 5 wrong answers (test_debtor_page.py); the address is also
    # limited, whatever links it tries.
    for n in range(20):
        assert client.post(f"/p/lien-inconnu-{n}", data={"answer": "000000000"}).status_code == 404
    assert_throttled(client.post("/p/lien-inconnu-x", data={"answer": "000000000"}))
