"""API fixtures: a token of the main creditor, one of the other creditor, a JSON client."""

from __future__ import annotations

import pytest

from app.domain import roles
from app.services import api_tokens
from tests import factories


class Api:
    """The test client with a bearer token: api.get("/cases") -> /api/v1/cases."""

    def __init__(self, client, plain: str | None):
        self.client = client
        self.plain = plain

    def headers(self, extra=None) -> dict:
        headers = {"Authorization": f"Bearer {self.plain}"} if self.plain else {}
        return {**headers, **(extra or {})}

    def get(self, path, **kwargs):
        return self.client.get(
            "/api/v1" + path, headers=self.headers(kwargs.pop("headers", None)), **kwargs
        )

    def post(self, path, json=None, **kwargs):
        return self.client.post(
            "/api/v1" + path,
            json=json,
            headers=self.headers(kwargs.pop("headers", None)),
            **kwargs,
        )


@pytest.fixture
def token(people):
    row, plain = api_tokens.create_token(people.creditor_admin, "ERP")
    return row, plain


@pytest.fixture
def api(client, token):
    return Api(client, token[1])


@pytest.fixture
def other_admin(people):
    return factories.make_user(people.other_creditor, roles.CREDITOR_ADMIN, "admin@martin.example")


@pytest.fixture
def other_api(app, other_admin):
    _row, plain = api_tokens.create_token(other_admin, "Other ERP")
    return Api(app.test_client(), plain)


def case_body(external_ref="ERP-1", **overrides) -> dict:
    body = {
        "external_ref": external_ref,
        "debtor": {
            "kind": "company",
            "name": "Client Mauvais Payeur SARL",
            "siren": "732829320",
            "email": "compta@mauvais-payeur.example",
            "phone": "04 72 00 00 00",
            "address": {
                "line1": "12 avenue des Champs",
                "postal_code": "69001",
                "city": "Lyon",
                "country": "FR",
            },
        },
        "invoices": [
            {
                "number": "F-1",
                "issue_date": "2026-06-01",
                "due_date": "2026-07-01",
                "amount": "1200.00",
                "paid": "0.00",
            }
        ],
    }
    body.update(overrides)
    return body
