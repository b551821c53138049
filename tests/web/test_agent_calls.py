"""An agent logs a call: outcome, promise to pay, follow-up date that becomes the next action."""

from __future__ import annotations

import re
from datetime import date

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent, CallLog, TimelineEntry
from tests import factories
from tests.helpers import page_text as text

pytestmark = pytest.mark.usefixtures("frozen_today")


@pytest.fixture
def case(people, today):
    return factories.make_case(people.creditor_user, today=today)


def call_form(**fields) -> dict:
    data = {
        "direction": "outbound",
        "phone_number": "04 72 00 00 00",
        "outcome": "reached",
        "duration": "4",
        "notes": "",
        "follow_up_on": "",
        "promised_amount": "",
        "promised_on": "",
    }
    data.update(fields)
    return {f"call-{key}": value for key, value in data.items()}


def input_value(page: str, name: str) -> str:
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', page).group(0)
    return re.search(r'value="([^"]*)"', tag).group(1)


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count(model.id)))


def test_a_promise_to_pay_is_logged_and_sets_the_next_action(people, login, client, case):
    login(people.agent)
    response = client.post(
        f"/agence/dossiers/{case.reference}/appels",
        data=call_form(
            outcome="promise_to_pay",
            promised_amount="1 200,50",
            promised_on="2026-12-05",
            follow_up_on="2026-12-10",
            notes="Le gérant promet un virement.",
        ),
    )

    assert response.status_code == 302
    call = db.session.scalars(sa.select(CallLog)).one()
    assert call.phone_number == "+33472000000"
    assert call.outcome == "promise_to_pay"
    assert call.promised_amount_cents == 120_050
    assert call.promised_on == date(2026, 12, 5)
    assert call.duration_seconds == 240
    assert call.agent_id == people.agent.id
    db.session.refresh(case)
    assert case.next_action_on == date(2026, 12, 5)
    kinds = set(
        db.session.scalars(sa.select(TimelineEntry.kind).where(TimelineEntry.case_id == case.id))
    )
    assert {"call", "call_notes"} <= kinds
    assert (
        db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.case_id == case.id)).all()[
            -1
        ]
        == "case.call_logged"
    )

    page = text(client.get(f"/agence/dossiers/{case.reference}"))
    assert "Appel enregistré." in page
    assert "promesse de paiement" in page
    assert "1 200,50 €" in page
    assert "05/12/2026" in page
    assert "Le gérant promet un virement." in page


def test_a_follow_up_date_becomes_the_next_action(people, login, client, case):
    login(people.agent)
    client.post(
        f"/agence/dossiers/{case.reference}/appels",
        data=call_form(outcome="voicemail", follow_up_on="2026-11-27"),
    )
    db.session.refresh(case)
    assert case.next_action_on == date(2026, 11, 27)


def test_an_invalid_phone_number_is_refused_and_kept_as_typed(people, login, client, case):
    login(people.agent)
    response = client.post(
        f"/agence/dossiers/{case.reference}/appels",
        data=call_form(phone_number="12 34", notes="Essai"),
    )

    assert response.status_code == 422
    page = text(response)
    assert "Numéro de téléphone invalide." in page
    assert input_value(page, "call-phone_number") == "12 34"
    assert "Essai" in page
    assert count(CallLog) == 0


def test_a_promise_needs_an_amount_and_a_date(people, login, client, case):
    login(people.agent)
    response = client.post(
        f"/agence/dossiers/{case.reference}/appels", data=call_form(outcome="promise_to_pay")
    )

    assert response.status_code == 422
    page = text(response)
    assert "Indiquez le montant promis." in page
    assert "Indiquez la date promise." in page
    # The promise fields stay visible since the outcome chosen is a promise.
    assert re.search(r'id="call-promise" class="row g-2 "', page)
    assert count(CallLog) == 0


def test_an_amount_with_three_decimals_is_refused_and_kept(people, login, client, case):
    login(people.agent)
    response = client.post(
        f"/agence/dossiers/{case.reference}/appels",
        data=call_form(
            outcome="promise_to_pay", promised_amount="12,345", promised_on="2026-12-01"
        ),
    )

    assert response.status_code == 422
    page = text(response)
    assert "Un montant a au plus deux décimales." in page
    assert input_value(page, "call-promised_amount") == "12,345"
    assert input_value(page, "call-promised_on") == "2026-12-01"
    assert count(CallLog) == 0


def test_a_follow_up_date_in_the_past_is_refused(people, login, client, case):
    login(people.agent)
    response = client.post(
        f"/agence/dossiers/{case.reference}/appels",
        data=call_form(outcome="no_answer", follow_up_on="2026-11-20"),
    )

    assert response.status_code == 422
    assert "La date de relance ne peut pas être dans le passé." in text(response)
    assert count(CallLog) == 0
    db.session.refresh(case)
    assert case.next_action_on == date(2026, 11, 23)


def test_an_unknown_outcome_or_a_negative_duration_is_refused(people, login, client, case):
    login(people.agent)
    response = client.post(
        f"/agence/dossiers/{case.reference}/appels",
        data=call_form(outcome="hung_up", duration="-3"),
    )

    assert response.status_code == 422
    page = text(response)
    assert "Choisissez le résultat de l'appel." in page
    assert "La durée ne peut pas être négative." in page
    assert count(CallLog) == 0


def test_every_outcome_is_offered_in_french(people, login, client, case):
    login(people.agent)
    page = text(client.get(f"/agence/dossiers/{case.reference}"))
    for label in (
        "débiteur joint",
        "promesse de paiement",
        "contestation",
        "pas de réponse",
        "messagerie",
        "faux numéro",
        "refus de payer",
    ):
        assert f">{label}</option>" in page
