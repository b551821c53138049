"""Three purges at the same moment (a scheduler's job and two operators): each debtor is
anonymised once, with one audit event, and the books still verify.

Needs PostgreSQL: the claim is a conditional UPDATE, and SQLite has no concurrent writers.
"""

from __future__ import annotations

import threading
from datetime import date

import pytest
import sqlalchemy as sa

from app.domain import pipeline
from app.extensions import db
from app.models import AuditEvent, Debtor
from app.services import casework, ledger, payments, personal_data
from tests import factories

pytestmark = pytest.mark.needs_server

LATER = date(2040, 1, 1)


def test_three_purges_at_once_erase_each_debtor_once(app, people, today, rates_to_date):
    cases = []
    for number in range(4):
        case = factories.make_case(
            people.creditor_user, invoices=[factories.invoice(f"F-{number}", 10_000)], today=today
        )
        casework.accept_case(people.agent, case, today=today)
        payments.record_payment(
            people.agent, case, amount_cents=5_000, received_on=today, method="cheque", today=today
        )
        casework.move_stage(
            people.supervisor,
            case,
            pipeline.CLOSED,
            reason="Insolvable",
            outcome="irrecoverable",
            today=today,
        )
        cases.append(case)
    debtor_ids = {c.debtor_id for c in cases}
    start = threading.Barrier(3)
    errors: list = []
    erased: list = []

    def run():
        with app.app_context():
            try:
                start.wait()
                erased.extend(e.debtor_id for e in personal_data.purge(LATER).erased)
            except Exception as exc:  # reported by the test
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sorted(erased) == sorted(debtor_ids)
    events = db.session.scalars(
        sa.select(AuditEvent.entity_id).where(AuditEvent.action == "debtor.anonymise")
    ).all()
    assert sorted(events) == sorted(debtor_ids)
    assert all(db.session.get(Debtor, d).anonymised_at is not None for d in debtor_ids)
    assert ledger.verify() == []
