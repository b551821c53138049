"""The agency asks the creditor before going to court; nothing judicial happens without its yes."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.domain import pipeline
from app.domain.pipeline import TransitionRefused
from app.extensions import db
from app.models import ApprovalRequest, AuditEvent, Task
from app.services import access, casework, escalation
from app.services.errors import Forbidden, NotFound, ValidationFailed
from tests import factories


def ask(case, today, key="cadence:1:escalation"):
    request = escalation.request_escalation(case, today=today, source_key=key)
    db.session.commit()  # the daily run commits
    return request


def to_court(actor, case, today):
    return casework.move_stage(
        actor, case, pipeline.JUDICIAL, reason="Relances sans effet", today=today
    )


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_asking_twice_for_the_same_cause_creates_one_request(amicable_case, today):
    first = ask(amicable_case, today)
    assert first is not None and first.status == "pending"
    assert ask(amicable_case, today) is None
    assert count(ApprovalRequest) == 1


def test_a_second_cause_does_not_ask_while_a_request_is_pending(amicable_case, today):
    ask(amicable_case, today, "cadence:1")
    assert ask(amicable_case, today, "cadence:2") is None
    assert count(ApprovalRequest) == 1


def test_a_request_shows_on_the_creditors_timeline_and_in_the_audit(people, amicable_case, today):
    request = ask(amicable_case, today)
    entry = access.timeline_for(people.creditor_user, amicable_case)[0]
    assert entry.kind == "escalation_requested" and entry.data == {"request_id": request.id}
    audit = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "escalation.requested")
    ).one()
    assert audit.entity_id == request.id and audit.case_id == amicable_case.id


def test_nothing_is_asked_outside_the_amicable_stage(people, today):
    case = factories.make_case(people.creditor_user, today=today)
    assert case.stage == pipeline.INTAKE
    assert ask(case, today) is None
    assert count(ApprovalRequest) == 0


def test_nothing_is_asked_once_the_creditor_approved(people, amicable_case, today):
    casework.record_judicial_approval(people.supervisor, amicable_case, note="Mail du 20/11")
    assert ask(amicable_case, today) is None


def test_the_request_does_not_commit_for_the_caller(amicable_case, today):
    escalation.request_escalation(amicable_case, today=today, source_key="k")
    db.session.rollback()
    assert count(ApprovalRequest) == 0


def test_before_approval_a_supervisor_cannot_go_to_court(people, amicable_case, today):
    ask(amicable_case, today)
    with pytest.raises(TransitionRefused):
        to_court(people.supervisor, amicable_case, today)
    assert amicable_case.stage == pipeline.AMICABLE


def test_once_the_creditor_approves_a_supervisor_may_go_to_court(people, amicable_case, today):
    request = ask(amicable_case, today)
    escalation.decide_escalation(
        people.creditor_user, request, approve=True, note="D'accord", today=today
    )
    assert request.status == "approved" and request.decided_by_id == people.creditor_user.id
    assert amicable_case.judicial_approved_at is not None
    assert escalation.pending_for_creditor(people.creditor_user) == []
    entry = access.timeline_for(people.creditor_user, amicable_case)[0]
    assert entry.kind == "escalation_approved"
    (task,) = db.session.scalars(sa.select(Task).where(Task.kind == "follow_up")).all()
    assert "passer le dossier en phase judiciaire" in task.data["reason"]
    to_court(people.supervisor, amicable_case, today)
    assert amicable_case.stage == pipeline.JUDICIAL


def test_a_refusal_needs_a_reason(people, amicable_case, today):
    request = ask(amicable_case, today)
    with pytest.raises(ValidationFailed) as error:
        escalation.decide_escalation(
            people.creditor_user, request, approve=False, note=" ", today=today
        )
    assert error.value.errors == {
        "note": ["Dites à l'agence pourquoi vous refusez le passage au judiciaire."]
    }
    assert request.status == "pending"


def test_a_refusal_raises_one_task_for_the_agent(people, amicable_case, today):
    request = ask(amicable_case, today)
    escalation.decide_escalation(
        people.creditor_admin, request, approve=False, note="Client historique", today=today
    )
    assert request.status == "refused" and request.decision_note == "Client historique"
    tasks = db.session.scalars(sa.select(Task)).all()
    assert [(t.kind, t.source_key, t.due_on) for t in tasks] == [
        ("escalation_refused", f"escalation-refused:{request.id}", today)
    ]
    with pytest.raises(ValidationFailed):  # decided: it cannot be decided again
        escalation.decide_escalation(
            people.creditor_admin, request, approve=False, note="Encore", today=today
        )
    assert count(Task) == 1
    assert amicable_case.judicial_approved_at is None
    with pytest.raises(TransitionRefused):
        to_court(people.supervisor, amicable_case, today)


def test_after_a_refusal_the_agency_may_ask_again(people, amicable_case, today):
    request = ask(amicable_case, today)
    escalation.decide_escalation(
        people.creditor_user, request, approve=False, note="Pas maintenant", today=today
    )
    again = escalation.propose_escalation(people.agent, amicable_case, today=today, note="Relance")
    assert again.status == "pending" and again.requested_by_id == people.agent.id
    assert [r.id for r in escalation.requests_of(amicable_case)] == [again.id, request.id]


def test_another_creditor_can_neither_see_nor_decide(people, amicable_case, today):
    request = ask(amicable_case, today)
    with pytest.raises(NotFound):
        escalation.get_request(people.other_creditor_user, request.id)
    assert escalation.pending_for_creditor(people.other_creditor_user) == []
    with pytest.raises(Forbidden):
        escalation.decide_escalation(
            people.other_creditor_user, request, approve=True, note="", today=today
        )
    assert request.status == "pending" and amicable_case.judicial_approved_at is None


def test_the_agency_cannot_answer_for_the_creditor(people, amicable_case, today):
    request = ask(amicable_case, today)
    with pytest.raises(Forbidden):
        escalation.decide_escalation(people.supervisor, request, approve=True, note="", today=today)


def test_the_creditor_sees_its_pending_requests(people, amicable_case, today):
    request = ask(amicable_case, today)
    assert escalation.pending_for_creditor(people.creditor_user) == [request]
    assert escalation.pending_for_creditor(people.creditor_admin) == [request]
    assert escalation.pending_for_creditor(people.agent) == []


def test_an_agent_proposal_is_refused_while_one_is_pending(people, amicable_case, today):
    escalation.propose_escalation(people.agent, amicable_case, today=today)
    with pytest.raises(ValidationFailed) as error:
        escalation.propose_escalation(people.agent, amicable_case, today=today)
    assert error.value.errors == {"note": ["Une demande attend déjà la réponse du créancier."]}
    assert count(ApprovalRequest) == 1


def test_a_request_left_pending_when_the_case_closes_can_no_longer_be_approved(
    people, amicable_case, today
):
    request = ask(amicable_case, today)
    casework.move_stage(
        people.agent, amicable_case, pipeline.CLOSED, reason="Payé", outcome="paid", today=today
    )
    assert escalation.pending_for_creditor(people.creditor_user) == []
    with pytest.raises(ValidationFailed):
        escalation.decide_escalation(
            people.creditor_user, request, approve=True, note="", today=today
        )
    assert amicable_case.judicial_approved_at is None


def test_a_pending_request_is_withdrawn_when_the_case_leaves_the_amicable_stage(
    people, amicable_case, today
):
    from app.services import casework

    request = escalation.request_escalation(amicable_case, today=today, source_key="t:leave")
    db.session.commit()
    casework.move_stage(
        people.agent,
        amicable_case,
        "closed",
        reason="Payé au créancier.",
        outcome="paid",
        today=today,
    )
    assert db.session.get(type(request), request.id).status == "withdrawn"
    assert escalation.pending_for_creditor(people.creditor_user) == []
