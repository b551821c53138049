"""Flask commands: create-user, seed-demo, worker."""

from __future__ import annotations

import click
from flask import Flask

from app.domain import roles


def register_cli(app: Flask) -> None:
    @app.cli.command("create-user")
    @click.option("--email", required=True)
    @click.option("--name", "full_name", required=True)
    @click.option("--role", type=click.Choice(roles.ALL_ROLES), required=True)
    @click.option("--organisation-id", type=int, required=True)
    @click.password_option()
    def create_user_command(email, full_name, role, organisation_id, password):
        """Create a user in an existing organisation."""
        from app.extensions import db
        from app.models import Organisation
        from app.services import accounts
        from app.services.errors import ValidationFailed

        organisation = db.session.get(Organisation, organisation_id)
        if organisation is None:
            raise click.ClickException(f"Organisation {organisation_id} introuvable.")
        try:
            user = accounts.create_user(
                email=email,
                full_name=full_name,
                password=password,
                role=role,
                organisation=organisation,
            )
        except ValidationFailed as exc:
            raise click.ClickException(str(exc)) from exc
        click.echo(f"Utilisateur {user.email} créé ({user.role}).")

    @app.cli.command("seed-demo")
    def seed_demo_command():
        """Load the demo data once (does nothing if an organisation exists) and print the logins."""
        from app.demo import DEMO_PASSWORD, seed_demo

        created = seed_demo()
        click.echo("Données de démonstration chargées." if created else "Données déjà présentes.")
        click.echo(f"Connexions de démonstration (mot de passe : {DEMO_PASSWORD}) :")
        for email, role in created_or_existing_logins():
            click.echo(f"  {email:40} {role}")

    def created_or_existing_logins():
        import sqlalchemy as sa

        from app.extensions import db
        from app.models import User

        users = db.session.scalars(sa.select(User).order_by(User.organisation_id, User.id))
        return [(u.email, u.role) for u in users]

    @app.cli.command("worker")
    @click.option("--burst", is_flag=True, help="Stop when the queues are empty.")
    def worker_command(burst):
        """Run an RQ worker (with its scheduler) on the default, letters and mail queues."""
        from rq import Worker

        from app.jobs import QUEUES, redis_connection

        connection = redis_connection()
        if connection is None:
            raise click.ClickException(
                "REDIS_URL n'est pas défini : les tâches s'exécutent en ligne."
            )
        worker = Worker(list(QUEUES), connection=connection)
        worker.work(with_scheduler=True, burst=burst)
