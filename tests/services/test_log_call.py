"""Logging a call: the number in E.164, the next action from the dates, French errors."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import CallLog
from app.services import access, casework
from app.services.errors import Forbidden, ValidationFailed
from tests import factories


@pytest.fixture
def case(people, today):
    case = factories.make_case(people.creditor_user, today=today)
    return casework.accept_case(people.agent, case, today=today)


def call(actor, case, today, **overrides):
    values = {
        "direction": "outbound",
        "phone_number": "06 12 34 56 78",
        "outcome": "reached",
        "today": today,
    }
    return casework.log_call(actor, case, **{**values, **overrides})


def test_the_number_is_stored_in_e164(people, case, today):
    logged = call(people.agent, case, today, phone_number="06.12.34.56.78", duration_seconds=95)
    assert logged.phone_number == "+33612345678"
    assert logged.duration_seconds == 95
    assert logged.agent_id == people.agent.id


def test_a_promise_sooner_than_the_follow_up_becomes_the_next_action(people, case, today):
    call(
        people.agent,
        case,
        today,
        outcome="promise_to_pay",
        promised_amount_cents=50_000,
        promised_on=today + timedelta(days=5),
        follow_up_on=today + timedelta(days=10),
    )
    assert case.next_action_on == today + timedelta(days=5)


def test_a_follow_up_sooner_than_the_promise_becomes_the_next_action(people, case, today):
    call(
        people.agent,
        case,
        today,
        outcome="promise_to_pay",
        promised_amount_cents=50_000,
        promised_on=today + timedelta(days=7),
        follow_up_on=today + timedelta(days=3),
    )
    assert case.next_action_on == today + timedelta(days=3)


def test_a_follow_up_alone_becomes_the_next_action(people, case, today):
    call(people.agent, case, today, outcome="no_answer", follow_up_on=today + timedelta(days=2))
    assert case.next_action_on == today + timedelta(days=2)


def test_a_call_without_any_date_leaves_the_next_action_alone(people, case, today):
    case.next_action_on = today + timedelta(days=4)
    db.session.commit()
    call(people.agent, case, today, outcome="voicemail")
    assert case.next_action_on == today + timedelta(days=4)


def test_promise_details_are_dropped_when_the_outcome_is_not_a_promise(people, case, today):
    logged = call(
        people.agent,
        case,
        today,
        outcome="reached",
        promised_amount_cents=10_000,
        promised_on=today + timedelta(days=1),
    )
    assert logged.promised_amount_cents is None and logged.promised_on is None
    assert case.next_action_on == today


def test_the_creditor_sees_the_call_but_not_the_agents_notes(people, case, today):
    call(people.agent, case, today, outcome="dispute", notes="Conteste la livraison du 3 mai.")
    creditor_kinds = [e.kind for e in access.timeline_for(people.creditor_user, case)]
    agency_kinds = [e.kind for e in access.timeline_for(people.agent, case)]
    assert "call" in creditor_kinds and "call_notes" not in creditor_kinds
    assert "call_notes" in agency_kinds
    notes = next(e for e in access.timeline_for(people.agent, case) if e.kind == "call_notes")
    assert notes.text == "Conteste la livraison du 3 mai."


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"direction": "sideways"}, "direction", "Choisissez le sens de l'appel."),
        ({"outcome": "maybe"}, "outcome", "Choisissez le résultat de l'appel."),
        ({"phone_number": "123"}, "phone_number", "Numéro de téléphone invalide."),
        ({"phone_number": ""}, "phone_number", "Numéro de téléphone invalide."),
        ({"duration_seconds": -1}, "duration", "La durée ne peut pas être négative."),
        (
            {"follow_up_on": "yesterday"},
            "follow_up_on",
            "La date de relance ne peut pas être dans le passé.",
        ),
        (
            {"outcome": "promise_to_pay", "promised_on": "tomorrow"},
            "promised_amount",
            "Indiquez le montant promis.",
        ),
        (
            {"outcome": "promise_to_pay", "promised_amount_cents": 0, "promised_on": "tomorrow"},
            "promised_amount",
            "Indiquez le montant promis.",
        ),
        (
            {"outcome": "promise_to_pay", "promised_amount_cents": 10_000},
            "promised_on",
            "Indiquez la date promise.",
        ),
        (
            {
                "outcome": "promise_to_pay",
                "promised_amount_cents": 10_000,
                "promised_on": "yesterday",
            },
            "promised_on",
            "La date promise ne peut pas être dans le passé.",
        ),
    ],
    ids=[
        "direction",
        "outcome",
        "short number",
        "no number",
        "negative duration",
        "past follow-up",
        "promise without amount",
        "promise of zero",
        "promise without date",
        "promise in the past",
    ],
)
def test_a_bad_call_is_refused_with_a_french_message_and_nothing_saved(
    people, case, today, overrides, field, message
):
    dates = {"yesterday": today - timedelta(days=1), "tomorrow": today + timedelta(days=1)}
    overrides = {k: dates.get(v, v) if isinstance(v, str) else v for k, v in overrides.items()}
    before = case.next_action_on
    with pytest.raises(ValidationFailed) as error:
        call(people.agent, case, today, **overrides)
    assert error.value.errors[field] == [message]
    assert db.session.scalar(sa.select(sa.func.count(CallLog.id))) == 0
    assert case.next_action_on == before


def test_a_creditor_cannot_log_a_call(people, case, today):
    with pytest.raises(Forbidden):
        call(people.creditor_user, case, today)


def test_no_call_can_be_logged_on_a_closed_case(people, case, today):
    casework.move_stage(
        people.agent, case, "closed", reason="Payé au créancier", outcome="paid", today=today
    )
    with pytest.raises(ValidationFailed) as error:
        call(people.agent, case, today, follow_up_on=today + timedelta(days=3))
    assert "plus ouvert" in error.value.errors["outcome"][0]
    assert case.next_action_on is None
    assert db.session.scalar(sa.select(sa.func.count(CallLog.id))) == 0
