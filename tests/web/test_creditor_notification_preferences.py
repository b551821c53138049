"""A creditor user chooses how the agency's messages and requests reach them by email."""

from __future__ import annotations

from app.extensions import db
from tests.helpers import page_text


def test_the_preferences_page_shows_the_current_choice_and_saves_a_new_one(people, login):
    client = login(people.creditor_user)
    page = client.get("/creancier/preferences").get_data(True)
    assert '<input checked class="form-check-input" id="notify-0"' in page
    response = client.post("/creancier/preferences", data={"notify": "daily"})
    assert response.status_code == 302
    db.session.refresh(people.creditor_user)
    assert people.creditor_user.notify == "daily"
    assert "Vos préférences sont enregistrées." in page_text(client.get("/creancier/preferences"))


def test_an_unknown_choice_is_refused_and_nothing_changes(people, login):
    client = login(people.creditor_user)
    response = client.post("/creancier/preferences", data={"notify": "hourly"})
    assert response.status_code == 422
    db.session.refresh(people.creditor_user)
    assert people.creditor_user.notify == "each"
