"""Write-offs and settlements: the agency asks, the creditor decides."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent, Task
from app.services import access, approvals
from app.services.errors import Forbidden, ValidationFailed

OWED = 129_792  # the amicable case's balance on TODAY


def test_a_settlement_must_be_above_zero_and_below_what_is_owed(people, amicable_case, today):
    for amount in (None, 0, OWED, OWED + 1):
        with pytest.raises(ValidationFailed) as refused:
            approvals.request_settlement(
                people.agent, amicable_case, amount, "Offre du débiteur", today=today
            )
        assert "amount" in refused.value.errors
    request = approvals.request_settlement(
        people.agent, amicable_case, 90_000, "Offre du débiteur", today=today
    )
    assert (request.kind, request.status, request.amount_cents) == ("settlement", "pending", 90_000)


def test_a_creditor_cannot_ask_and_a_second_request_of_the_same_kind_waits(
    people, amicable_case, today
):
    with pytest.raises(Forbidden):
        approvals.request_write_off(people.creditor_user, amicable_case, None, "x", today=today)
    approvals.request_write_off(people.agent, amicable_case, None, "Débiteur disparu", today=today)
    with pytest.raises(ValidationFailed):
        approvals.request_write_off(people.agent, amicable_case, None, "Encore", today=today)


def test_an_approved_write_off_closes_the_case_as_irrecoverable(people, amicable_case, today):
    request = approvals.request_write_off(
        people.agent, amicable_case, None, "Société radiée", today=today
    )
    assert request.amount_cents == OWED
    approvals.decide(people.creditor_user, request, approve=True, note="", today=today)
    assert (amicable_case.stage, amicable_case.outcome) == ("closed", "irrecoverable")
    assert amicable_case.closed_on == today
    kinds = [e.kind for e in access.timeline_for(people.creditor_user, amicable_case)]
    assert kinds[:2] == ["stage_changed", "write_off_approved"]
    actions = db.session.scalars(
        sa.select(AuditEvent.action).where(AuditEvent.case_id == amicable_case.id)
    ).all()
    assert {"write_off.requested", "write_off.decided", "case.stage_changed"} <= set(actions)


def test_an_approved_settlement_records_the_amount_and_asks_the_agent_to_collect_it(
    people, amicable_case, today
):
    request = approvals.request_settlement(
        people.agent, amicable_case, 100_000, "Le débiteur paie 1 000 € sous 8 jours", today=today
    )
    approvals.decide(people.creditor_user, request, approve=True, note="D'accord", today=today)
    assert (request.status, request.amount_cents, request.decision_note) == (
        "approved",
        100_000,
        "D'accord",
    )
    assert amicable_case.stage == "amicable"
    [task] = db.session.scalars(sa.select(Task).where(Task.case_id == amicable_case.id)).all()
    assert (task.kind, task.due_on, task.status) == ("follow_up", today, "open")
    assert task.data["settlement_cents"] == 100_000
    assert task.data["then_close_as"] == "settled"
    entry = access.timeline_for(people.creditor_user, amicable_case)[0]
    assert (entry.kind, entry.text) == ("settlement_approved", "D'accord")


def test_a_refusal_needs_a_note(people, amicable_case, today):
    request = approvals.request_settlement(
        people.agent, amicable_case, 50_000, "Offre", today=today
    )
    with pytest.raises(ValidationFailed) as refused:
        approvals.decide(people.creditor_user, request, approve=False, note="  ", today=today)
    assert "note" in refused.value.errors
    assert request.status == "pending"
    approvals.decide(people.creditor_user, request, approve=False, note="Trop bas", today=today)
    assert (request.status, request.decision_note) == ("refused", "Trop bas")
    assert amicable_case.stage == "amicable"


def test_another_creditor_or_the_agency_cannot_decide(people, amicable_case, today):
    request = approvals.request_write_off(people.agent, amicable_case, None, "Radiée", today=today)
    for someone in (people.other_creditor_user, people.supervisor):
        with pytest.raises(Forbidden):
            approvals.decide(someone, request, approve=True, note="", today=today)
    assert request.status == "pending"
    assert amicable_case.stage == "amicable"


def test_a_write_off_asked_by_an_agent_who_left_is_closed_by_the_agencys_system_account(
    people, amicable_case, today
):
    request = approvals.request_write_off(people.agent, amicable_case, None, "Radiée", today=today)
    people.agent.active = False
    db.session.commit()
    approvals.decide(people.creditor_user, request, approve=True, note="", today=today)
    assert amicable_case.stage == "closed"
    moved_by = db.session.scalar(
        sa.select(AuditEvent.actor_id)
        .where(AuditEvent.action == "case.stage_changed")
        .order_by(AuditEvent.id.desc())
        .limit(1)
    )
    from app.services.cadence_steps import system_actor

    assert moved_by == system_actor().id


def test_a_pending_write_off_never_shows_as_a_judicial_proposal(people, amicable_case, today):
    from app.services import escalation

    approvals.request_write_off(people.agent, amicable_case, None, "Radiée", today=today)
    assert escalation.pending_request(amicable_case) is None
    assert escalation.requests_of(amicable_case) == []
    assert escalation.pending_for_creditor(people.creditor_user) == []
    assert escalation.may_request(amicable_case)
