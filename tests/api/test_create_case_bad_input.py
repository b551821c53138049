"""Bad case bodies get a problem+json naming each field, and create nothing."""

from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db
from app.models import Case
from tests.api.conftest import case_body


def _fields(response) -> dict[str, str]:
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == response.status_code
    return {error["field"]: error["message"] for error in body.get("errors", [])}


def _invoice(**overrides) -> dict:
    return {**case_body()["invoices"][0], **overrides}


def test_malformed_json_gets_400(api):
    response = api.client.post(
        "/api/v1/cases",
        data="{not json",
        content_type="application/json",
        headers=api.headers(),
    )
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"


def test_a_body_that_is_not_json_gets_415(api):
    response = api.client.post("/api/v1/cases", data={"a": "b"}, headers=api.headers())
    assert response.status_code == 415


def test_wrong_types_and_unknown_fields_are_named(api, frozen_today):
    body = case_body(colour="blue", invoices="F-1")
    body["debtor"] = {**body["debtor"], "name": 42}
    response = api.post("/cases", body)
    assert response.status_code == 422
    fields = _fields(response)
    assert set(fields) == {"colour", "invoices", "debtor.name"}
    assert fields["colour"] == "Champ inconnu."


def test_missing_required_fields_are_named(api):
    response = api.post("/cases", {"debtor": {"kind": "company"}})
    fields = _fields(response)
    assert {"external_ref", "invoices", "debtor.name", "debtor.address"} <= set(fields)


def test_an_amount_must_be_a_decimal_string_with_at_most_two_decimals(api, frozen_today):
    response = api.post(
        "/cases",
        case_body(invoices=[_invoice(amount="100.005"), _invoice(number="F-2", amount=100.5)]),
    )
    fields = _fields(response)
    assert fields["invoices.0.amount"] == "Un montant a au plus deux décimales."
    assert "chaîne" in fields["invoices.1.amount"]


def test_a_siren_with_a_bad_check_digit_is_refused(api, frozen_today):
    body = case_body()
    body["debtor"] = {**body["debtor"], "siren": "732829321"}
    fields = _fields(api.post("/cases", body))
    assert fields == {
        "debtor.siren": "SIREN invalide : 9 chiffres attendus avec une clé de contrôle correcte."
    }


def test_a_due_date_before_the_issue_date_is_refused(api, frozen_today):
    response = api.post(
        "/cases", case_body(invoices=[_invoice(issue_date="2026-07-01", due_date="2026-06-01")])
    )
    assert response.status_code == 422
    assert _fields(response) == {
        "invoices.0.due_date": "L'échéance ne peut pas précéder la date d'émission."
    }


def test_a_date_that_is_not_iso_is_named(api):
    fields = _fields(api.post("/cases", case_body(invoices=[_invoice(issue_date="01/06/2026")])))
    assert fields["invoices.0.issue_date"] == "Une date AAAA-MM-JJ est attendue."


def test_errors_are_in_english_for_an_english_client(api, frozen_today):
    body = case_body()
    body["debtor"] = {**body["debtor"], "siren": "732829321"}
    response = api.post("/cases", body, headers={"Accept-Language": "en"})
    assert response.get_json()["title"] == "Invalid data"
    assert "SIREN" in _fields(response)["debtor.siren"]
    assert "invalide" not in _fields(response)["debtor.siren"]


def test_nothing_is_saved_when_anything_is_wrong(api, frozen_today):
    api.post("/cases", case_body(invoices=[_invoice(), _invoice(amount="-1.00")]))
    assert db.session.scalar(sa.select(sa.func.count(Case.id))) == 0


def test_a_formal_notice_received_in_the_future_is_refused(api, frozen_today):
    response = api.post("/cases", case_body(formal_notice_received_on="2027-01-01"))
    assert response.status_code == 422
    assert _fields(response) == {
        "formal_notice_received_on": "La date de réception ne peut pas être dans le futur."
    }
