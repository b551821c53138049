"""Each token has its own request budget (API_RATE_LIMIT); over it, 429 problem+json."""

from __future__ import annotations


def test_a_token_over_its_limit_gets_429_while_another_token_goes_on(
    app, api, other_api, monkeypatch
):
    monkeypatch.setitem(app.config, "API_RATE_LIMIT", "3 per minute")
    assert [api.get("/cases").status_code for _ in range(3)] == [200, 200, 200]
    response = api.get("/cases")
    assert response.status_code == 429
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["status"] == 429
    assert response.headers["Retry-After"]
    assert other_api.get("/cases").status_code == 200


def test_the_public_documents_are_not_rate_limited(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "API_RATE_LIMIT", "1 per minute")
    assert {client.get("/api/v1/openapi.json").status_code for _ in range(3)} == {200}
