"""The account page's forms and the code step carry a CSRF token; without it nothing happens."""

from tests import factories
from tests.web.test_csrf import csrf_client, token_from  # noqa: F401 - the fixture


def log_in(client, user):
    token = token_from(client.get("/connexion").get_data(as_text=True))
    response = client.post(
        "/connexion",
        data={"email": user.email, "password": factories.PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 302
    return response


def test_log_out_everywhere_needs_the_token(csrf_client, people):  # noqa: F811
    log_in(csrf_client, people.agent)
    refused = csrf_client.post("/compte/deconnexion-partout", data={"confirm": "1"})
    assert refused.status_code == 400
    assert csrf_client.get("/agence/").status_code == 200
    token = token_from(csrf_client.get("/compte").get_data(as_text=True))
    done = csrf_client.post(
        "/compte/deconnexion-partout", data={"confirm": "1", "csrf_token": token}
    )
    assert done.headers["Location"] == "/connexion"
    assert csrf_client.get("/agence/").headers["Location"].startswith("/connexion")


def test_the_code_step_needs_the_token(csrf_client, people):  # noqa: F811
    assert log_in(csrf_client, people.supervisor).headers["Location"] == "/connexion/code"
    code = factories.totp_code(people.supervisor)
    assert csrf_client.post("/connexion/code", data={"code": code}).status_code == 400
    token = token_from(csrf_client.get("/connexion/code").get_data(as_text=True))
    done = csrf_client.post("/connexion/code", data={"code": code, "csrf_token": token})
    assert done.headers["Location"] == "/agence/"
