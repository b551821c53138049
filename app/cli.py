"""Flask commands: create-user, seed-demo, worker, scheduler, run-cadence, rates, ledger verify,
remittances, plans, letters."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from app.domain import interest, roles


def _percent(basis_points: int) -> str:
    """1215 -> "12.15 %" (the command line is not localised)."""
    return f"{basis_points // 100}.{basis_points % 100:02d} %"


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
        import sqlalchemy as sa
        from flask import current_app

        from app.demo import (
            CREDITORS,
            DEMO_PASSWORD,
            DEMO_TOTP_SECRET,
            demo_accounts,
            seed_demo,
        )
        from app.domain.roles import ROLE_LABELS
        from app.extensions import db
        from app.models import Case

        if seed_demo():
            cases = db.session.scalar(sa.select(sa.func.count(Case.id)))
            loaded = f"{len(CREDITORS)} créanciers, {cases} dossiers"
            click.echo(f"Données de démonstration chargées : {loaded}.")
        else:
            click.echo("La base contient déjà des données : rien n'a été ajouté.")
        accounts = demo_accounts()
        if not accounts:
            click.echo("Aucun compte de démonstration dans cette base.")
            return
        click.echo("")
        click.echo(
            f"Ouvrez {current_app.config['PUBLIC_BASE_URL']}/ et connectez-vous avec l'un de "
            "ces comptes de démonstration."
        )
        click.echo(f"Mot de passe (le même pour tous) : {DEMO_PASSWORD}")
        click.echo(
            "Administrateur et superviseur : double authentification obligatoire. Ajoutez la clé "
            f"{DEMO_TOTP_SECRET} à une application d'authentification, ou lancez "
            "`flask --app wsgi users totp-code EMAIL` pour le code du moment."
        )
        organisation = None
        for user in accounts:
            if user.organisation is not organisation:
                organisation = user.organisation
                space = "back-office /agence" if organisation.is_agency else "portail /creancier"
                click.echo("")
                click.echo(f"{organisation.legal_name} (organisation {organisation.id}, {space})")
            click.echo(f"  {user.email:32} {ROLE_LABELS[user.role]:26} {user.full_name}")
        click.echo("")

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
        # Jobs kept while Redis was down go first, without waiting for the scheduler's minute.
        from app.extensions import db
        from app.jobs.pending import flush_pending_jobs

        flush_pending_jobs()
        # The worker forks a process per job: it must not inherit the flush's open connection.
        db.session.remove()
        db.engine.dispose()
        worker = Worker(list(QUEUES), connection=connection)
        worker.work(with_scheduler=True, burst=burst)

    @app.cli.command("scheduler")
    def scheduler_command():
        """Run the one periodic scheduler: it enqueues the daily cadence check (every 15 min)
        and the flush of jobs kept while Redis was down. Run exactly one; workers do the work."""
        from app.jobs import redis_connection
        from app.jobs.scheduler import build_scheduler

        connection = redis_connection()
        if connection is None:
            raise click.ClickException(
                "REDIS_URL n'est pas défini : lancez la relance quotidienne par "
                "`flask run-cadence` (cron du système)."
            )
        build_scheduler(connection).start()

    @app.cli.command("run-cadence")
    @click.option(
        "--date",
        "on",
        type=click.DateTime(["%Y-%m-%d"]),
        help="Jour de la relance (défaut : jour).",
    )
    @click.option("--force", is_flag=True, help="Relancer un jour déjà traité (rien n'est refait).")
    def run_cadence_command(on, force):
        """The daily cadence, now: promises and plans reviewed, due steps performed, cases near
        their limitation date flagged. Safe to run twice (the second run does nothing)."""
        from app.clock import paris_today
        from app.services import cadence

        day = on.date() if on else paris_today()
        run = cadence.daily_run(day, force=force)
        if run is None:
            click.echo(f"Relance du {day:%d/%m/%Y} déjà faite (ou en cours) : rien à faire.")
            return
        counts = run.counts
        click.echo(
            f"Relance du {day:%d/%m/%Y} : {counts['cases']} dossier(s) ouvert(s), "
            f"{counts['acted']} action(s), {counts['skipped']} sans action aujourd'hui, "
            f"{counts['deferred']} contact(s) reporté(s) (plafond), "
            f"{counts['flagged']} alerte(s) de prescription, {counts['failed']} échec(s)."
        )

    rates_group = AppGroup("rates", help="Barème des taux d'intérêt (taux BCE, taux légal).")

    @rates_group.command("list")
    def rates_list_command():
        """Show every stored rate, by semester."""
        import sqlalchemy as sa

        from app.extensions import db
        from app.models import InterestRate

        order = sa.case(
            {kind: i for i, kind in enumerate(interest.RATE_KINDS)}, value=InterestRate.kind
        )
        rows = list(
            db.session.scalars(sa.select(InterestRate).order_by(InterestRate.semester_start, order))
        )
        if not rows:
            click.echo("Aucun taux enregistré.")
            return
        click.echo(f"{'Semestre':9} {'Type':17} {'Taux':>8}  Source")
        for row in rows:
            label = interest.semester_label(row.semester_start)
            click.echo(f"{label:9} {row.kind:17} {_percent(row.rate_bp):>8}  {row.source}")

    @rates_group.command("add")
    @click.option("--kind", type=click.Choice(interest.RATE_KINDS), required=True)
    @click.option("--semester", required=True, help="Par exemple 2026-S2 ou 2026-07-01.")
    @click.option("--rate", required=True, help="En pourcentage, par exemple 2.15.")
    @click.option("--source", default="", help="Publication d'origine (Banque de France, JO...).")
    def rates_add_command(kind, semester, rate, source):
        """Record the published rate of one semester."""
        from app.services import rates
        from app.services.errors import ValidationFailed

        try:
            start = rates.parse_semester(semester)
            rate_bp = rates.parse_percent(rate)
        except ValueError as exc:
            raise click.ClickException(str(exc)) from exc
        try:
            row = rates.add_rate(None, kind, start, rate_bp, source)
        except ValidationFailed as exc:
            messages = [m for field in exc.errors.values() for m in field]
            raise click.ClickException(" ".join(messages)) from exc
        click.echo(
            f"Taux enregistré : {interest.RATE_LABELS[kind]}, semestre "
            f"{interest.semester_label(row.semester_start)}, {_percent(row.rate_bp)} "
            f"({row.source})."
        )

    app.cli.add_command(rates_group)

    users_group = AppGroup("users", help="Comptes utilisateurs.")

    @users_group.command("totp-code")
    @click.argument("email")
    def users_totp_code_command(email):
        """Print the current second-factor code of a user (development and demo only)."""
        from flask import current_app

        from app.services import accounts, two_factor

        if current_app.config["RECOUVRA_ENV"] == "production":
            raise click.ClickException("Commande réservée au développement et à la démonstration.")
        user = accounts.find_user_by_email(email)
        if user is None or not two_factor.is_enrolled(user):
            raise click.ClickException(f"Aucune double authentification pour {email}.")
        click.echo(two_factor.code_at(user.totp_secret))

    app.cli.add_command(users_group)

    ledger_group = AppGroup("ledger", help="Comptabilité des fonds encaissés pour les créanciers.")

    @ledger_group.command("verify")
    def ledger_verify_command():
        """Check that every transaction balances and every case's payments match its entries."""
        import sqlalchemy as sa

        from app.extensions import db
        from app.models import LedgerTransaction
        from app.services import ledger

        problems = ledger.verify()
        count = db.session.scalar(sa.select(sa.func.count(LedgerTransaction.id)))
        if problems:
            for problem in problems:
                click.echo(problem, err=True)
            raise click.ClickException(f"{len(problems)} anomalie(s) sur {count} transactions.")
        click.echo(f"Comptabilité équilibrée : {count} transactions vérifiées.")

    app.cli.add_command(ledger_group)

    remittances_group = AppGroup("remittances", help="Reversements aux créanciers (R124-6).")

    @remittances_group.command("run")
    @click.option("--creditor", "creditor_id", type=int, help="Un seul créancier (son id).")
    def remittances_run_command(creditor_id):
        """Issue a statement and transfer for every creditor with something new (safe to rerun)."""
        from app.extensions import db
        from app.models import Organisation
        from app.services import remittance
        from app.web import today

        if creditor_id is not None:
            creditor = db.session.get(Organisation, creditor_id)
            if creditor is None or creditor.kind != "creditor":
                raise click.ClickException(f"Aucun créancier n° {creditor_id}.")
            issued = [r for r in [remittance.run_remittance(None, creditor, today=today())] if r]
        else:
            issued = remittance.run_all(None, today=today())
        for item in issued:
            click.echo(
                f"{item.reference}  {item.creditor.legal_name}  "
                f"{item.amount_cents // 100}.{item.amount_cents % 100:02d} EUR"
            )
        click.echo(f"{len(issued)} relevé(s) émis.")

    app.cli.add_command(remittances_group)

    plans_group = AppGroup("plans", help="Promesses de paiement et échéanciers.")

    @plans_group.command("review")
    @click.option(
        "--date", "on", type=click.DateTime(["%Y-%m-%d"]), help="Date de revue (défaut : jour)."
    )
    def plans_review_command(on):
        """Mark promises kept or broken and plans breached or completed (safe to rerun)."""
        from app.services import plans
        from app.web import today

        count = plans.review_all(on.date() if on else today())
        click.echo(f"{count} dossier(s) revu(s).")

    @plans_group.command("charge-cards")
    def plans_charge_cards_command():
        """Charge the saved cards of card plans for installments due (daily; safe to rerun)."""
        from app.jobs.tasks import charge_card_installments
        from app.web import today

        # Run here, not enqueued: the operator reads the counts (a queued job would only give
        # back a job id), and the task is the one the scheduler queues.
        counts = charge_card_installments(today().isoformat())
        click.echo(
            f"{counts['charged']} échéance(s) prélevée(s), {counts['declined']} refusée(s), "
            f"{counts['skipped']} déjà tentée(s), "
            f"{counts['waiting']} en attente de confirmation par Stripe."
        )

    app.cli.add_command(plans_group)

    bodacc_group = AppGroup("bodacc", help="Annonces BODACC (procédures collectives).")

    @bodacc_group.command("import")
    @click.argument("path", type=click.Path(exists=True, dir_okay=False))
    def bodacc_import_command(path):
        """Read a BODACC open-data export (CSV `;` or JSON): every opening judgment about a debtor
        we know moves its open cases to the insolvency stage. Safe to run twice."""
        from pathlib import Path

        from app.services import insolvency
        from app.services.errors import ValidationFailed

        try:
            report = insolvency.import_bodacc(None, Path(path).read_bytes(), Path(path).name)
        except ValidationFailed as exc:
            messages = " ".join(m for ms in exc.errors.values() for m in ms)
            refused = f"Fichier refusé, rien n'a été appliqué : {messages}"
            raise click.ClickException(refused) from None
        click.echo(
            f"{report.opened} procédure(s) ouverte(s), {report.stopped_cases} dossier(s) "
            f"arrêté(s), {len(report.unknown_sirens)} SIREN inconnu(s), "
            f"{report.ignored} annonce(s) sans ouverture de procédure."
        )

    app.cli.add_command(bodacc_group)

    letters_group = AppGroup("letters", help="Modèles de courriers (letters/).")

    @letters_group.command("check")
    @click.option("--case", "reference", help="Dossier de test (défaut : le plus récent).")
    def letters_check_command(reference):
        """Render every template for a case and print what the legal check refuses."""
        import sqlalchemy as sa

        from app.extensions import db
        from app.models import Case, User
        from app.services import letters
        from app.web import today

        query = sa.select(Case).order_by(Case.id.desc())
        if reference:
            query = query.where(Case.reference == reference)
        case = db.session.scalars(query).first()
        if case is None:
            raise click.ClickException("Aucun dossier pour essayer les modèles.")
        agent = db.session.scalars(sa.select(User).where(User.role == "agent")).first()
        problems = letters.check_templates(case, today(), agent)
        db.session.rollback()
        for name, messages in problems.items():
            click.echo(f"{name}: " + " ; ".join(messages), err=True)
        if problems:
            raise click.ClickException(f"{len(problems)} modèle(s) refusé(s).")
        click.echo(f"Tous les modèles sont conformes (dossier {case.reference}).")

    app.cli.add_command(letters_group)

    from app.cli_personal_data import register_personal_data_cli

    register_personal_data_cli(app)

    @app.cli.command("seed-scale")
    @click.option("--cases", type=int, required=True, help="Number of cases to generate.")
    @click.option("--reset", is_flag=True, help="Empty every table (rates kept) first.")
    @click.option("--on", "on", type=click.DateTime(["%Y-%m-%d"]), default=None, help="Today.")
    def seed_scale_command(cases, reset, on):
        """Generate a large portfolio on PostgreSQL, for benchmarks (see bench/README.md)."""
        from app.clock import paris_today
        from app.services import seed_scale

        day = on.date() if on else paris_today()
        try:
            report = seed_scale.seed(
                cases,
                today=day,
                reset=reset,
                progress=lambda step, s: click.echo(f"  {step}: {s:.1f} s"),
            )
        except seed_scale.SeedRefused as exc:
            raise click.ClickException(str(exc)) from exc
        rows = ", ".join(f"{table} {count:,}" for table, count in report.rows.items())
        click.echo(f"{cases:,} dossiers générés en {report.seconds:.1f} s ({rows}).")
        click.echo(
            f"Connexions : admin@scale.test, agent01@scale.test, creancier0001@scale.test"
            f" ; mot de passe {seed_scale.PASSWORD}"
        )
