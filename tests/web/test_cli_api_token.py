"""`flask create-api-token`: an operator gives a creditor's software its token."""

from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db
from app.models import ApiToken


def test_it_prints_a_working_token_once_acting_as_the_creditors_admin(app, client, people):
    result = app.test_cli_runner().invoke(
        args=["create-api-token", "--creditor-id", str(people.creditor.id), "--name", "ERP"]
    )
    assert result.exit_code == 0, result.output
    plain = next(line for line in result.output.splitlines() if line.startswith("rcv_"))
    token = db.session.scalars(sa.select(ApiToken)).one()
    assert token.created_by_id == people.creditor_admin.id
    assert (
        client.get("/api/v1/cases", headers={"Authorization": f"Bearer {plain}"}).status_code == 200
    )


def test_it_refuses_an_agency_or_a_creditor_without_an_admin(app, people):
    runner = app.test_cli_runner()
    for organisation in (people.agency, people.other_creditor):
        result = runner.invoke(
            args=["create-api-token", "--creditor-id", str(organisation.id), "--name", "ERP"]
        )
        assert result.exit_code != 0
    assert db.session.scalar(sa.select(sa.func.count(ApiToken.id))) == 0
