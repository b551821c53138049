"""Switching the interface language."""


def html_lang(response) -> str:
    page = response.get_data(as_text=True)
    start = page.index("<html lang=")
    return page[start : page.index(">", start) + 1]


def test_french_is_the_default(client):
    assert html_lang(client.get("/connexion")) == '<html lang="fr">'


def test_switching_to_english_sticks_for_the_session(client):
    response = client.post("/langue/en", data={"next": "/connexion"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/connexion"
    assert html_lang(client.get("/connexion")) == '<html lang="en">'
    assert html_lang(client.get("/mot-de-passe-oublie")) == '<html lang="en">'


def test_switching_back_to_french(client):
    client.post("/langue/en")
    client.post("/langue/fr")
    assert html_lang(client.get("/connexion")) == '<html lang="fr">'


def test_an_unknown_language_is_ignored(client):
    client.post("/langue/de", data={"next": "/connexion"})
    assert html_lang(client.get("/connexion")) == '<html lang="fr">'


def test_the_browsers_preference_applies_until_the_user_chooses(client):
    page = client.get("/connexion", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert html_lang(page) == '<html lang="en">'
    client.post("/langue/fr")
    page = client.get("/connexion", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert html_lang(page) == '<html lang="fr">'


def test_the_language_switch_does_not_redirect_off_site(client):
    response = client.post("/langue/en", data={"next": "https://evil.example/"})
    assert response.headers["Location"] == "/"
