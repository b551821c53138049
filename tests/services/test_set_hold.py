"""Holds suspend an open case for a reason the creditor sees; a closed case takes none."""

import pytest

from app.domain import pipeline
from app.services import access, casework
from app.services.errors import Forbidden, ValidationFailed
from tests import factories


@pytest.fixture
def case(people, today):
    case = factories.make_case(people.creditor_user, today=today)
    return casework.accept_case(people.agent, case, today=today)


def test_an_agent_puts_an_open_case_on_hold_and_the_creditor_sees_it(people, case):
    casework.set_hold(people.agent, case, "dispute", note="Le client conteste la facture.")
    assert case.hold_reason == "dispute"
    entry = access.timeline_for(people.creditor_user, case)[0]
    assert entry.kind == "hold_changed"
    assert entry.data == {"from": None, "to": "dispute"}
    assert entry.text == "Le client conteste la facture."


def test_lifting_a_hold_clears_it(people, case):
    casework.set_hold(people.agent, case, "payment_plan")
    casework.set_hold(people.agent, case, None)
    assert case.hold_reason is None
    assert access.timeline_for(people.agent, case)[0].data == {"from": "payment_plan", "to": None}


def test_an_unknown_hold_reason_is_refused(people, case):
    with pytest.raises(ValidationFailed) as error:
        casework.set_hold(people.agent, case, "holiday")
    assert error.value.errors == {"hold_reason": ["Motif de suspension inconnu."]}


def test_a_closed_case_cannot_be_put_on_hold(people, case, today):
    casework.move_stage(
        people.agent, case, pipeline.CLOSED, reason="Payé", outcome="paid", today=today
    )
    with pytest.raises(ValidationFailed) as error:
        casework.set_hold(people.agent, case, "dispute")
    assert error.value.errors == {"hold_reason": ["Le dossier n'est plus ouvert."]}
    assert case.hold_reason is None


def test_a_creditor_cannot_put_a_case_on_hold(people, case):
    with pytest.raises(Forbidden):
        casework.set_hold(people.creditor_user, case, "creditor_request")
    assert case.hold_reason is None
