"""GET /api/v1/statements and /statements/{id}: the creditor's remittance statements."""

from __future__ import annotations

from app.services import payments, remittance


def _issue(people, case, today, cents=10_000):
    payments.record_payment(
        people.agent, case, amount_cents=cents, received_on=today, method="transfer", today=today
    )
    return remittance.run_remittance(people.supervisor, people.creditor, today=today)


def test_it_lists_statements_newest_first_and_shows_one_with_its_lines(
    api, amicable_case, people, today
):
    first = _issue(people, amicable_case, today)
    second = _issue(people, amicable_case, today, 5_000)
    body = api.get("/statements").get_json()
    assert [item["id"] for item in body["items"]] == [second.id, first.id]
    assert body["items"][1]["gross"] == "100.00"

    page = api.get("/statements?limit=1").get_json()
    assert [item["id"] for item in page["items"]] == [second.id]
    rest = api.get(page["next"].removeprefix("/api/v1")).get_json()
    assert [item["id"] for item in rest["items"]] == [first.id] and rest["next"] is None

    detail = api.get(f"/statements/{first.id}").get_json()
    assert detail["reference"] == first.reference
    assert detail["transferred"] == f"{first.amount_cents / 100:.2f}"
    (line,) = [line for line in detail["lines"] if line["gross"] != "0.00"]
    assert line["case_reference"] == amicable_case.reference
    assert line["gross"] == "100.00"
    assert line["commission"] == "12.00"


def test_an_unknown_statement_is_404(api):
    assert api.get("/statements/999").status_code == 404


def test_an_id_beyond_the_databases_integers_is_404_not_a_crash(api):
    assert api.get(f"/statements/{2**63}").status_code == 404


def test_an_id_that_is_not_a_number_is_a_json_404(api):
    for raw in ("-1", "abc", "1.5"):
        response = api.get(f"/statements/{raw}")
        assert response.status_code == 404, raw
        assert response.mimetype == "application/problem+json"
