"""No N+1: the pages agents and creditors open all day make a bounded number of queries.

Each test renders a page, then adds invoices, payments, calls, notes and cases, and renders it
again: the number of SQL statements must not grow with them (issue 9). The bound itself is
also checked, so that a page quietly doubling its queries shows up here.
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.services import casework, payments
from tests import factories

pytestmark = pytest.mark.usefixtures("frozen_today", "rates_to_date")

CASE_PAGE_MAX = 80
QUEUE_MAX = 25
CREDITOR_HOME_MAX = 30


@contextmanager
def counted():
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)


def _get(client, url: str) -> list[str]:
    db.session.expire_all()
    with counted() as statements:
        response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return statements


def _grow(people, case, today: date, n: int) -> None:
    """n more invoices-worth of activity on one case: payments, calls, notes."""
    for i in range(n):
        payments.record_payment(
            people.agent,
            case,
            amount_cents=1_000 + i,
            received_on=today - timedelta(days=i + 1),
            method="transfer",
            today=today,
        )
        casework.add_note(people.agent, case, f"Note {i}")
        casework.log_call(
            people.other_agent if i % 2 else people.agent,
            case,
            direction="outbound",
            phone_number="+33612345678",
            outcome="no_answer",
            duration_seconds=30,
            notes=f"Appel {i}",
            today=today,
        )


def _case(people, today, invoices: int):
    case = factories.make_case(
        people.creditor_user,
        invoices=[factories.invoice(f"F-{i}", 100_000 + i) for i in range(invoices)],
        today=today,
    )
    casework.accept_case(people.agent, case, today=today)
    return case


def test_the_case_page_makes_as_many_queries_with_many_rows_as_with_few(
    people, login, client, today
):
    small = _case(people, today, invoices=1)
    _grow(people, small, today, 1)
    large = _case(people, today, invoices=5)
    _grow(people, large, today, 8)
    login(people.agent)
    _get(client, f"/agence/dossiers/{small.reference}")  # warm caches (rates, scenario)

    few = _get(client, f"/agence/dossiers/{small.reference}")
    many = _get(client, f"/agence/dossiers/{large.reference}")

    assert len(many) == len(few), "\n".join(many)
    assert len(many) <= CASE_PAGE_MAX


def test_the_work_queue_makes_as_many_queries_for_many_cases_as_for_one(
    people, login, client, today
):
    _case(people, today, invoices=1)
    login(people.agent)
    _get(client, "/agence/")
    one = _get(client, "/agence/")
    for i in range(6):
        case = _case(people, today, invoices=2)
        if i % 2:
            casework.assign_case(people.admin, case, people.other_agent.id)
    six = _get(client, "/agence/")
    searched = _get(client, "/agence/dossiers?q=Client")

    assert len(six) == len(one), "\n".join(six)
    assert len(six) <= QUEUE_MAX
    assert len(searched) <= QUEUE_MAX


def test_the_creditor_home_makes_as_many_queries_for_many_cases_as_for_one(
    people, login, client, today
):
    first = _case(people, today, invoices=1)
    _grow(people, first, today, 1)
    login(people.creditor_user)
    _get(client, "/creancier/")
    one = _get(client, "/creancier/")
    for _ in range(4):
        case = _case(people, today, invoices=3)
        _grow(people, case, today, 2)
    five = _get(client, "/creancier/")

    assert len(five) == len(one), "\n".join(five)
    assert len(five) <= CREDITOR_HOME_MAX
