"""Two payments recorded at the same moment on one case are both booked, exactly once each.

Needs PostgreSQL: the case row lock is what orders them (SQLite has no concurrent writers).
"""

import threading
from datetime import date

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Case, Payment, User
from app.services import casework, claims, payments
from app.services import ledger as books
from tests import factories

pytestmark = pytest.mark.needs_server


def _record_at_once(app, case_id, agent_id, amounts, today):
    """Each amount from its own thread and database session, released together."""
    start = threading.Barrier(len(amounts))
    errors = []

    def record(amount):
        with app.app_context():
            try:
                case = db.session.get(Case, case_id)
                agent = db.session.get(User, agent_id)
                start.wait()
                payments.record_payment(
                    agent,
                    case,
                    amount_cents=amount,
                    received_on=today,
                    method="transfer",
                    today=today,
                )
            except Exception as exc:  # reported to the test below
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=record, args=(amount,)) for amount in amounts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return errors


def test_two_payments_at_the_same_time_are_both_allocated_once(app, people, today, rates_to_date):
    case = factories.make_case(
        people.creditor_user,
        invoices=[factories.invoice("F-1", 120_000, issued=date(2026, 6, 1), days=30)],
        today=today,
    )
    casework.accept_case(people.agent, case, today=today)
    db.session.commit()

    # 1,297.92 owed: together the two payments cover it with 2.08 over.
    errors = _record_at_once(app, case.id, people.agent.id, [70_000, 60_000], today)

    assert errors == []
    db.session.expire_all()
    case = db.session.get(Case, case.id)
    assert db.session.scalar(sa.select(sa.func.count(Payment.id))) == 2
    balance = claims.case_balance(case, today)
    assert balance.paid_cents == 129_792 and balance.credit_cents == 208
    allocated = sum(a.cents for a in balance.allocations)
    assert allocated == 129_792
    assert books.case_credit_cents(case.id) == 208
    assert case.outcome == "paid"
    assert books.verify() == []
