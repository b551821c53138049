"""Sessions through the pages: idle and absolute expiry back to the page wanted, "log out
everywhere", a password change closing the other sessions, the account page's password form."""

import time

from app.extensions import db
from tests import factories
from tests.helpers import page_text as text

NEW_PASSWORD = "trois pommes et un melon"


def age(client, *, idle_minutes=0, since_login_hours=0):
    with client.session_transaction() as session:
        now = time.time()
        session["seen_at"] = int(now - idle_minutes * 60)
        session["auth_at"] = int(now - since_login_hours * 3600)


def test_thirty_idle_minutes_end_an_agents_session_and_the_login_brings_them_back(
    client, login, people
):
    login(people.agent)
    age(client, idle_minutes=29)
    assert client.get("/agence/dossiers").status_code == 200
    age(client, idle_minutes=31)
    response = client.get("/agence/dossiers?page=2")
    assert response.status_code == 302
    assert response.headers["Location"] == "/connexion?next=/agence/dossiers?page%3D2"
    page = client.get(response.headers["Location"])
    assert "Votre session a expiré après une période d'inactivité. Reconnectez-vous." in text(page)
    assert client.get("/agence/").headers["Location"].startswith("/connexion")
    back = client.post(
        response.headers["Location"],
        data={"email": people.agent.email, "password": factories.PASSWORD},
    )
    assert back.headers["Location"] == "/agence/dossiers?page=2"


def test_a_manager_comes_back_to_the_page_through_the_code_step(client, login, people):
    login(people.supervisor)
    age(client, idle_minutes=31)
    target = client.get("/agence/echeances").headers["Location"]
    assert target == "/connexion?next=/agence/echeances"
    client.post(target, data={"email": people.supervisor.email, "password": factories.PASSWORD})
    assert factories.second_step(client, people.supervisor).headers["Location"] == (
        "/agence/echeances"
    )


def test_creditor_users_have_sixty_idle_minutes(client, login, people):
    login(people.creditor_user)
    age(client, idle_minutes=45)
    assert client.get("/creancier/").status_code == 200
    age(client, idle_minutes=61)
    assert client.get("/creancier/").headers["Location"].startswith("/connexion")


def test_the_idle_time_is_configurable(app, client, login, people):
    app.config["SESSION_IDLE_MINUTES"] = 5
    try:
        login(people.agent)
        age(client, idle_minutes=6)
        assert client.get("/agence/").headers["Location"].startswith("/connexion")
    finally:
        app.config["SESSION_IDLE_MINUTES"] = 30


def test_an_active_session_still_ends_at_its_absolute_lifetime(client, login, people):
    login(people.agent)
    age(client, since_login_hours=11)
    assert client.get("/agence/").status_code == 200
    age(client, since_login_hours=12)
    response = client.get("/agence/", follow_redirects=True)
    assert response.request.path == "/connexion"
    assert "Votre session a atteint sa durée maximale. Reconnectez-vous." in text(response)


def test_log_out_everywhere_closes_every_session(app, client, login, people):
    other_device = app.test_client()
    other_device.post(
        "/connexion", data={"email": people.agent.email, "password": factories.PASSWORD}
    )
    assert other_device.get("/agence/").status_code == 200
    login(people.agent)
    response = client.post(
        "/compte/deconnexion-partout", data={"confirm": "1"}, follow_redirects=True
    )
    assert response.request.path == "/connexion"
    assert "Vous êtes déconnecté de tous vos appareils." in text(response)
    assert client.get("/agence/").headers["Location"].startswith("/connexion")
    closed = other_device.get("/agence/", follow_redirects=True)
    assert closed.request.path == "/connexion"
    assert "Votre session a été fermée. Reconnectez-vous." in text(closed)


def test_an_empty_post_logs_out_nobody(client, login, people):
    login(people.agent)
    client.post("/compte/deconnexion-partout", data={})
    assert client.get("/agence/").status_code == 200


def test_changing_the_password_keeps_this_session_and_closes_the_others(app, client, login, people):
    other_device = app.test_client()
    other_device.post(
        "/connexion", data={"email": people.agent.email, "password": factories.PASSWORD}
    )
    login(people.agent)
    response = client.post(
        "/compte/mot-de-passe",
        data={
            "current_password": factories.PASSWORD,
            "password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
        },
        follow_redirects=True,
    )
    assert "Votre mot de passe a été changé. Vos autres sessions ont été fermées." in text(response)
    assert client.get("/agence/").status_code == 200
    assert other_device.get("/agence/").headers["Location"].startswith("/connexion")


def test_the_password_form_explains_each_refusal_in_french(client, login, people):
    login(people.agent)
    page = client.get("/compte")
    assert "Changer mon mot de passe" in text(page)

    def change(current, new):
        return client.post(
            "/compte/mot-de-passe",
            data={"current_password": current, "password": new, "confirm": new},
        )

    wrong = change("pas le bon", NEW_PASSWORD)
    assert wrong.status_code == 422 and "Mot de passe actuel incorrect." in text(wrong)
    short = change(factories.PASSWORD, "court")
    assert "au moins 12 caractères" in text(short)
    common = change(factories.PASSWORD, "motdepasse2026")
    assert "mots de passe courants ou divulgués" in text(common)
    mine = change(factories.PASSWORD, "alice.agent.2026!")
    assert "ni votre adresse e-mail ni votre nom" in text(mine)
    same = change(factories.PASSWORD, factories.PASSWORD)
    assert "déjà utilisé ce mot de passe" in text(same)


def test_the_password_form_in_english(client, login, people):
    people.agent.locale = "en"
    db.session.commit()
    login(people.agent)
    client.post("/langue/en", data={"next": "/compte"})
    response = client.post(
        "/compte/mot-de-passe",
        data={
            "current_password": factories.PASSWORD,
            "password": "motdepasse2026",
            "confirm": "motdepasse2026",
        },
    )
    assert "common or breached passwords" in text(response)


def test_a_reset_closes_the_open_sessions(app, client, login, people):
    from app.services import accounts

    login(people.creditor_user)
    accounts.reset_password(people.creditor_user, NEW_PASSWORD)
    assert client.get("/creancier/").headers["Location"].startswith("/connexion")


def test_stay_logged_in_keeps_the_cookie_only_for_the_absolute_lifetime(client, people):
    response = client.post(
        "/connexion",
        data={"email": people.agent.email, "password": factories.PASSWORD, "remember": "y"},
    )
    cookies = response.headers.getlist("Set-Cookie")
    session_cookie = next(c for c in cookies if c.startswith("session="))
    assert "Expires=" in session_cookie and "HttpOnly" in session_cookie
    assert not any(c.startswith("remember_token=") for c in cookies)  # no 365-day cookie


def test_without_stay_logged_in_the_cookie_ends_with_the_browser(client, people):
    response = client.post(
        "/connexion", data={"email": people.agent.email, "password": factories.PASSWORD}
    )
    session_cookie = next(
        c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")
    )
    assert "Expires=" not in session_cookie


def test_the_reset_page_applies_the_policy_in_french(client, people):
    from app.services import accounts

    path = f"/reinitialiser/{accounts.make_reset_token(people.creditor_user)}"
    for password, message in (
        ("motdepasse2026", "mots de passe courants ou divulgués"),
        ("compta-dupont-2026", "ni votre adresse e-mail ni votre nom"),
        (factories.PASSWORD, "déjà utilisé ce mot de passe"),
    ):
        response = client.post(path, data={"password": password, "confirm": password})
        assert response.status_code == 422
        assert message in text(response), password
