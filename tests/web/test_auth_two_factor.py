"""The second factor through the pages: the login's code step, a manager's forced enrolment, an
agent's optional one, replay and throttling, the admin's reset."""

import re

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent
from app.services import two_factor
from tests import factories
from tests.helpers import page_text as text


def password_step(client, user, next_url=None):
    url = "/connexion" if next_url is None else f"/connexion?next={next_url}"
    return client.post(url, data={"email": user.email, "password": factories.PASSWORD})


def logged_in(client) -> bool:
    return client.get("/compte").status_code == 200


def test_a_supervisor_types_a_code_after_the_password(client, people):
    response = password_step(client, people.supervisor, next_url="/agence/dossiers")
    assert response.headers["Location"] == "/connexion/code"
    assert not logged_in(client)  # the password alone opens nothing
    page = client.get("/connexion/code")
    assert "Code de vérification" in text(page)
    done = client.post("/connexion/code", data={"code": factories.totp_code(people.supervisor)})
    assert done.headers["Location"] == "/agence/dossiers"
    assert logged_in(client)
    login = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "user.logged_in")
    ).one()
    assert login.changes == {"second_factor": "totp"}


def test_a_wrong_code_shows_a_french_error_and_logs_nobody_in(client, people):
    password_step(client, people.admin)
    response = client.post("/connexion/code", data={"code": "12"})
    assert response.status_code == 422
    assert "Code incorrect ou expiré" in text(response)
    assert not logged_in(client)


def test_a_code_already_used_is_refused_on_the_next_login(client, app, people):
    user = people.supervisor
    code = factories.totp_code(user)
    password_step(client, user)
    assert client.post("/connexion/code", data={"code": code}).status_code == 302
    client.post("/deconnexion")
    other = app.test_client()
    password_step(other, user)
    replay = other.post("/connexion/code", data={"code": code})
    assert replay.status_code == 422
    assert "Code incorrect ou expiré" in text(replay)


def test_five_wrong_codes_send_back_to_the_password(client, people, app):
    app.config["TOTP_RATE_LIMIT"] = "100 per minute"
    try:
        password_step(client, people.admin)
        for _ in range(4):
            assert client.post("/connexion/code", data={"code": "000000"}).status_code == 422
        fifth = client.post("/connexion/code", data={"code": "000000"}, follow_redirects=True)
        assert fifth.request.path == "/connexion"
        assert "Trop de codes incorrects. Reconnectez-vous." in text(fifth)
        right = client.post("/connexion/code", data={"code": factories.totp_code(people.admin)})
        assert right.headers["Location"] == "/connexion"
    finally:
        app.config["TOTP_RATE_LIMIT"] = "5 per minute"


def test_the_code_step_is_throttled_with_a_clear_429(client, people, app):
    assert app.config["TOTP_RATE_LIMIT"] == "5 per minute"
    for _ in range(5):
        password_step(client, people.admin)  # a fresh step each time: the tries count resets
        assert client.post("/connexion/code", data={"code": "000000"}).status_code == 422
    password_step(client, people.admin)
    response = client.post("/connexion/code", data={"code": factories.totp_code(people.admin)})
    assert response.status_code == 429
    assert "Trop de tentatives" in text(response)
    assert not logged_in(client)


def test_the_code_step_without_a_password_goes_back_to_the_login(client, people):
    response = client.post("/connexion/code", data={"code": "123456"}, follow_redirects=True)
    assert response.request.path == "/connexion"
    assert "Saisissez à nouveau votre adresse e-mail et votre mot de passe." in text(response)


def test_an_agent_without_a_second_factor_logs_in_with_the_password_only(client, people):
    assert password_step(client, people.agent).headers["Location"] == "/agence/"


def test_creditor_users_are_unaffected(client, people):
    assert password_step(client, people.creditor_admin).headers["Location"] == "/creancier/"
    assert client.get("/compte/double-authentification").status_code == 403
    assert "Double authentification" not in text(client.get("/compte"))


def enrol(client, path="/compte/double-authentification"):
    page = client.get(path)
    assert page.status_code == 200
    secret = re.search(r'data-testid="totp-secret">([A-Z2-7]+)<', page.get_data(as_text=True))
    return page, secret.group(1)


