"""Session rules (app/services/sessions.py) and the password service's effect on sessions."""

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent, PasswordHistory
from app.services import accounts, sessions
from app.services.errors import ValidationFailed
from tests import factories

LIMITS = sessions.Limits(idle_seconds=30 * 60, absolute_seconds=12 * 3600)


def test_a_session_expires_after_the_idle_time_or_the_absolute_lifetime():
    t0 = 1_000_000.0
    assert sessions.expiry(t0 + 29 * 60, t0, t0, LIMITS) is None
    assert sessions.expiry(t0 + 30 * 60, t0, t0, LIMITS) == sessions.IDLE
    # Active all day: still ended twelve hours after the login.
    assert sessions.expiry(t0 + 12 * 3600, t0, t0 + 12 * 3600 - 60, LIMITS) == sessions.ABSOLUTE


def test_agency_staff_idle_30_minutes_creditors_60_by_default(app, people):
    assert sessions.limits_for(people.agent, app.config).idle_seconds == 30 * 60
    assert sessions.limits_for(people.creditor_user, app.config).idle_seconds == 60 * 60
    assert sessions.limits_for(people.agent, app.config).absolute_seconds == 12 * 3600


def test_the_stored_id_carries_the_session_version(people):
    user = people.agent
    assert user.get_id() == f"{user.id}:0"
    assert sessions.load_session_user(user.get_id()) is user
    accounts.log_out_everywhere(user)
    assert sessions.load_session_user(f"{user.id}:0") is None
    assert sessions.load_session_user(user.get_id()) is user
    assert sessions.load_session_user(str(user.id)) is None  # an old-style id
    assert sessions.load_session_user("garbage") is None
    assert db.session.scalar(sa.select(AuditEvent.action)) == "user.logged_out_everywhere"


def test_an_inactive_user_no_longer_loads(people):
    people.agent.active = False
    db.session.commit()
    assert sessions.load_session_user(people.agent.get_id()) is None


def test_changing_the_password_checks_the_current_one_the_policy_and_ends_other_sessions(people):
    user = people.agent
    with pytest.raises(ValidationFailed) as wrong:
        accounts.change_password(user, "pas le bon", "un autre mot de passe solide")
    assert "current_password" in wrong.value.errors
    with pytest.raises(ValidationFailed) as weak:
        accounts.change_password(user, factories.PASSWORD, "password1234")
    assert weak.value.errors["password"]
    accounts.change_password(user, factories.PASSWORD, "un autre mot de passe solide")
    assert user.session_version == 1 and user.password_changed_at is not None
    assert accounts.verify_password(user.email, "un autre mot de passe solide") is user


def test_the_last_five_passwords_may_not_come_back(people):
    user = people.agent
    current = factories.PASSWORD
    chosen = [f"phrase de passe numéro {n}" for n in range(1, 6)]
    for new in chosen:
        accounts.change_password(user, current, new)
        current = new
    assert db.session.scalar(sa.select(sa.func.count(PasswordHistory.id))) == 5
    for old in chosen:  # the current one and the four before it
        with pytest.raises(ValidationFailed) as reused:
            accounts.change_password(user, current, old)
        assert reused.value.errors["password"] == [
            "Vous avez déjà utilisé ce mot de passe récemment : choisissez-en un nouveau."
        ]
    # The factory's password is the sixth back: allowed again.
    accounts.change_password(user, current, factories.PASSWORD)


def test_a_reset_applies_the_policy_and_ends_every_session(people):
    user = people.creditor_user
    with pytest.raises(ValidationFailed):
        accounts.reset_password(user, factories.PASSWORD)  # the current one
    with pytest.raises(ValidationFailed):
        accounts.reset_password(user, "compta.dupont.2026")  # the email's local part
    accounts.reset_password(user, "une phrase de passe neuve")
    assert user.session_version == 1


def test_a_new_user_gets_the_policy_and_a_history_row(people):
    with pytest.raises(ValidationFailed) as refused:
        accounts.create_user(
            email="nadia.roux@agence.example",
            full_name="Nadia Roux",
            password="nadia-roux-2026!",
            role="agent",
            organisation=people.agency,
        )
    assert refused.value.errors["password"]
    user = accounts.create_user(
        email="nadia.roux@agence.example",
        full_name="Nadia Roux",
        password="quatre chats sur un toit",
        role="agent",
        organisation=people.agency,
    )
    assert user.password_changed_at is not None and user.session_version == 0
    assert db.session.scalar(sa.select(PasswordHistory.user_id)) == user.id
