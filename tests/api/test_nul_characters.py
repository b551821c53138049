"""A NUL character in a JSON string is refused with a 400 problem (app/input_guard.py)."""

from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db
from app.models import Case
from tests.api.conftest import case_body


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count(model.id)))


def test_a_json_string_with_a_nul_is_refused_by_the_api(api):
    before = _count(Case)
    body = case_body()
    body["debtor"]["name"] = "Client\u0000 SARL"
    response = api.post("/cases", json=body)
    assert response.status_code == 400
    assert response.content_type == "application/problem+json"
    assert _count(Case) == before
