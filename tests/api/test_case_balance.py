"""GET /api/v1/cases/{reference}/balance: the same worked numbers as the case page."""

from __future__ import annotations

from datetime import date

from app.extensions import db
from app.models import InterestRate


def test_it_gives_what_the_debtor_owes_on_a_date(api, amicable_case):
    response = api.get(f"/cases/{amicable_case.reference}/balance?as_of=2026-11-23")
    assert response.status_code == 200
    assert response.get_json() == {
        "reference": amicable_case.reference,
        "as_of": "2026-11-23",
        "currency": "EUR",
        "principal": "1200.00",
        "interest": "57.92",
        "indemnity": "40.00",
        "costs": "0.00",
        "paid": "0.00",
        "outstanding": "1297.92",
        "invoices": [
            {
                "number": "F-1",
                "principal": "1200.00",
                "interest": "57.92",
                "indemnity": "40.00",
                "paid": "0.00",
                "outstanding": "1297.92",
            }
        ],
    }


def test_without_a_date_it_is_today(api, amicable_case, frozen_today):
    assert api.get(f"/cases/{amicable_case.reference}/balance").get_json()["as_of"] == "2026-11-23"


def test_a_missing_rate_is_a_409_naming_the_semester(api, amicable_case):
    db.session.query(InterestRate).filter(InterestRate.semester_start == date(2026, 7, 1)).delete()
    db.session.commit()
    response = api.get(f"/cases/{amicable_case.reference}/balance?as_of=2026-11-23")
    assert response.status_code == 409
    body = response.get_json()
    assert body["type"].endswith("/missing-rate")
    assert "Taux manquant" in body["detail"] and "2026" in body["detail"]


def test_a_bad_date_is_named(api, amicable_case):
    response = api.get(f"/cases/{amicable_case.reference}/balance?as_of=23/11/2026")
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["field"] == "as_of"
