"""The creditor admin's API page: create a token (shown once), list, revoke after confirming."""

from __future__ import annotations

import re

import sqlalchemy as sa

from app.extensions import db
from app.models import ApiToken, AuditEvent
from tests.helpers import page_text


def test_the_admin_creates_a_token_shown_once_and_stored_as_its_hash(login, people):
    client = login(people.creditor_admin)
    assert "API" in page_text(client.get("/creancier/"))
    response = client.post("/creancier/api", data={"name": "Sage 100"})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    text = page_text(response)
    assert "ne sera plus jamais affiché" in text
    token = db.session.scalars(sa.select(ApiToken)).one()
    (plain,) = re.findall(r"rcv_[A-Za-z0-9_-]{40,}", text)
    assert plain.startswith(token.prefix)
    assert token.name == "Sage 100" and token.creditor_id == people.creditor.id
    assert plain not in token.token_hash

    listing = page_text(client.get("/creancier/api"))
    assert "Sage 100" in listing and f"{token.prefix}…" in listing
    assert plain not in listing and "jamais" in listing

    api = client.get("/api/v1/cases", headers={"Authorization": f"Bearer {plain}"})
    assert api.status_code == 200


def test_a_token_without_a_name_is_refused_and_nothing_is_created(login, people):
    client = login(people.creditor_admin)
    response = client.post("/creancier/api", data={"name": "  "})
    assert response.status_code == 422
    assert "Donnez un nom au jeton" in page_text(response)
    assert db.session.scalar(sa.select(sa.func.count(ApiToken.id))) == 0


def test_revoking_asks_first_then_the_token_stops_working(login, people):
    from app.services import api_tokens

    token, plain = api_tokens.create_token(people.creditor_admin, "ERP")
    client = login(people.creditor_admin)
    question = client.get(f"/creancier/api/{token.id}/revoquer")
    assert question.status_code == 200
    assert "Révoquer le jeton « ERP » ?" in page_text(question)
    assert db.session.get(ApiToken, token.id).revoked_at is None

    done = client.post(f"/creancier/api/{token.id}/revoquer", follow_redirects=True)
    assert "Jeton « ERP » révoqué." in page_text(done)
    assert "révoqué le" in page_text(done)
    assert db.session.get(ApiToken, token.id).revoked_at is not None
    assert (
        client.get("/api/v1/cases", headers={"Authorization": f"Bearer {plain}"}).status_code == 401
    )
    actions = set(db.session.scalars(sa.select(AuditEvent.action)))
    assert {"api_token.created", "api_token.revoked"} <= actions


def test_a_creditor_user_who_is_not_admin_gets_403(login, people):
    client = login(people.creditor_user)
    assert client.get("/creancier/api").status_code == 403
    assert client.post("/creancier/api", data={"name": "x"}).status_code == 403
