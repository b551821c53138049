"""JSON nested past Python's recursion limit (found by tests/api/test_api_fuzz.py): the body
and the list cursor are refused as unreadable, not answered with a 500."""

from __future__ import annotations

import base64

DEEP = b"[" * 100_000 + b"]" * 100_000


def test_a_body_nested_past_the_parsers_depth_is_invalid_json(api):
    response = api.client.post(
        "/api/v1/cases", data=DEEP, headers=api.headers(), content_type="application/json"
    )
    assert response.status_code == 400
    assert response.content_type == "application/problem+json"


def test_a_cursor_nested_past_the_parsers_depth_is_an_invalid_cursor(api):
    cursor = base64.urlsafe_b64encode(DEEP).decode().rstrip("=")
    response = api.get(f"/cases?cursor={cursor}")
    assert response.status_code == 422
    assert "cursor" in response.get_data(as_text=True)
