"""Moving a case through the pipeline: the timeline the creditor sees, the audit trail, and
what each stage sets or clears on the case."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.domain import pipeline, roles
from app.domain.pipeline import TransitionRefused
from app.extensions import db
from app.models import AuditEvent, TimelineEntry
from app.services import access, casework
from tests import factories


@pytest.fixture
def case(people, today):
    return factories.make_case(people.creditor_user, today=today)


def stage_events(case):
    return db.session.scalars(
        sa.select(AuditEvent)
        .where(AuditEvent.case_id == case.id, AuditEvent.action == "case.stage_changed")
        .order_by(AuditEvent.id)
    ).all()


def test_accepting_a_case_moves_it_to_amicable_and_tells_the_creditor(people, case, today):
    case.next_action_on = None
    db.session.commit()
    casework.accept_case(people.agent, case, today=today)
    assert case.stage == pipeline.AMICABLE
    assert case.next_action_on == today
    entry = access.timeline_for(people.creditor_user, case)[0]
    assert entry.kind == "stage_changed"
    assert entry.actor_id == people.agent.id
    assert entry.text == "Dossier accepté"
    assert entry.data["from"] == pipeline.INTAKE and entry.data["to"] == pipeline.AMICABLE
    [audit] = stage_events(case)
    assert audit.actor_id == people.agent.id
    assert audit.changes["stage"] == [pipeline.INTAKE, pipeline.AMICABLE]


def test_a_refused_move_says_why_and_changes_nothing(people, case, today):
    with pytest.raises(TransitionRefused) as error:
        casework.move_stage(people.agent, case, pipeline.JUDICIAL, reason="Vite", today=today)
    assert str(error.value) == "Passage impossible de « Réception » à « Judiciaire »."
    db.session.refresh(case)
    assert case.stage == pipeline.INTAKE
    assert stage_events(case) == []
    kinds = db.session.scalars(sa.select(TimelineEntry.kind)).all()
    assert kinds == ["submitted"]


def test_a_case_of_a_creditor_without_mandate_cannot_be_accepted(people, today):
    creditor = factories.make_org("creditor", "Sans Mandat SARL", mandate=False)
    user = factories.make_user(creditor, roles.CREDITOR_USER, "compta@sans-mandat.example")
    case = factories.make_case(user, today=today)
    with pytest.raises(TransitionRefused, match="Aucun mandat écrit signé"):
        casework.accept_case(people.agent, case, today=today)
    assert case.stage == pipeline.INTAKE


def test_closing_records_the_outcome_and_the_date_and_clears_the_next_action(people, case, today):
    casework.accept_case(people.agent, case, today=today)
    casework.set_hold(people.agent, case, "promise")
    later = today + timedelta(days=12)
    casework.move_stage(
        people.agent,
        case,
        pipeline.CLOSED,
        reason="Réglé par virement",
        outcome="paid",
        today=later,
    )
    assert case.stage == pipeline.CLOSED
    assert case.outcome == "paid"
    assert case.closed_on == later
    assert case.next_action_on is None
    assert case.hold_reason is None
    assert not case.is_open
    assert stage_events(case)[-1].changes["outcome"] == "paid"


def test_closing_without_an_outcome_is_refused(people, case, today):
    casework.accept_case(people.agent, case, today=today)
    with pytest.raises(TransitionRefused, match="Indiquez l'issue de la clôture."):
        casework.move_stage(people.agent, case, pipeline.CLOSED, reason="Fin", today=today)
    assert case.stage == pipeline.AMICABLE and case.closed_on is None


def test_returning_a_case_keeps_the_reason_and_note_for_the_creditor(people, case, today):
    casework.return_to_creditor(
        people.agent,
        case,
        return_reason="incomplete",
        note="  Il manque le bon de livraison.  ",
        today=today,
    )
    assert case.stage == pipeline.RETURNED
    assert case.return_reason == "incomplete"
    assert case.return_note == "Il manque le bon de livraison."
    assert case.next_action_on is None
    entry = access.timeline_for(people.creditor_user, case)[0]
    assert entry.text == "Il manque le bon de livraison."
    assert entry.data["return_reason"] == "incomplete"


def test_returning_without_a_note_is_refused(people, case, today):
    with pytest.raises(TransitionRefused, match="Indiquez la raison"):
        casework.return_to_creditor(
            people.agent, case, return_reason="incomplete", note=" ", today=today
        )
    assert case.stage == pipeline.INTAKE and case.return_reason is None


def test_the_creditor_resubmits_a_returned_case_which_clears_the_return(people, case, today):
    casework.return_to_creditor(
        people.agent, case, return_reason="incomplete", note="Pièces manquantes", today=today
    )
    later = today + timedelta(days=3)
    casework.move_stage(
        people.creditor_user, case, pipeline.INTAKE, reason="Pièces ajoutées", today=later
    )
    assert case.stage == pipeline.INTAKE
    assert case.return_reason is None and case.return_note is None
    assert case.next_action_on == later
    audit = stage_events(case)[-1]
    assert audit.actor_id == people.creditor_user.id
    assert audit.changes["stage"] == [pipeline.RETURNED, pipeline.INTAKE]


def test_a_creditor_cannot_move_a_case_the_agency_is_working(people, case, today):
    casework.accept_case(people.agent, case, today=today)
    with pytest.raises(TransitionRefused, match="Votre rôle ne permet pas"):
        casework.move_stage(
            people.creditor_admin,
            case,
            pipeline.CLOSED,
            reason="On abandonne",
            outcome="withdrawn",
            today=today,
        )
    assert case.stage == pipeline.AMICABLE


def test_each_move_adds_its_own_timeline_entry(people, case, today):
    casework.accept_case(people.agent, case, today=today)
    casework.move_stage(
        people.agent, case, pipeline.INSOLVENCY, reason="Redressement judiciaire", today=today
    )
    moves = [
        (e.data["from"], e.data["to"])
        for e in access.timeline_for(people.creditor_user, case)
        if e.kind == "stage_changed"
    ]
    assert sorted(moves) == sorted(
        [(pipeline.INTAKE, pipeline.AMICABLE), (pipeline.AMICABLE, pipeline.INSOLVENCY)]
    )
    assert len(stage_events(case)) == 2


def test_a_creditor_can_withdraw_a_case_in_intake_but_not_declare_it_paid(people, today):
    from app.domain.pipeline import TransitionRefused
    from app.services import casework
    from tests import factories

    case = factories.make_case(people.creditor_user, today=today)
    with pytest.raises(TransitionRefused, match="retirant"):
        casework.move_stage(
            people.creditor_user, case, "closed", reason="Réglé", outcome="paid", today=today
        )
    assert case.stage == "intake"
    casework.move_stage(
        people.creditor_user,
        case,
        "closed",
        reason="Accord trouvé",
        outcome="withdrawn",
        today=today,
    )
    assert case.stage == "closed" and case.outcome == "withdrawn"
