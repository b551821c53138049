"""Going to court needs the creditor's approval, recorded by a supervisor."""

import pytest

from app.domain import pipeline
from app.domain.pipeline import TransitionRefused
from app.services import access, casework
from app.services.errors import Forbidden, ValidationFailed
from tests import factories


@pytest.fixture
def case(people, today):
    case = factories.make_case(people.creditor_user, today=today)
    return casework.accept_case(people.agent, case, today=today)


def to_court(actor, case, today):
    return casework.move_stage(
        actor, case, pipeline.JUDICIAL, reason="Mise en demeure restée sans effet", today=today
    )


def test_without_approval_even_a_supervisor_cannot_go_to_court(people, case, today):
    with pytest.raises(TransitionRefused, match="n'a pas donné son accord"):
        to_court(people.supervisor, case, today)
    assert case.stage == pipeline.AMICABLE


def test_an_agent_cannot_record_the_approval(people, case):
    with pytest.raises(Forbidden):
        casework.record_judicial_approval(people.agent, case, note="Mail du 20/11")
    assert case.judicial_approved_at is None


def test_the_approval_needs_a_note_saying_how_it_was_given(people, case):
    with pytest.raises(ValidationFailed) as error:
        casework.record_judicial_approval(people.supervisor, case, note="  ")
    assert error.value.errors == {"note": ["Précisez comment le créancier a donné son accord."]}
    assert case.judicial_approved_at is None


def test_once_approved_a_supervisor_takes_the_case_to_court(people, case, today):
    casework.record_judicial_approval(people.supervisor, case, note="Accord écrit du 20/11")
    assert case.judicial_approved_at is not None
    entry = access.timeline_for(people.creditor_user, case)[0]
    assert entry.kind == "judicial_approved" and entry.text == "Accord écrit du 20/11"
    to_court(people.supervisor, case, today)
    assert case.stage == pipeline.JUDICIAL


def test_once_approved_an_agent_still_cannot_take_the_case_to_court(people, case, today):
    casework.record_judicial_approval(people.supervisor, case, note="Accord écrit du 20/11")
    with pytest.raises(TransitionRefused, match="Votre rôle ne permet pas"):
        to_court(people.agent, case, today)
    assert case.stage == pipeline.AMICABLE
