"""Hypothesis against the JSON API, past what schemathesis sends (test_schemathesis.py): bodies
built from each operation's schema with any JSON in any field (numbers past every integer
column, NUL in strings, nesting), raw bytes that are not JSON or not UTF-8, the wrong content
type, junk query parameters and idempotency keys. No answer is a 5xx, and a rejected request
saves nothing (every table is compared with its state after the last accepted request)."""

from __future__ import annotations

import io
import json

from hypothesis import given
from hypothesis import strategies as st

from app.extensions import db
from tests.fuzz_helpers import FUZZ, Checker, json_values, junk


def _resolve(schema: dict, document: dict) -> dict:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = document["components"]["schemas"][name]
    return schema


def _shaped(schema: dict, document: dict, depth: int = 0):
    """Values with the schema's shape (its objects' keys, its arrays) and anything in them."""
    schema = _resolve(schema, document)
    if depth > 3:
        return json_values
    if schema.get("type") == "object" or "properties" in schema:
        shaped = st.fixed_dictionaries(
            {},
            optional={
                key: _shaped(sub, document, depth + 1)
                for key, sub in schema.get("properties", {}).items()
            },
        )
        return st.one_of(shaped, json_values)
    if schema.get("type") == "array":
        items = st.lists(_shaped(schema.get("items", {}), document, depth + 1), max_size=3)
        return st.one_of(items, json_values)
    return json_values


def _operations(client) -> tuple[dict, list[tuple[str, str, dict]]]:
    document = client.get("/api/v1/openapi.json").get_json()
    operations = [
        (method.upper(), path, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if isinstance(operation, dict)
    ]
    return document, operations


raw_bodies = st.one_of(
    st.binary(max_size=200),
    st.just(b'{"debtor": '),
    st.just(b"\xff\xfe{}"),
    st.just(b"[" * 5_000 + b"]" * 5_000),
    st.just(b'{"a": 1e999999}'),
    st.just(json.dumps({"amount_cents": 10**400}).encode()),
)
content_types = st.sampled_from(
    ["application/json", "text/plain", "application/x-www-form-urlencoded", "", "application/xml"]
)


def _fuzz(api, method: str, url: str, query, headers, body) -> None:
    checker = Checker()

    @FUZZ
    @given(query=query, headers=headers, body=body)
    def call(query, headers, body):
        data, content_type = body
        kwargs = {"query_string": query, "headers": api.headers(headers), "data": data}
        if content_type is not None:
            kwargs["content_type"] = content_type
        try:
            response = api.client.open(url, method=method, **kwargs)
        except Exception:
            db.session.rollback()  # a crash must not poison the next example's session
            raise
        checker.check(response, (method, url, query, headers, data))

    call()


def test_no_json_body_query_or_header_makes_the_api_fail(app, api, amicable_case, monkeypatch):
    monkeypatch.setitem(app.config, "API_RATE_LIMIT", "100000 per minute")
    document, operations = _operations(api.client)
    reference = amicable_case.reference
    tried = []
    for method, path, operation in operations:
        url = "/api/v1" + path.replace("{reference}", reference).replace("{remittance_id}", "1")
        query = st.fixed_dictionaries(
            {},
            optional={
                p["name"]: st.one_of(junk, st.lists(junk, min_size=2, max_size=2))
                for p in operation.get("parameters", [])
                if p.get("in") == "query"
            },
        )
        headers = st.fixed_dictionaries(
            {},
            optional={
                p["name"]: junk.filter(
                    lambda v: "\n" not in v and "\r" not in v and "\x00" not in v
                )
                for p in operation.get("parameters", [])
                if p.get("in") == "header"
            },
        )
        content = operation.get("requestBody", {}).get("content", {})
        if "application/json" in content:
            schema = content["application/json"]["schema"]
            body = st.one_of(
                _shaped(schema, document).map(
                    lambda v: (json.dumps(v).encode(), "application/json")
                ),
                st.tuples(raw_bodies, content_types),
            )
        elif "multipart/form-data" in content:
            body = st.builds(
                lambda files, kinds: ({"files": files, "kind": kinds}, None),
                st.lists(
                    st.builds(
                        lambda data, name: (io.BytesIO(data), name),
                        st.binary(max_size=200),
                        st.sampled_from(["../../x.pdf", "a.pdf", "", "é.docx", "x" * 300]),
                    ),
                    max_size=2,
                ),
                st.lists(junk, max_size=3),
            )
        else:
            body = st.just((None, None))

        _fuzz(api, method, url, query, headers, body)
        tried.append(f"{method} {path}")
    assert len(tried) == len(operations) >= 10
