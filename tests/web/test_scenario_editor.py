"""The scenario editor: rows added and removed with plain buttons, refusals in French."""

from __future__ import annotations

import html

import pytest

from app.domain import cadence, pipeline
from app.domain.cadence import CALL, ESCALATION, LETTER, Step
from app.services import scenarios

pytestmark = pytest.mark.usefixtures("frozen_today")


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def row(index, offset, channel, template="", anchor="stage_start", remove=False) -> dict:
    data = {
        f"steps-{index}-offset_days": str(offset),
        f"steps-{index}-anchor": anchor,
        f"steps-{index}-channel": channel,
        f"steps-{index}-template": template,
    }
    if remove:
        data[f"steps-{index}-remove"] = "y"
    return data


def form(name="Relance courte", stage="amicable", profile="", creditor_id="", *rows, **extra):
    data = {"name": name, "stage": stage, "profile": profile, "creditor_id": creditor_id}
    for r in rows:
        data.update(r)
    data.update(extra)
    return data


def test_the_list_shows_the_built_in_default_read_only_with_its_steps_in_words(people, login):
    client = login(people.supervisor)
    page = client.get("/agence/scenarios")
    assert page.status_code == 200
    body = text(page)
    assert 'data-testid="default-scenario"' in body
    assert "Amiable standard" in body
    assert "J+3 après le début de l'étape : Appel à passer" in body
    assert "J+0 après le début de l'étape : Courrier (Première relance amiable)" in body
    assert "Copier pour modifier" in body


def test_copying_the_default_prefills_a_new_scenario_with_its_steps(people, login):
    client = login(people.admin)
    page = client.get("/agence/scenarios/nouveau?copie=defaut")
    body = text(page)
    assert page.status_code == 200
    assert body.count('data-testid="step-row"') == len(cadence.DEFAULT_AMICABLE.steps)
    assert 'value="Amiable standard"' in body
    assert 'name="steps-6-channel"' in body
    assert '<option selected value="escalation">' in body


def test_adding_a_row_works_without_javascript_and_keeps_what_was_typed(people, login):
    client = login(people.supervisor)
    page = client.post(
        "/agence/scenarios/nouveau",
        data=form("Ma relance", "amicable", "", "", row(0, 4, "call_task"), add_step="1"),
    )
    assert page.status_code == 200
    body = text(page)
    assert body.count('data-testid="step-row"') == 2
    assert 'value="Ma relance"' in body
    assert 'name="steps-0-offset_days" type="number" value="4"' in body
    assert 'name="steps-1-offset_days"' in body
    assert scenarios.active_scenarios() == []


def test_a_ticked_row_is_removed_and_the_rest_is_saved(people, login):
    client = login(people.supervisor)
    response = client.post(
        "/agence/scenarios/nouveau",
        data=form(
            "Ma relance",
            "amicable",
            "",
            "",
            row(0, 0, "letter", "relance_amiable"),
            row(1, 2, "sms", remove=True),
            row(2, 7, "call_task"),
            save="1",
        ),
    )
    assert response.status_code == 302
    (saved,) = scenarios.active_scenarios()
    assert saved.steps == (Step(0, LETTER, "relance_amiable"), Step(7, CALL))
    assert saved.name == "Ma relance" and saved.creditor_id is None and saved.profile is None


def test_a_refused_save_keeps_the_input_and_shows_every_error_in_french(people, login):
    client = login(people.supervisor)
    page = client.post(
        "/agence/scenarios/nouveau",
        data=form(
            "",
            "amicable",
            "",
            "",
            row(0, -3, "call_task"),
            row(1, 5, "call_task", "relance_2"),
            row(2, 30, "escalation"),
            row(3, 31, "letter", "mise_en_demeure"),
            save="1",
        ),
    )
    assert page.status_code == 422
    body = text(page)
    assert "Le scénario n'a pas été enregistré" in body
    assert "Donnez un nom au scénario." in body
    assert "le délai ne peut pas être négatif." in body
    assert "ce canal n'utilise pas de modèle." in body
    assert "aucune étape ne peut suivre la proposition d'escalade." in body
    assert 'name="steps-0-offset_days" type="number" value="-3"' in body
    assert body.count('data-testid="step-error"') == 3
    assert scenarios.active_scenarios() == []


def test_a_number_of_days_that_is_not_a_number_is_refused_in_french(people, login):
    client = login(people.admin)
    page = client.post(
        "/agence/scenarios/nouveau",
        data=form("X", "amicable", "", "", row(0, "trois", "call_task"), save="1"),
    )
    assert page.status_code == 422
    assert "Le délai est un nombre entier de jours." in text(page)
    assert 'value="trois"' in text(page)


