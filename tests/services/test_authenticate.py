"""Checking a login: the right password of an active account, whatever the address's case."""

import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent
from app.services import accounts
from tests import factories


def test_the_right_password_logs_in_and_records_when(people):
    assert people.agent.last_login_at is None
    user = accounts.authenticate(people.agent.email, factories.PASSWORD)
    assert user is people.agent
    assert user.last_login_at is not None
    audit = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "user.logged_in"))
    assert audit.one().actor_id == people.agent.id


def test_the_address_is_matched_whatever_its_case_and_spaces(people):
    assert accounts.authenticate(f"  {people.agent.email.upper()} ", factories.PASSWORD) is (
        people.agent
    )


def test_a_wrong_password_is_refused_and_not_recorded_as_a_login(people):
    assert accounts.authenticate(people.agent.email, "not the password at all") is None
    assert people.agent.last_login_at is None
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id))) == 0


def test_an_inactive_user_is_refused_even_with_the_right_password(people):
    people.creditor_user.active = False
    db.session.commit()
    assert accounts.authenticate(people.creditor_user.email, factories.PASSWORD) is None
    assert people.creditor_user.last_login_at is None


def test_an_unknown_address_is_refused(people):
    assert accounts.authenticate("personne@nulle-part.example", factories.PASSWORD) is None
