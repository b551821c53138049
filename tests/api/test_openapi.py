"""The OpenAPI document and the docs page describe exactly the API the app serves."""

from __future__ import annotations

import re

from tests.helpers import page_text


def _app_routes(app) -> set[tuple[str, str]]:
    routes = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule.removeprefix("/api/v1"))
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            routes.add((method.lower(), path))
    return routes


def test_the_document_lists_exactly_the_apps_api_routes(app, client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    assert document["openapi"].startswith("3.")
    documented = {
        (method, path) for path, methods in document["paths"].items() for method in methods
    }
    assert documented == _app_routes(app)


def test_every_path_parameter_is_declared(client):
    document = client.get("/api/v1/openapi.json").get_json()
    for path, methods in document["paths"].items():
        names = set(re.findall(r"{([^}]+)}", path))
        for method, operation in methods.items():
            declared = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
            assert declared == names, f"{method} {path}"


def test_the_docs_page_lists_every_endpoint_with_its_fields_without_a_cdn(app, client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    text = page_text(response)
    for path in {path for _method, path in _app_routes(app)}:
        assert f"/api/v1{path}" in text, path
    assert "debtor.address.postal_code" in text
    assert '"external_ref": "ERP-2026-0042"' in text
    assert "Authorization: Bearer" in text
    assert not re.search(r'(src|href)="https?://', html)