def test_a_scenario_for_one_creditor_and_profile_is_saved(people, login):
    client = login(people.admin)
    response = client.post(
        "/agence/scenarios/nouveau",
        data=form(
            "Gros montants Dupont",
            "amicable",
            "high_amount",
            str(people.creditor.id),
            row(0, 0, "registered_letter", "mise_en_demeure"),
            row(1, 15, "escalation"),
            save="1",
        ),
    )
    assert response.status_code == 302
    (saved,) = scenarios.active_scenarios()
    assert (saved.creditor_id, saved.profile) == (people.creditor.id, "high_amount")
    page = text(client.get("/agence/scenarios"))
    assert "Gros montants Dupont" in page and "Boulangerie Dupont SAS" in page
    assert "J+15 après le début de l'étape : Proposition de passage au judiciaire" in page
    # Not an agency-wide amicable scenario: the default still applies to everyone else.
    assert 'data-testid="default-scenario"' in page


def test_editing_a_scenario_changes_its_steps(people, login):
    scenario = scenarios.save_scenario(
        people.admin,
        None,
        name="Générale",
        stage=pipeline.AMICABLE,
        profile=None,
        creditor_id=None,
        steps=[Step(0, CALL), Step(30, ESCALATION)],
    )
    client = login(people.supervisor)
    page = client.get(f"/agence/scenarios/{scenario.id}")
    assert page.status_code == 200 and 'value="Générale"' in text(page)
    response = client.post(
        f"/agence/scenarios/{scenario.id}",
        data=form("Générale", "amicable", "", "", row(0, 1, "call_task"), save="1"),
    )
    assert response.status_code == 302
    assert scenarios.active_scenarios()[0].steps == (Step(1, CALL),)
    assert 'data-testid="default-scenario"' not in text(client.get("/agence/scenarios"))


def test_deactivating_asks_for_confirmation(people, login):
    scenario = scenarios.save_scenario(
        people.admin,
        None,
        name="Générale",
        stage=pipeline.AMICABLE,
        profile=None,
        creditor_id=None,
        steps=[Step(0, CALL)],
    )
    client = login(people.supervisor)
    url = f"/agence/scenarios/{scenario.id}/desactivation"
    assert "Je confirme la désactivation" in text(client.get(url))
    assert client.post(url, data={}).status_code == 422
    assert scenarios.active_scenarios() != []
    assert client.post(url, data={"confirm": "yes"}).status_code == 302
    assert scenarios.active_scenarios() == []


@pytest.mark.parametrize(
    "path",
    ["/agence/scenarios", "/agence/scenarios/nouveau", "/agence/scenarios/nouveau?copie=defaut"],
)
def test_an_agent_gets_403_on_the_editor_pages(people, login, path):
    client = login(people.agent)
    assert client.get(path).status_code == 403


def test_an_agent_cannot_save_or_deactivate_a_scenario(people, login):
    scenario = scenarios.save_scenario(
        people.admin,
        None,
        name="Générale",
        stage=pipeline.AMICABLE,
        profile=None,
        creditor_id=None,
        steps=[Step(0, CALL)],
    )
    client = login(people.agent)
    data = form("X", "amicable", "", "", row(0, 0, "call_task"), save="1")
    assert client.post("/agence/scenarios/nouveau", data=data).status_code == 403
    assert client.post(f"/agence/scenarios/{scenario.id}", data=data).status_code == 403
    url = f"/agence/scenarios/{scenario.id}/desactivation"
    assert client.post(url, data={"confirm": "yes"}).status_code == 403
    assert [s.name for s in scenarios.active_scenarios()] == ["Générale"]


def test_agents_do_not_see_the_scenarios_link(people, login):
    client = login(people.agent)
    assert 'data-testid="nav-scenarios"' not in text(client.get("/agence/"))


def test_managers_see_the_scenarios_link(people, login):
    client = login(people.supervisor)
    assert 'data-testid="nav-scenarios"' in text(client.get("/agence/"))


def test_the_scenario_pages_read_in_english(people, login, client):
    from tests.web.test_english_locale import assert_english_page, read_catalog

    login(people.supervisor)
    client.post("/langue/en")
    catalog = read_catalog()
    assert_english_page(
        client.get("/agence/scenarios"),
        catalog,
        "Reminder scenarios",
        "D+3 after the start of the stage: Call to make",
        "Copy to edit",
    )
    editor = client.get("/agence/scenarios/nouveau?copie=defaut")
    assert_english_page(editor, catalog, "Step 1", "after the start of the stage", "Remove")
    assert 'value="Add a step"' in editor.get_data(as_text=True)


def test_a_second_active_scenario_for_the_same_place_is_refused_on_the_page(people, login):
    scenarios.save_scenario(
        people.admin,
        None,
        name="Générale",
        stage=pipeline.AMICABLE,
        profile=None,
        creditor_id=None,
        steps=[Step(0, CALL)],
    )
    client = login(people.supervisor)
    page = client.post(
        "/agence/scenarios/nouveau",
        data=form("Doublon", "amicable", "", "", row(0, 2, "call_task"), save="1"),
    )
    assert page.status_code == 422
    assert "Un autre scénario actif couvre déjà cette étape, ce profil et ce créancier" in text(
        page
    )
    assert 'value="Doublon"' in text(page)
    assert [s.name for s in scenarios.active_scenarios()] == ["Générale"]
