"""`flask create-api-token`: a token for a creditor's software, without the portal."""

from __future__ import annotations

import click

from app.api import bp
from app.services import api_tokens
from app.services.errors import ServiceError, ValidationFailed


@bp.cli.command("create-api-token")
@click.option("--creditor-id", type=int, required=True, help="The creditor organisation's id")
@click.option("--name", required=True, help="What will use it (e.g. the ERP's name)")
def create_api_token(creditor_id: int, name: str) -> None:
    """Create an API token for a creditor; prints it once (only its hash is kept)."""
    try:
        token, plain = api_tokens.create_token(None, name, creditor_id=creditor_id)
    except ValidationFailed as exc:
        raise click.ClickException("; ".join(m for ms in exc.errors.values() for m in ms)) from exc
    except ServiceError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(
        f"Token #{token.id} ({token.name}) for creditor {creditor_id}, acting as "
        f"{token.created_by.email}:"
    )
    click.echo(plain)
    click.echo("Keep it now: it is not shown again.")
