"""The flask commands a newcomer or an operator types: seed-demo and create-user."""

import pytest
import sqlalchemy as sa

from app.demo import DEMO_EMAILS, DEMO_PASSWORD
from app.domain import roles
from app.extensions import db
from app.models import User
from app.services import accounts

NEW_PASSWORD = "une phrase de passe assez longue"


@pytest.fixture
def cli(app):
    runner = app.test_cli_runner()

    def invoke(*args, **kwargs):
        return runner.invoke(args=list(args), **kwargs)

    return invoke


def create_user(cli, *, email, role, organisation_id, password=NEW_PASSWORD):
    return cli(
        "create-user",
        "--email",
        email,
        "--name",
        "Jeanne Nouvelle",
        "--role",
        role,
        "--organisation-id",
        str(organisation_id),
        input=f"{password}\n{password}\n",
    )


def test_seed_demo_loads_the_data_and_prints_every_demo_login_with_its_role(cli):
    result = cli("seed-demo")

    assert result.exit_code == 0, result.output
    assert "Données de démonstration chargées : 3 créanciers," in result.output
    assert f"Mot de passe (le même pour tous) : {DEMO_PASSWORD}" in result.output
    for email in DEMO_EMAILS:
        assert email in result.output
    assert "Recouvra Agence SAS (organisation 1, back-office /agence)" in result.output
    assert "Fournil Pro Distribution SAS" in result.output
    line = next(x for x in result.output.splitlines() if "superviseur@recouvra.demo" in x)
    assert "Superviseur" in line and "Marc Aubert" in line
    line = next(x for x in result.output.splitlines() if "compta@numeria.demo" in x)
    assert "Utilisateur créancier" in line

    again = cli("seed-demo")
    assert again.exit_code == 0, again.output
    assert "rien n'a été ajouté" in again.output
    assert "agent1@recouvra.demo" in again.output


def test_seed_demo_prints_no_demo_password_for_a_database_without_demo_accounts(cli, people):
    result = cli("seed-demo")

    assert result.exit_code == 0, result.output
    assert "rien n'a été ajouté" in result.output
    assert "Aucun compte de démonstration" in result.output
    assert DEMO_PASSWORD not in result.output


def test_create_user_adds_a_user_who_can_log_in(cli, people):
    result = create_user(
        cli, email="Jeanne.Nouvelle@Recouvra.fr", role=roles.AGENT, organisation_id=people.agency.id
    )

    assert result.exit_code == 0, result.output
    assert "Utilisateur jeanne.nouvelle@recouvra.fr créé (agent)." in result.output
    user = accounts.authenticate("jeanne.nouvelle@recouvra.fr", NEW_PASSWORD)
    assert user is not None
    assert user.full_name == "Jeanne Nouvelle"
    assert user.organisation_id == people.agency.id and user.role == roles.AGENT


def test_create_user_refuses_an_unknown_role(cli, people):
    result = create_user(
        cli, email="x@recouvra.fr", role="patron", organisation_id=people.agency.id
    )

    assert result.exit_code == 2
    assert "Invalid value for '--role'" in result.output
    assert "agency_admin" in result.output  # The valid choices are listed.


def test_create_user_refuses_an_unknown_organisation(cli, people):
    result = create_user(cli, email="x@recouvra.fr", role=roles.AGENT, organisation_id=9999)

    assert result.exit_code == 1
    assert "Organisation 9999 introuvable." in result.output


def test_create_user_refuses_an_email_already_taken_whatever_its_case(cli, people):
    result = create_user(
        cli,
        email=people.creditor_user.email.upper(),
        role=roles.CREDITOR_USER,
        organisation_id=people.creditor.id,
    )

    assert result.exit_code == 1
    assert "Un compte existe déjà avec cette adresse." in result.output


def test_create_user_refuses_an_agency_role_in_a_creditor_organisation(cli, people):
    result = create_user(
        cli, email="x@recouvra.fr", role=roles.SUPERVISOR, organisation_id=people.creditor.id
    )

    assert result.exit_code == 1
    assert "Ce rôle ne correspond pas au type d'organisation." in result.output


def test_create_user_refuses_a_short_password(cli, people):
    result = create_user(
        cli,
        email="x@recouvra.fr",
        role=roles.AGENT,
        organisation_id=people.agency.id,
        password="court",
    )

    assert result.exit_code == 1
    assert "au moins 12 caractères" in result.output
    assert db.session.scalar(sa.select(User).where(User.email == "x@recouvra.fr")) is None
