"""Another creditor's token sees none of this creditor's cases or statements: 404, not 403."""

from __future__ import annotations

import io

import sqlalchemy as sa

from app.extensions import db
from app.models import Payment
from app.services import payments, remittance
from tests import factories


def test_another_creditors_case_and_statement_look_absent(other_api, amicable_case, people, today):
    payments.record_payment(
        people.agent,
        amicable_case,
        amount_cents=10_000,
        received_on=today,
        method="transfer",
        today=today,
    )
    issued = remittance.run_remittance(people.supervisor, people.creditor, today=today)
    reference = amicable_case.reference
    for path in (
        f"/cases/{reference}",
        f"/cases/{reference}/balance",
        f"/cases/{reference}/timeline",
        f"/statements/{issued.id}",
    ):
        response = other_api.get(path)
        assert response.status_code == 404, path
        assert response.mimetype == "application/problem+json"
    paid = other_api.post(
        f"/cases/{reference}/payments", {"amount": "10.00", "received_on": "2026-11-20"}
    )
    assert paid.status_code == 404
    attached = other_api.client.post(
        f"/api/v1/cases/{reference}/documents",
        data={"files": [(io.BytesIO(factories.minimal_pdf()), "x.pdf")]},
        headers=other_api.headers(),
    )
    assert attached.status_code == 404
    assert other_api.get("/cases").get_json()["items"] == []
    assert other_api.get("/statements").get_json()["items"] == []
    assert db.session.scalar(sa.select(sa.func.count(Payment.id))) == 1
