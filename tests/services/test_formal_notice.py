"""The day the debtor received the formal notice: recorded by the agency, seen by the creditor,
and the start of a consumer's legal interest."""

from datetime import date

import pytest
import sqlalchemy as sa

from app.domain import pipeline
from app.extensions import db
from app.models import AuditEvent
from app.services import access, casework
from app.services.errors import Forbidden, ValidationFailed
from tests import factories


@pytest.fixture
def case(people, today):
    case = factories.make_case(people.creditor_user, today=today)
    return casework.accept_case(people.agent, case, today=today)


def test_an_agent_records_the_date_and_the_creditor_sees_it_in_the_timeline(people, case, today):
    casework.set_formal_notice_received(people.agent, case, date(2026, 11, 20), today=today)

    assert case.formal_notice_received_on == date(2026, 11, 20)
    entry = access.timeline_for(people.creditor_user, case)[0]
    assert entry.kind == "formal_notice_received"
    assert entry.data == {"received_on": "2026-11-20", "previous": None}
    event = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "case.formal_notice_received")
    ).one()
    assert event.actor_id == people.agent.id
    assert event.changes == {"formal_notice_received_on": [None, "2026-11-20"]}


def test_a_corrected_date_keeps_the_previous_one_in_the_timeline(people, case, today):
    casework.set_formal_notice_received(people.agent, case, date(2026, 11, 20), today=today)
    casework.set_formal_notice_received(people.agent, case, date(2026, 11, 18), today=today)

    entry = access.timeline_for(people.agent, case)[0]
    assert entry.data == {"received_on": "2026-11-18", "previous": "2026-11-20"}


def test_the_same_date_twice_writes_nothing_more(people, case, today):
    casework.set_formal_notice_received(people.agent, case, date(2026, 11, 20), today=today)
    before = len(access.timeline_for(people.agent, case))
    casework.set_formal_notice_received(people.agent, case, date(2026, 11, 20), today=today)
    assert len(access.timeline_for(people.agent, case)) == before


def test_today_is_accepted_and_tomorrow_is_refused(people, case, today):
    casework.set_formal_notice_received(people.agent, case, today, today=today)

    with pytest.raises(ValidationFailed) as error:
        casework.set_formal_notice_received(people.agent, case, date(2026, 11, 24), today=today)
    assert error.value.errors == {
        "received_on": ["La date de réception ne peut pas être dans le futur."]
    }
    assert case.formal_notice_received_on == today


def test_a_date_is_required(people, case, today):
    with pytest.raises(ValidationFailed) as error:
        casework.set_formal_notice_received(people.agent, case, None, today=today)
    assert error.value.errors == {
        "received_on": ["Indiquez la date de réception de la mise en demeure."]
    }


def test_a_closed_case_takes_no_date(people, case, today):
    casework.move_stage(
        people.agent, case, pipeline.CLOSED, reason="Payé", outcome="paid", today=today
    )
    with pytest.raises(ValidationFailed) as error:
        casework.set_formal_notice_received(people.agent, case, today, today=today)
    assert error.value.errors == {"received_on": ["Le dossier n'est plus ouvert."]}


def test_a_creditor_cannot_record_it(people, case, today):
    with pytest.raises(Forbidden):
        casework.set_formal_notice_received(people.creditor_user, case, today, today=today)
    assert case.formal_notice_received_on is None
