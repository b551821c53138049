"""Bearer tokens: no token, a wrong one or a revoked one gets 401 problem+json."""

from __future__ import annotations

from app.extensions import db
from app.models import ApiToken
from app.services import api_tokens
from tests.api.conftest import Api


def _assert_401(response):
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    body = response.get_json()
    assert body["status"] == 401 and body["type"].endswith("/unauthorized")
    assert body["detail"]


def test_a_request_without_a_token_gets_401_naming_the_header(client):
    response = Api(client, None).get("/cases")
    _assert_401(response)
    assert "Authorization" in response.get_json()["detail"]


def test_a_made_up_token_gets_401(client, people):
    _assert_401(Api(client, "rcv_not-a-real-token").get("/cases"))
    _assert_401(Api(client, "something-else").get("/cases"))


def test_a_basic_auth_header_is_not_a_token(client, token):
    response = client.get("/api/v1/cases", headers={"Authorization": f"Basic {token[1]}"})
    _assert_401(response)


def test_a_revoked_token_gets_401_from_the_next_request(api, token, people):
    assert api.get("/cases").status_code == 200
    api_tokens.revoke_token(people.creditor_admin, token[0])
    _assert_401(api.get("/cases"))


def test_a_token_stops_working_when_its_creator_is_deactivated(api, people):
    people.creditor_admin.active = False
    db.session.commit()
    _assert_401(api.get("/cases"))


def test_only_the_hash_of_a_token_is_stored_and_its_use_is_stamped(api, token):
    row, plain = token
    assert plain.startswith(row.prefix)
    assert plain not in {row.token_hash, row.prefix}
    assert row.last_used_at is None
    assert api.get("/cases").status_code == 200
    assert db.session.get(ApiToken, row.id).last_used_at is not None


def test_the_api_needs_no_csrf_token_even_when_the_app_checks_csrf(app, api, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    response = api.post("/cases", {"external_ref": "x"})
    assert response.status_code == 422  # validated, not refused as a forged form


def test_a_token_stops_working_when_its_creator_moves_to_another_organisation(api, people):
    people.creditor_admin.organisation_id = people.other_creditor.id
    db.session.commit()
    _assert_401(api.get("/cases"))
