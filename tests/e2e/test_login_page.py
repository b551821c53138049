import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_a_user_who_types_a_wrong_password_sees_why_in_french(
    page, live_server, people, screenshots
):
    page.goto(f"{live_server}/connexion")
    page.get_by_label("Adresse e-mail").fill(people.agent.email)
    page.get_by_label("Mot de passe").fill("not the password")
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_text("Adresse e-mail ou mot de passe incorrect.")).to_be_visible()
    expect(page.get_by_label("Adresse e-mail")).to_have_value(people.agent.email)
    screenshots(page, "login-refused")
