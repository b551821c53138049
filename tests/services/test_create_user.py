"""Creating users: one account per address whatever its case, a role that fits the organisation,
and a long enough password."""

import pytest
import sqlalchemy as sa
from werkzeug.security import check_password_hash

from app.domain import roles
from app.extensions import db
from app.models import AuditEvent, User
from app.services import accounts
from app.services.errors import ValidationFailed
from tests import factories


def create(people, **overrides):
    values = {
        "email": "Jeanne.Durand@Dupont.EXAMPLE",
        "full_name": " Jeanne Durand ",
        "password": factories.PASSWORD,
        "role": roles.CREDITOR_USER,
        "organisation": people.creditor,
        "actor": people.creditor_admin,
    }
    return accounts.create_user(**{**values, **overrides})


def test_a_user_is_created_with_a_lowercased_email_and_a_hashed_password(people):
    user = create(people)
    assert user.email == "jeanne.durand@dupont.example"
    assert user.full_name == "Jeanne Durand"
    assert user.active and user.locale == "fr"
    assert factories.PASSWORD not in user.password_hash
    # werkzeug's scrypt at its full cost (the factories' users get a cheaper one, for speed).
    assert user.password_hash.startswith("scrypt:32768:8:1$")
    assert check_password_hash(user.password_hash, factories.PASSWORD)
    audit = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "user.created"))
    assert audit.one().actor_id == people.creditor_admin.id


def test_an_address_differing_only_by_case_is_a_duplicate(people):
    create(people)
    with pytest.raises(ValidationFailed) as error:
        create(people, email="JEANNE.DURAND@dupont.example", organisation=people.other_creditor)
    assert error.value.errors == {"email": ["Un compte existe déjà avec cette adresse."]}
    count = db.session.scalar(
        sa.select(sa.func.count(User.id)).where(User.email == "jeanne.durand@dupont.example")
    )
    assert count == 1


def test_an_invalid_address_is_refused(people):
    with pytest.raises(ValidationFailed) as error:
        create(people, email="jeanne.durand")
    assert error.value.errors == {"email": ["Adresse e-mail invalide."]}


@pytest.mark.parametrize(
    ("role", "org"),
    [
        (roles.AGENT, "creditor"),
        (roles.SUPERVISOR, "creditor"),
        (roles.CREDITOR_USER, "agency"),
        (roles.CREDITOR_ADMIN, "agency"),
    ],
)
def test_a_role_that_does_not_fit_the_organisation_is_refused(people, role, org):
    with pytest.raises(ValidationFailed) as error:
        create(people, role=role, organisation=getattr(people, org))
    assert error.value.errors == {"role": ["Ce rôle ne correspond pas au type d'organisation."]}
    assert accounts.find_user_by_email("jeanne.durand@dupont.example") is None


def test_an_unknown_role_is_refused(people):
    with pytest.raises(ValidationFailed) as error:
        create(people, role="superuser")
    assert error.value.errors == {"role": ["Rôle inconnu."]}


def test_a_password_under_12_characters_is_refused(people):
    with pytest.raises(ValidationFailed) as error:
        create(people, password="court12345!")
    assert error.value.errors == {
        "password": ["Le mot de passe doit contenir au moins 12 caractères."]
    }


def test_a_password_of_exactly_12_characters_is_accepted(people):
    assert create(people, password="douze-carac!").id


def test_an_agent_is_created_in_the_agency(people):
    user = create(
        people, email="nouvel.agent@agence.example", role=roles.AGENT, organisation=people.agency
    )
    assert user.is_agency_staff and not user.is_manager