def test_a_manager_without_a_second_factor_must_enrol_before_any_page(client, people):
    people.supervisor.totp_secret = None
    people.supervisor.totp_confirmed_at = None
    db.session.commit()
    response = password_step(client, people.supervisor, next_url="/agence/echeances")
    assert response.headers["Location"] == "/compte/double-authentification"
    for path in ("/agence/", "/agence/echeances", "/compte"):
        blocked = client.get(path)
        assert blocked.headers["Location"] == "/compte/double-authentification", path
    page, secret = enrol(client)
    assert "<svg" in page.get_data(as_text=True)
    assert "Votre rôle impose la double authentification" in text(page)
    wrong = client.post("/compte/double-authentification", data={"code": "000000"})
    assert wrong.status_code == 422 and "Code incorrect" in text(wrong)
    done = client.post("/compte/double-authentification", data={"code": two_factor.code_at(secret)})
    assert done.headers["Location"] == "/agence/echeances"
    assert client.get("/agence/").status_code == 200
    assert people.supervisor.totp_secret == secret
    # Next time, the code step.
    client.post("/deconnexion")
    assert password_step(client, people.supervisor).headers["Location"] == "/connexion/code"


def test_an_agent_may_enrol_from_the_account_page_and_turn_it_off(client, login, people):
    login(people.agent)
    account = client.get("/compte")
    assert "Non activée." in text(account)
    _page, secret = enrol(client)
    client.post("/compte/double-authentification", data={"code": two_factor.code_at(secret)})
    assert "Activée" in text(client.get("/compte"))
    client.post("/deconnexion")
    assert password_step(client, people.agent).headers["Location"] == "/connexion/code"
    people.agent.totp_last_counter = None
    db.session.commit()
    client.post("/connexion/code", data={"code": two_factor.code_at(secret)})
    people.agent.totp_last_counter = None
    db.session.commit()
    off = client.post(
        "/compte/double-authentification/desactiver",
        data={"code": two_factor.code_at(secret)},
        follow_redirects=True,
    )
    assert "Double authentification désactivée." in text(off)
    assert not two_factor.is_enrolled(people.agent)


def test_a_manager_cannot_turn_it_off(client, login, people):
    login(people.supervisor)
    people.supervisor.totp_last_counter = None
    db.session.commit()
    response = client.post(
        "/compte/double-authentification/desactiver",
        data={"code": factories.totp_code(people.supervisor)},
        follow_redirects=True,
    )
    assert "obligatoire pour votre rôle" in text(response)
    assert two_factor.is_enrolled(people.supervisor)


def test_the_admin_resets_a_supervisors_second_factor_from_the_team_page(app, login, people):
    supervisor_client = app.test_client()
    login_as_supervisor = supervisor_client.post(
        "/connexion", data={"email": people.supervisor.email, "password": factories.PASSWORD}
    )
    assert login_as_supervisor.status_code == 302
    factories.second_step(supervisor_client, people.supervisor)
    assert logged_in(supervisor_client)

    admin = login(people.admin)
    team = admin.get("/agence/equipe")
    assert team.status_code == 200
    assert people.supervisor.email in text(team) and "Activée" in text(team)
    response = admin.post(
        f"/agence/equipe/{people.supervisor.id}/double-authentification/reinitialiser",
        data={"confirm": "1"},
        follow_redirects=True,
    )
    assert "réinitialisée" in text(response)
    assert not two_factor.is_enrolled(people.supervisor)
    assert not logged_in(supervisor_client)  # the lost phone's session is closed too
    event = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "user.totp_reset")
    ).one()
    assert event.actor_id == people.admin.id and event.entity_id == people.supervisor.id


@pytest.mark.parametrize("who", ["supervisor", "agent", "creditor_admin"])
def test_only_the_agency_admin_sees_the_team_page(client, login, people, who):
    login(getattr(people, who))
    assert client.get("/agence/equipe").status_code == 403
    reset = client.post(
        f"/agence/equipe/{people.supervisor.id}/double-authentification/reinitialiser",
        data={"confirm": "1"},
    )
    assert reset.status_code == 403
    assert two_factor.is_enrolled(people.supervisor)


def test_the_admin_cannot_reset_another_organisations_user(client, login, people):
    login(people.admin)
    response = client.post(
        f"/agence/equipe/{people.creditor_user.id}/double-authentification/reinitialiser",
        data={"confirm": "1"},
    )
    assert response.status_code == 404
