"""The public face of the API's contract: the OpenAPI document and a page people can read."""

from __future__ import annotations

import json

from flask import jsonify, render_template, request

from app.api import bp, openapi

EXAMPLE_CASE = {
    "external_ref": "ERP-2026-0042",
    "debtor": {
        "kind": "company",
        "name": "Client Mauvais Payeur SARL",
        "siren": "732829320",
        "email": "compta@client.example",
        "phone": "04 72 00 00 00",
        "address": {
            "line1": "12 avenue des Champs",
            "line2": None,
            "postal_code": "69001",
            "city": "Lyon",
            "country": "FR",
        },
    },
    "invoices": [
        {
            "number": "F-2026-001",
            "issue_date": "2026-06-01",
            "due_date": "2026-07-01",
            "amount": "1200.00",
            "paid": "0.00",
        }
    ],
}
EXAMPLE_PAYMENT = {"amount": "250.00", "received_on": "2026-11-20", "invoice_number": "F-2026-001"}
EXAMPLES = {
    ("post", "/cases"): EXAMPLE_CASE,
    ("post", "/cases/{reference}/payments"): EXAMPLE_PAYMENT,
}


def _fields(schema: dict, components: dict, prefix: str = "") -> list[dict]:
    """Flatten a request schema into rows: field path, type, required, notes."""
    if "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[1]]
    rows = []
    required = set(schema.get("required", []))
    for name, prop in schema.get("properties", {}).items():
        path = f"{prefix}{name}"
        kind = prop.get("type", "")
        notes = ", ".join(
            part
            for part in (
                prop.get("description", ""),
                "one of: " + " | ".join(prop["enum"]) if "enum" in prop else "",
                f"e.g. {prop['example']}" if "example" in prop else "",
                "null allowed" if prop.get("nullable") else "",
            )
            if part
        )
        rows.append({"path": path, "type": kind, "required": name in required, "notes": notes})
        if kind == "object":
            rows.extend(_fields(prop, components, path + "."))
        elif kind == "array" and prop.get("items", {}).get("type") == "object":
            rows.extend(_fields(prop["items"], components, path + "[]."))
    return rows


@bp.get("/openapi.json", endpoint="openapi")
def openapi_document():
    return jsonify(openapi.document(_server_url()))


def _server_url() -> str:
    return request.host_url.rstrip("/") + "/api/v1"


@bp.get("/docs")
def docs():
    document = openapi.document(_server_url())
    components = document["components"]["schemas"]
    operations = []
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            body = operation.get("requestBody", {}).get("content", {})
            body_schema = next(iter(body.values()), {}).get("schema") if body else None
            example = EXAMPLES.get((method, path))
            operations.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "summary": operation["summary"],
                    "public": operation.get("security") == [],
                    "parameters": operation.get("parameters", []),
                    "body_type": next(iter(body), None),
                    "fields": _fields(body_schema, components) if body_schema else [],
                    "example": json.dumps(example, indent=2, ensure_ascii=False)
                    if example
                    else None,
                    "responses": operation["responses"],
                }
            )
    return render_template("api/docs.html", operations=operations, server=_server_url())
