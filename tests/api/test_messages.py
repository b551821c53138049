"""POST /cases/{reference}/messages: the creditor's system writes to the agency in the thread."""

from __future__ import annotations

import io

import sqlalchemy as sa

from app.extensions import db
from app.models import Message
from app.services import messages
from tests import factories


def test_a_message_posted_by_the_api_lands_in_the_cases_thread(api, amicable_case, people):
    response = api.post(
        f"/cases/{amicable_case.reference}/messages",
        json={"body": "Le débiteur nous a réglé 200 € en direct."},
    )
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["body"] == "Le débiteur nous a réglé 200 € en direct."
    (message,) = db.session.scalars(sa.select(Message)).all()
    assert message.side == "creditor"
    # The agency sees it unread.
    assert messages.unread_total(people.agent) == 1


def test_a_message_with_files_attaches_them_to_the_case(api, amicable_case):
    response = api.client.post(
        f"/api/v1/cases/{amicable_case.reference}/messages",
        data={
            "body": "Le bon de livraison signé.",
            "files": [(io.BytesIO(factories.minimal_pdf()), "bl.pdf")],
        },
        headers=api.headers(),
        content_type="multipart/form-data",
    )
    assert response.status_code == 201, response.get_json()
    assert len(response.get_json()["document_ids"]) == 1


def test_an_empty_message_is_refused_naming_the_field(api, amicable_case):
    response = api.post(f"/cases/{amicable_case.reference}/messages", json={"body": ""})
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["field"] == "body"


def test_another_creditors_token_cannot_write_in_the_thread(other_api, amicable_case):
    response = other_api.post(f"/cases/{amicable_case.reference}/messages", json={"body": "Salut"})
    assert response.status_code == 404
    assert db.session.scalar(sa.select(sa.func.count(Message.id))) == 0


def test_an_unknown_api_path_answers_in_problem_json(api):
    response = api.get("/no-such-thing")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["status"] == 404
