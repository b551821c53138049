"""Assigning cases: agents take or release their own, supervisors hand them out."""

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent
from app.services import access, casework
from app.services.errors import Forbidden, ValidationFailed
from tests import factories


@pytest.fixture
def case(people):
    return factories.make_case(people.creditor_user)


def test_an_agent_takes_an_unassigned_case_for_themself(people, case):
    casework.assign_case(people.agent, case, people.agent.id)
    assert case.assigned_agent_id == people.agent.id
    entry = access.timeline_for(people.agent, case)[0]
    assert entry.kind == "assigned" and entry.data == {"agent": "Alice Agent"}
    audit = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "case.assigned"))
    assert audit.one().changes == {"assigned_agent_id": [None, people.agent.id]}


def test_an_agent_releases_their_case_back_to_the_pool(people, case):
    casework.assign_case(people.agent, case, people.agent.id)
    casework.assign_case(people.agent, case, None)
    assert case.assigned_agent_id is None


def test_an_agent_cannot_hand_a_case_to_another_agent(people, case):
    with pytest.raises(Forbidden):
        casework.assign_case(people.agent, case, people.other_agent.id)
    assert case.assigned_agent_id is None


@pytest.mark.parametrize("manager", ["supervisor", "admin"])
def test_a_supervisor_or_admin_assigns_a_case_to_any_agent(people, case, manager):
    casework.assign_case(getattr(people, manager), case, people.other_agent.id)
    assert case.assigned_agent_id == people.other_agent.id
    casework.assign_case(getattr(people, manager), case, people.agent.id)
    assert case.assigned_agent_id == people.agent.id


def test_assigning_to_the_current_agent_again_records_nothing(people, case):
    casework.assign_case(people.supervisor, case, people.agent.id)
    casework.assign_case(people.supervisor, case, people.agent.id)
    actions = db.session.scalars(sa.select(AuditEvent.action)).all()
    assert actions.count("case.assigned") == 1


@pytest.mark.parametrize("target", ["creditor_user", "missing", "inactive"])
def test_a_case_goes_only_to_an_active_member_of_the_agency(people, case, target):
    if target == "inactive":
        people.other_agent.active = False
        db.session.commit()
    agent_id = {
        "creditor_user": people.creditor_user.id,
        "missing": 999_999,
        "inactive": people.other_agent.id,
    }[target]
    with pytest.raises(ValidationFailed) as error:
        casework.assign_case(people.supervisor, case, agent_id)
    assert error.value.errors == {"agent_id": ["Agent introuvable."]}
    assert case.assigned_agent_id is None


def test_a_creditor_cannot_assign_cases(people, case):
    with pytest.raises(Forbidden):
        casework.assign_case(people.creditor_admin, case, people.agent.id)


def test_the_agents_list_holds_active_agency_staff_only(people):
    people.other_agent.active = False
    db.session.commit()
    names = [u.email for u in casework.agents()]
    assert people.agent.email in names and people.supervisor.email in names
    assert people.other_agent.email not in names
    assert people.creditor_user.email not in names


def test_an_agent_cannot_take_or_release_a_colleagues_case(people, case):
    casework.assign_case(people.supervisor, case, people.other_agent.id)
    with pytest.raises(Forbidden):
        casework.assign_case(people.agent, case, people.agent.id)
    with pytest.raises(Forbidden):
        casework.assign_case(people.agent, case, None)
    assert case.assigned_agent_id == people.other_agent.id
