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


def _payments_and_reversals_at_once(app, case_id, agent_id, amounts, to_reverse, today):
    """Each operation from its own thread and session, released together. The barrier comes
    before any database access: the pool (15 connections) then lets the rest queue for one."""
    operations = [("pay", amount) for amount in amounts] + [("reverse", i) for i in to_reverse]
    start = threading.Barrier(len(operations))
    errors = []

    def run(kind, value):
        start.wait()
        with app.app_context():
            try:
                agent = db.session.get(User, agent_id)
                if kind == "pay":
                    payments.record_payment(
                        agent,
                        db.session.get(Case, case_id),
                        amount_cents=value,
                        received_on=today,
                        method="transfer",
                        today=today,
                    )
                else:
                    payments.reverse_payment(
                        agent, db.session.get(Payment, value), reason="bounced_cheque", today=today
                    )
            except Exception as exc:  # reported to the test below
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=operation) for operation in operations]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


def test_fifty_payments_and_reversals_at_once_leave_the_books_balanced_and_exact(
    app, people, today, amicable_case
):
    case_id = amicable_case.id
    earlier = [
        payments.record_payment(
            people.agent,
            amicable_case,
            amount_cents=1_000 + i,
            received_on=today,
            method="cheque",
            today=today,
        ).id
        for i in range(25)
    ]
    new_amounts = [2_000 + 7 * i for i in range(25)]

    errors = _payments_and_reversals_at_once(
        app, case_id, people.agent.id, new_amounts, earlier, today
    )

    assert errors == []
    db.session.expire_all()
    case = db.session.get(Case, case_id)
    standing = db.session.scalars(
        sa.select(Payment).where(Payment.case_id == case_id, Payment.reversed_at.is_(None))
    ).all()
    assert sorted(p.amount_cents for p in standing) == new_amounts
    assert db.session.scalar(sa.select(sa.func.count(Payment.id))) == 50
    balance = claims.case_balance(case, today)
    # 1,297.92 owed before: every standing cent is allocated, none of a reversed payment.
    assert balance.paid_cents == sum(new_amounts)
    assert balance.outstanding_cents == 129_792 - sum(new_amounts)
    assert sum(a.cents for a in balance.allocations) == sum(new_amounts)
    assert balance.credit_cents == 0 and books.case_credit_cents(case_id) == 0
    assert case.is_open
    assert books.verify() == []
