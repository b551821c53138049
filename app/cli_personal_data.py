"""Flask commands for debtors' personal data: `flask debtor export`, `flask personal-data purge`."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup


def register_personal_data_cli(app: Flask) -> None:
    debtor_group = AppGroup("debtor", help="Débiteurs : données personnelles.")

    @debtor_group.command("export")
    @click.argument("debtor_id", type=int)
    @click.argument("out", type=click.Path(dir_okay=False, writable=True))
    def debtor_export_command(debtor_id, out):
        """Write everything about one debtor to a ZIP (JSON + documents); audited."""
        from app.clock import paris_today
        from app.services import personal_data
        from app.services.errors import NotFound

        try:
            export = personal_data.export_debtor(None, debtor_id, today=paris_today())
        except NotFound:
            raise click.ClickException(f"Débiteur {debtor_id} introuvable.") from None
        Path(out).write_bytes(export.data)
        click.echo(
            f"Export du débiteur {debtor_id} : {export.cases} dossier(s), "
            f"{export.documents} document(s), écrit dans {out}."
        )

    app.cli.add_command(debtor_group)

    data_group = AppGroup("personal-data", help="Conservation des données personnelles.")

    @data_group.command("purge")
    @click.option("--dry-run", is_flag=True, help="Lister sans rien effacer.")
    @click.option(
        "--date", "on", type=click.DateTime(["%Y-%m-%d"]), help="Date de référence (défaut : jour)."
    )
    def purge_command(dry_run, on):
        """Anonymise every debtor past its retention period (safe to run twice)."""
        from app.clock import paris_today
        from app.services import personal_data

        day = on.date() if on else paris_today()
        report = personal_data.purge(day, dry_run=dry_run)
        for candidate in report.candidates:
            click.echo(
                f"débiteur {candidate.debtor_id}  conservé jusqu'au "
                f"{candidate.kept_until:%d/%m/%Y}  dossiers {len(candidate.case_ids)}"
            )
        if dry_run:
            click.echo(f"{len(report.candidates)} débiteur(s) seraient anonymisé(s) (simulation).")
            return
        documents = sum(e.documents_deleted for e in report.erased)
        click.echo(
            f"{len(report.erased)} débiteur(s) anonymisé(s), {documents} document(s) supprimé(s)."
        )

    app.cli.add_command(data_group)
