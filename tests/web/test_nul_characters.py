"""A NUL character in a submitted value is refused whole (app/input_guard.py): PostgreSQL cannot
store it, so without the guard the fuzz tests found a 500 after part of the work (issue 10)."""

from __future__ import annotations

import io

import sqlalchemy as sa

from app.extensions import db
from app.models import TimelineEntry


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count(model.id)))


def test_a_form_field_with_a_nul_is_refused_and_saves_nothing(login, people, amicable_case):
    client = login(people.agent)
    before = _count(TimelineEntry)
    response = client.post(
        f"/agence/dossiers/{amicable_case.reference}/notes", data={"text": "appelé\x00 ce matin"}
    )
    assert response.status_code == 400
    assert "caractère nul" in response.get_data(as_text=True)
    assert _count(TimelineEntry) == before
    ok = client.post(
        f"/agence/dossiers/{amicable_case.reference}/notes", data={"text": "appelé ce matin"}
    )
    assert ok.status_code != 400


def test_a_query_parameter_or_a_file_name_with_a_nul_is_refused(login, people, amicable_case):
    client = login(people.creditor_user)
    assert client.get("/creancier/dossiers?q=a%00b").status_code == 400
    response = client.post(
        f"/creancier/dossiers/{amicable_case.reference}/documents",
        data={"files": (io.BytesIO(b"%PDF-1.4\n%%EOF"), "facture\x00.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400


def test_binary_file_contents_may_hold_nul_bytes(login, people, amicable_case):
    client = login(people.creditor_user)
    response = client.post(
        f"/creancier/dossiers/{amicable_case.reference}/documents",
        data={"files": (io.BytesIO(b"%PDF-1.4\n\x00\x00\n%%EOF"), "facture.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code != 400
