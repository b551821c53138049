"""Court procedures: no step without the creditor's approval, steps in order and in time, the
next deadline on the board and as a task (LAW.md section 6)."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Task
from app.services import cadence, casework, judicial
from app.services.errors import ValidationFailed

TODAY = date(2026, 11, 23)


@pytest.fixture
def judicial_case(people, amicable_case, today):
    casework.record_judicial_approval(
        people.supervisor, amicable_case, note="Accord écrit du 20/11."
    )
    casework.move_stage(
        people.supervisor, amicable_case, "judicial", reason="Relances sans effet.", today=today
    )
    return amicable_case


@pytest.fixture
def order(people, judicial_case):
    return judicial.start_procedure(
        people.agent, judicial_case, kind="payment_order", court_name="Tribunal de commerce de Lyon"
    )


def test_no_procedure_starts_without_the_creditors_approval(people, amicable_case):
    with pytest.raises(ValidationFailed) as refused:
        judicial.start_procedure(
            people.agent, amicable_case, kind="payment_order", court_name="TC Lyon"
        )
    assert "accord du créancier" in refused.value.errors["kind"][0]


def test_between_two_companies_the_order_goes_to_the_commercial_court(order):
    assert order.court_kind == "tribunal_de_commerce"


def test_a_service_date_before_the_order_date_is_refused(people, order):
    judicial.record_step(
        people.agent, order, kind="filed", occurred_on=date(2026, 9, 10), note="", today=TODAY
    )
    judicial.record_step(
        people.agent,
        order,
        kind="order_obtained",
        occurred_on=date(2026, 10, 1),
        note="",
        today=TODAY,
    )
    with pytest.raises(ValidationFailed) as refused:
        judicial.record_step(
            people.agent, order, kind="served", occurred_on=date(2026, 9, 30), note="", today=TODAY
        )
    assert refused.value.errors["occurred_on"]


def test_a_step_cannot_skip_the_one_before_it_nor_be_in_the_future(people, order):
    with pytest.raises(ValidationFailed, match="étape précédente manque"):
        judicial.record_step(
            people.agent, order, kind="served", occurred_on=TODAY, note="", today=TODAY
        )
    with pytest.raises(ValidationFailed):
        judicial.record_step(
            people.agent, order, kind="filed", occurred_on=date(2026, 11, 24), note="", today=TODAY
        )


def test_the_next_deadline_follows_the_order_and_its_service(people, order):
    step = judicial.record_step
    step(people.agent, order, kind="filed", occurred_on=date(2026, 9, 10), note="", today=TODAY)
    step(
        people.agent,
        order,
        kind="order_obtained",
        occurred_on=date(2026, 9, 15),
        note="",
        today=TODAY,
    )
    # Dated after 1 September 2026: 3 months to serve, until 15 December.
    assert judicial.next_deadline(order).due_on == date(2026, 12, 15)
    step(people.agent, order, kind="served", occurred_on=date(2026, 10, 20), note="", today=TODAY)
    assert judicial.next_deadline(order).due_on == date(2026, 11, 20)
    with pytest.raises(ValidationFailed, match="hors délai"):
        step(
            people.agent,
            order,
            kind="opposition_lodged",
            occurred_on=date(2026, 11, 23),
            note="",
            today=TODAY,
        )
    step(
        people.agent,
        order,
        kind="title_obtained",
        occurred_on=date(2026, 11, 23),
        note="",
        today=TODAY,
    )
    assert judicial.next_deadline(order) is None


def test_the_board_lists_an_order_to_serve_within_15_days_and_the_daily_run_raises_its_task(
    people, order
):
    judicial.record_step(
        people.agent, order, kind="filed", occurred_on=date(2026, 8, 20), note="", today=TODAY
    )
    judicial.record_step(
        people.agent,
        order,
        kind="order_obtained",
        occurred_on=date(2026, 9, 3),
        note="",
        today=TODAY,
    )
    # Served by 3 December: 10 days from today.
    (row,) = judicial.deadline_board(people.supervisor, TODAY, only_urgent=True)
    assert (row.deadline.due_on, row.urgency) == (date(2026, 12, 3), "soon")
    assert judicial.deadline_board(people.supervisor, date(2026, 11, 1), only_urgent=True) == []

    cadence.daily_run(TODAY)
    cadence.daily_run(TODAY, force=True)
    tasks = db.session.scalars(sa.select(Task).where(Task.kind == "judicial_deadline")).all()
    assert [(t.due_on, t.data["deadline_on"]) for t in tasks] == [(TODAY, "2026-12-03")]


def test_small_claims_are_for_5000_euros_at_most(people, judicial_case):
    judicial_case.claim_cents = 5_000_01
    db.session.commit()
    with pytest.raises(ValidationFailed, match="5 000"):
        judicial.start_procedure(people.agent, judicial_case, kind="small_claims", court_name="CJ")


def test_enforcement_needs_a_title(people, order):
    with pytest.raises(ValidationFailed, match="titre exécutoire"):
        judicial.record_step(
            people.agent, order, kind="garnishment_bank", occurred_on=TODAY, note="", today=TODAY
        )


def test_a_court_claim_restarts_the_limitation_period_and_a_title_gives_ten_years(people, order):
    from app.services import prescription

    case = order.case
    before = prescription.limitation_on(case)  # B2B: 5 years from the due date (2026-07-01)
    assert before == date(2031, 7, 1)
    judicial.record_step(
        people.agent, order, kind="filed", occurred_on=date(2026, 8, 20), note="", today=TODAY
    )
    assert prescription.limitation_on(case) == date(2031, 8, 20)
    judicial.record_step(
        people.agent,
        order,
        kind="order_obtained",
        occurred_on=date(2026, 9, 3),
        note="",
        today=TODAY,
    )
    judicial.record_step(
        people.agent, order, kind="served", occurred_on=date(2026, 9, 10), note="", today=TODAY
    )
    judicial.record_step(
        people.agent,
        order,
        kind="title_obtained",
        occurred_on=date(2026, 10, 20),
        note="",
        today=TODAY,
    )
    assert prescription.limitation_on(case) == date(2036, 10, 20)
