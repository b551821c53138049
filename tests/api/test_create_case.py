"""POST /api/v1/cases: a case in intake, once per external_ref."""

from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent, Case
from tests.api.conftest import case_body


def test_it_creates_a_case_in_intake_with_its_invoices(api, people, frozen_today):
    response = api.post("/cases", case_body())
    assert response.status_code == 201
    case = response.get_json()
    assert case["reference"].startswith("REC-2026-")
    assert response.headers["Location"] == f"/api/v1/cases/{case['reference']}"
    assert case["stage"] == "intake"
    assert case["external_ref"] == "ERP-1"
    assert case["claim"] == "1200.00"
    assert case["invoices"] == [
        {
            "number": "F-1",
            "issue_date": "2026-06-01",
            "due_date": "2026-07-01",
            "amount": "1200.00",
            "paid": "0.00",
        }
    ]
    assert case["debtor"]["siren"] == "732829320"
    row = db.session.scalars(sa.select(Case)).one()
    assert row.creditor_id == people.creditor.id


def test_the_same_external_ref_again_returns_the_first_case_and_creates_nothing(api, frozen_today):
    first = api.post("/cases", case_body())
    again = api.post(
        "/cases", case_body(invoices=[{**case_body()["invoices"][0], "amount": "5.00"}])
    )
    assert again.status_code == 200
    assert again.get_json()["reference"] == first.get_json()["reference"]
    assert again.get_json()["claim"] == "1200.00"
    assert db.session.scalar(sa.select(sa.func.count(Case.id))) == 1


def test_two_creditors_may_use_the_same_external_ref(api, other_api, frozen_today):
    assert api.post("/cases", case_body("SAME")).status_code == 201
    assert other_api.post("/cases", case_body("SAME")).status_code == 201
    assert db.session.scalar(sa.select(sa.func.count(Case.id))) == 2


def test_the_audit_trail_names_the_token_and_its_creator(api, token, people, frozen_today):
    api.post("/cases", case_body())
    event = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "case.submitted")
    ).one()
    assert event.actor_id == people.creditor_admin.id
    assert event.changes["api_token_id"] == token[0].id
    assert event.changes["external_ref"] == "ERP-1"


def test_a_consumer_case_keeps_the_day_the_formal_notice_was_received(api, frozen_today):
    body = case_body(formal_notice_received_on="2026-07-15")
    body["debtor"] = {**body["debtor"], "kind": "individual", "name": "Jean Martin", "siren": None}
    response = api.post("/cases", body)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["formal_notice_received_on"] == "2026-07-15"
    assert response.get_json()["debtor"]["kind"] == "individual"


def test_two_requests_racing_with_one_external_ref_make_one_case(api, frozen_today, monkeypatch):
    from app.services import integration

    first = api.post("/cases", case_body()).get_json()
    # The second request looked before the first committed: the unique constraint decides.
    real_lookup = integration.case_by_external_ref
    calls = []

    def not_yet_committed(creditor_id, external_ref):
        calls.append(external_ref)
        return None if len(calls) == 1 else real_lookup(creditor_id, external_ref)

    monkeypatch.setattr(integration, "case_by_external_ref", not_yet_committed)
    again = api.post("/cases", case_body())
    assert again.status_code == 200
    assert again.get_json()["reference"] == first["reference"]
    assert len(calls) == 2
    assert db.session.scalar(sa.select(sa.func.count(Case.id))) == 1
