"""The agent's tasks of the day: highest priority first, why, and done in one click."""

from __future__ import annotations

import re
from datetime import date

import sqlalchemy as sa

from app.extensions import db
from app.models import Task
from app.services import casework, tasks
from tests import factories
from tests.helpers import page_text


def visible(response) -> str:
    """The page's words without tags, spaces collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page_text(response)))


def test_the_queue_lists_due_tasks_by_priority_with_their_reasons(
    app, login, people, amicable_case, today, frozen_today
):
    small = factories.make_case(
        people.creditor_user,
        invoices=[factories.invoice("P-1", 30_000, issued=date(2026, 10, 1), days=30)],
        debtor=factories.debtor_input(name="Petit Client SARL", siren=factories.VALID_SIRENS[1]),
        today=today,
    )
    casework.accept_case(people.agent, small, today=today)
    tasks.raise_task(small, "call", due_on=today, source_key="t:small")
    tasks.raise_task(amicable_case, "promise_broken", due_on=today, source_key="t:big")
    tasks.raise_task(amicable_case, "call", due_on=date(2026, 12, 1), source_key="t:later")
    db.session.commit()

    text = visible(login(people.agent).get("/agence/"))
    assert "Tâches du jour 2" in text
    # 1,200 EUR owed, 145 days late, never contacted, a broken promise: before a 300 EUR call.
    assert text.index("Promesse non tenue") < text.index("Petit Client SARL")
    assert "Pourquoi ce dossier maintenant ?" in text
    assert "Montant dû : +20" in text and "Nature de la tâche : +20" in text


def test_marking_a_task_done_takes_it_off_the_queue_and_into_the_history(
    login, people, amicable_case, today, frozen_today
):
    task = tasks.raise_task(amicable_case, "call", due_on=today, source_key="t:one")
    db.session.commit()
    client = login(people.agent)

    response = client.post(f"/agence/taches/{task.id}/fait", data={"back": "case"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/agence/dossiers/{amicable_case.reference}")
    assert db.session.get(Task, task.id).status == "done"
    assert "Aucune tâche pour aujourd'hui." in page_text(client.get("/agence/"))
    again = client.post(f"/agence/taches/{task.id}/fait", follow_redirects=True)
    assert "Cette tâche est déjà terminée." in page_text(again)


def test_an_outbound_call_answers_the_call_task(people, amicable_case, today):
    tasks.raise_task(amicable_case, "call", due_on=today, source_key="t:call")
    db.session.commit()
    casework.log_call(
        people.agent,
        amicable_case,
        direction="outbound",
        phone_number="0472000000",
        outcome="no_answer",
        duration_seconds=30,
        notes="",
        today=today,
    )
    statuses = db.session.scalars(sa.select(Task.status)).all()
    assert statuses == ["done"]


def test_another_creditors_case_task_is_not_found_for_a_creditor(
    client, login, people, amicable_case, today
):
    task = tasks.raise_task(amicable_case, "call", due_on=today, source_key="t:x")
    db.session.commit()
    response = login(people.other_creditor_user).post(f"/agence/taches/{task.id}/fait")
    assert response.status_code in (403, 404)
    assert db.session.get(Task, task.id).status == "open"


def test_the_case_page_shows_the_automatic_plan_and_what_became_of_each_step(
    login, people, amicable_case, today, frozen_today, run_jobs
):
    from datetime import datetime, time
    from zoneinfo import ZoneInfo

    from app.services import cadence

    amicable_case.stage_changed_at = datetime.combine(today, time(9), ZoneInfo("Europe/Paris"))
    db.session.commit()
    cadence.daily_run(today)
    run_jobs()
    text = visible(login(people.agent).get(f"/agence/dossiers/{amicable_case.reference}"))
    assert "Scénario : Amiable standard" in text
    assert "1 · J+0 Courrier Première relance amiable 23/11/2026 Fait" in text
    assert "3 · J+3 Appel à passer 26/11/2026 À venir" in text
    assert "Relance automatique, étape 1 (Courrier) : Fait" in text

    casework.set_hold(people.agent, amicable_case, "dispute", note="Contestation reçue.")
    text = visible(login(people.agent).get(f"/agence/dossiers/{amicable_case.reference}"))
    assert "En pause : Dossier suspendu" in text


def test_a_long_day_shows_the_fifty_most_urgent_tasks_and_how_many_there_are(
    login, people, amicable_case, today, frozen_today
):
    for number in range(55):
        tasks.raise_task(amicable_case, "call", due_on=today, source_key=f"t:{number}")
    db.session.commit()
    text = visible(login(people.agent).get("/agence/"))
    assert "Tâches du jour 55" in text
    assert text.count("Pourquoi ce dossier maintenant ?") == 50
    assert "Les 50 plus prioritaires sur 55" in text
