"""The cadence's pure decisions: order, due dates, the contact cap, business days, calling hours."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from app.domain import cadence
from app.domain.cadence import CALL, EMAIL, ESCALATION, LETTER, CaseState, ContactPressure, Step

MONDAY = date(2026, 11, 23)


def state(**kwargs) -> CaseState:
    defaults = {"case_id": 1, "debtor_key": "i1", "stage": "amicable", "stage_started_on": MONDAY}
    return CaseState(**(defaults | kwargs))


def decide(today, **kwargs):
    return cadence.decide(state(**kwargs), cadence.DEFAULT_AMICABLE, today, ContactPressure())


def keys(decision) -> list[str]:
    return [a.step_key for a in decision.actions]


def test_day_zero_sends_the_first_letter_then_the_email():
    decision = decide(MONDAY)
    assert [(a.channel, a.template) for a in decision.actions] == [
        (LETTER, "relance_amiable"),
        (EMAIL, "email_relance"),
    ]


def test_a_step_done_is_not_planned_again_and_the_next_waits_for_its_day():
    done = {"letter:relance_amiable": MONDAY, "email:email_relance": MONDAY}
    assert decide(MONDAY + timedelta(days=2), done=done).skipped == "not_due"
    assert keys(decide(MONDAY + timedelta(days=3), done=done)) == ["call_task:-"]


def test_a_call_due_on_a_sunday_is_planned_for_monday():
    sunday_start = date(2026, 11, 26)  # Thursday + 3 days = Sunday 29
    step = Step(3, CALL)
    assert cadence.due_date(step, state(stage_started_on=sunday_start), None) == date(2026, 11, 30)


def test_a_call_due_before_a_weekend_waits_for_the_next_business_day_in_order():
    done = {"letter:relance_amiable": MONDAY, "email:email_relance": MONDAY}
    saturday = date(2026, 12, 5)
    decision = decide(saturday, done=done)
    # The call (due Thursday) would go first: on a Saturday nothing passes it.
    assert decision.actions == () and decision.skipped == "not_business_day"


def test_christmas_and_bastille_day_are_not_business_days():
    assert not cadence.is_business_day(date(2026, 12, 25))
    assert not cadence.is_business_day(date(2026, 7, 14))
    assert cadence.next_business_day(date(2026, 12, 25)) == date(2026, 12, 28)


def test_holds_plans_and_promises_stop_everything():
    assert decide(MONDAY, hold_reason="dispute").skipped == "hold"
    assert decide(MONDAY, hold_reason="creditor_request").skipped == "hold"
    assert decide(MONDAY, plan_in_good_standing=True).skipped == "plan"
    assert decide(MONDAY, pending_promise=True).skipped == "promise"
    assert decide(MONDAY, stage="closed").skipped == "not_open"


def test_the_cap_allows_three_contacts_in_seven_days_per_debtor():
    pressure = ContactPressure()
    for day in (MONDAY, MONDAY, MONDAY + timedelta(days=1)):
        pressure.record("i1", day)
    assert not pressure.allows("i1", MONDAY + timedelta(days=6))
    assert pressure.allows("i1", MONDAY + timedelta(days=7))  # Monday's two have left the window
    assert pressure.allows("i2", MONDAY)


def test_after_missed_days_the_cap_holds_back_the_fourth_contact():
    pressure = ContactPressure()
    decision = cadence.decide(state(), cadence.DEFAULT_AMICABLE, date(2026, 12, 3), pressure)
    # Ten days late (a Thursday): letter, email and the day-3 call; the day-10 reminder waits.
    assert [a.channel for a in decision.actions] == [LETTER, EMAIL, CALL]
    assert decision.skipped == "cap"
    assert pressure.count("i1", date(2026, 12, 3)) == 3


def test_escalation_is_not_a_contact_and_comes_last():
    done = dict.fromkeys(cadence.step_keys(cadence.DEFAULT_AMICABLE.steps)[:-1], MONDAY)
    decision = decide(MONDAY + timedelta(days=30), done=done)
    assert [a.channel for a in decision.actions] == [ESCALATION]
    done[decision.actions[0].step_key] = MONDAY + timedelta(days=30)
    assert decide(MONDAY + timedelta(days=31), done=done).skipped == "finished"


def test_a_step_from_the_last_contact_counts_from_the_later_of_contact_and_previous_step():
    scenario = cadence.Scenario(
        "Relatif",
        "amicable",
        (Step(0, LETTER, "relance_amiable"), Step(5, CALL, None, "last_contact")),
    )
    done = {"letter:relance_amiable": MONDAY}
    later_call = MONDAY + timedelta(days=4)
    s = state(done=done, last_contact_on=later_call)
    assert cadence.due_date(scenario.steps[1], s, MONDAY) == MONDAY + timedelta(days=9)


def test_calling_hours_follow_the_agency_policy():
    hours = cadence.CALLING_HOURS
    assert hours.allows(datetime(2026, 11, 23, 8, 0))  # Monday 8:00
    assert not hours.allows(datetime(2026, 11, 23, 20, 0))  # Monday 20:00
    assert hours.allows(datetime(2026, 11, 28, 12, 59))  # Saturday morning
    assert not hours.allows(datetime(2026, 11, 28, 13, 0))  # Saturday afternoon
    assert not hours.allows(datetime(2026, 11, 29, 10, 0))  # Sunday
    assert not hours.allows(datetime(2026, 12, 25, 10, 0))  # Christmas, a Friday
    assert hours.next_opening(datetime(2026, 11, 28, 14, 0)) == datetime(2026, 11, 30, 8, 0)
    assert hours.next_opening(datetime(2026, 11, 23, 7, 30)) == datetime(2026, 11, 23, 8, 0)
    assert hours.next_opening(datetime(2026, 12, 24, 21, 0)) == datetime(2026, 12, 26, 9, 0)


def test_step_keys_survive_an_edit_of_the_days_and_number_repeats():
    keys = cadence.step_keys(cadence.DEFAULT_AMICABLE.steps)
    assert keys == [
        "letter:relance_amiable",
        "email:email_relance",
        "call_task:-",
        "letter:relance_2",
        "call_task:-#2",
        "registered_letter:mise_en_demeure",
        "escalation:-",
    ]
    moved = [Step(s.offset_days + 2, s.channel, s.template) for s in cadence.DEFAULT_AMICABLE.steps]
    assert cadence.step_keys(moved) == keys
