"""GET /api/v1/cases: the creditor's cases, oldest change first, by opaque cursor."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.extensions import db
from app.services import casework
from tests import factories


def _cases(people, today, count):
    return [
        factories.make_case(
            people.creditor_user, invoices=[factories.invoice(f"F-{n}")], today=today
        )
        for n in range(count)
    ]


def test_it_pages_through_every_case_once_by_following_next(api, people, today):
    made = _cases(people, today, 5)
    seen, url, pages = [], "/cases?limit=2", 0
    while url:
        response = api.get(url.removeprefix("/api/v1"))
        assert response.status_code == 200
        body = response.get_json()
        seen += [case["reference"] for case in body["items"]]
        url, pages = body["next"], pages + 1
        if url:
            assert response.headers["Link"] == f'<{url}>; rel="next"'
    assert pages == 3
    assert seen == [case.reference for case in made]


def test_it_filters_by_stage(api, people, today):
    first, second = _cases(people, today, 2)
    casework.accept_case(people.agent, second, today=today)
    body = api.get("/cases?stage=amicable").get_json()
    assert [case["reference"] for case in body["items"]] == [second.reference]
    assert body["next"] is None


def test_it_lists_only_cases_changed_since_a_moment(api, people, today):
    old, recent = _cases(people, today, 2)
    old.updated_at = datetime.now(UTC) - timedelta(days=3)
    db.session.commit()
    since = (datetime.now(UTC) - timedelta(days=1)).isoformat().replace("+00:00", "Z")
    body = api.get(f"/cases?updated_since={since}").get_json()
    assert [case["reference"] for case in body["items"]] == [recent.reference]


def test_bad_filters_and_cursors_are_named(api):
    for query, field in (
        ("stage=nope", "stage"),
        ("limit=0", "limit"),
        ("limit=abc", "limit"),
        ("cursor=!!!", "cursor"),
        ("cursor=e30", "cursor"),  # base64 of {}
        ("updated_since=yesterday", "updated_since"),
    ):
        response = api.get(f"/cases?{query}")
        assert response.status_code == 422, query
        assert response.get_json()["errors"][0]["field"] == field


def test_one_case_by_its_reference(api, people, today):
    (case,) = _cases(people, today, 1)
    body = api.get(f"/cases/{case.reference}").get_json()
    assert body["reference"] == case.reference
    assert body["links"]["balance"] == f"/api/v1/cases/{case.reference}/balance"
    assert api.get("/cases/REC-2026-999999").status_code == 404


def test_a_payment_on_an_old_case_makes_it_show_as_changed(api, people, today):
    from app.services import payments

    old, _recent = _cases(people, today, 2)
    casework.accept_case(people.agent, old, today=today)
    old.updated_at = datetime.now(UTC) - timedelta(days=3)
    db.session.commit()
    since = (datetime.now(UTC) - timedelta(days=1)).isoformat().replace("+00:00", "Z")
    assert old.reference not in [
        c["reference"] for c in api.get(f"/cases?updated_since={since}").get_json()["items"]
    ]
    payments.record_payment(
        people.agent, old, amount_cents=5_000, received_on=today, method="transfer", today=today
    )
    listed = api.get(f"/cases?updated_since={since}").get_json()["items"]
    assert old.reference in [c["reference"] for c in listed]
