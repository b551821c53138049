"""A creditor's dashboard, with worked numbers: three cases, payments, a reversed cheque, a
remittance, and another creditor whose figures must never leak in."""

from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.services import casework, claims, dashboard, payments, remittance
from app.services.errors import Forbidden, NotFound
from tests import factories


def _pay(agent, case, cents, on, method="transfer"):
    return payments.record_payment(
        agent, case, amount_cents=cents, received_on=on, method=method, today=on
    )


@pytest.fixture
def book(people, today, rates_to_date):
    """Case A (amicable): 1,000.00 due 01/07/2026 and 500.00 due 31/10/2026, 300.00 paid on
    15/10 and 100.00 on 20/11, a 200.00 cheque reversed. Case B: 400.00 due 31/03/2026,
    opened 01/05, paid in full on 15/09 (closed as paid). Case C (intake): 250.00 due 01/09/2026
    of which 50.00 paid before the handover."""
    agent = people.agent
    a = factories.make_case(
        people.creditor_user,
        invoices=[
            factories.invoice("A-1", 100_000, issued=date(2026, 6, 1), days=30),
            factories.invoice("A-2", 50_000, issued=date(2026, 10, 1), days=30),
        ],
        today=date(2026, 10, 5),
    )
    casework.accept_case(agent, a, today=date(2026, 10, 5))
    b = factories.make_case(
        people.creditor_user,
        invoices=[factories.invoice("B-1", 40_000, issued=date(2026, 3, 1), days=30)],
        debtor=factories.debtor_input("Client B SARL", factories.VALID_SIRENS[1]),
        today=date(2026, 5, 1),
    )
    casework.accept_case(agent, b, today=date(2026, 5, 1))
    owed_b = claims.case_balance(b, date(2026, 9, 15)).outstanding_cents
    _pay(agent, b, owed_b, date(2026, 9, 15))
    _pay(agent, a, 30_000, date(2026, 10, 15))
    remittance.run_remittance(people.supervisor, people.creditor, today=date(2026, 10, 20))
    cheque = _pay(agent, a, 20_000, date(2026, 11, 2), method="cheque")
    payments.reverse_payment(agent, cheque, reason="bounced_cheque", today=today)
    _pay(agent, a, 10_000, date(2026, 11, 20))
    factories.make_case(
        people.creditor_user,
        invoices=[
            factories.invoice("C-1", 25_000, issued=date(2026, 8, 2), days=30, paid_cents=5_000)
        ],
        debtor=factories.debtor_input("Client C SAS", factories.VALID_SIRENS[2]),
        today=today,
    )
    # Another creditor, with much bigger numbers that would show if scoping slipped.
    other = factories.make_case(
        people.other_creditor_user,
        invoices=[factories.invoice("O-1", 9_990_000, issued=date(2026, 1, 1), days=30)],
        today=date(2026, 2, 1),
    )
    casework.accept_case(agent, other, today=date(2026, 2, 1))
    _pay(agent, other, 1_000_000, date(2026, 10, 10))
    db.session.commit()
    return {"a": a, "b": b, "owed_b": owed_b}


def test_what_was_handed_over_and_what_is_still_unpaid_by_stage(people, today, book):
    figures = dashboard.for_user(people.creditor_user, today)
    assert figures.total_cases == 3
    assert figures.handed_over_cents == 150_000 + 40_000 + 20_000
    by_stage = {s.stage: (s.cases, s.outstanding_cents) for s in figures.stages}
    # A: 1,500.00 less the 400.00 that stand (the reversed cheque does not count).
    assert by_stage == {
        "intake": (1, 20_000),
        "amicable": (1, 110_000),
        "judicial": (0, 0),
        "insolvency": (0, 0),
    }
    assert figures.outstanding_cents == 130_000


def test_ageing_counts_from_each_invoices_due_date_on_what_is_still_unpaid(people, today, book):
    figures = dashboard.for_user(people.creditor_user, today)
    # A-1 (145 days past due) took the 400.00 first: 600.00 left; A-2 (23 days): 500.00;
    # C-1 (83 days): 200.00. B is paid, so absent.
    assert figures.ageing == {
        "0-30": 50_000,
        "31-60": 0,
        "61-90": 20_000,
        "91-180": 60_000,
        "180+": 0,
    }


def test_recovered_per_month_counts_only_payments_that_stand(people, today, book):
    figures = dashboard.for_user(people.creditor_user, today)
    assert len(figures.months) == 12
    assert figures.months[0].month == date(2025, 12, 1)
    assert figures.months[-1].month == date(2026, 11, 1)
    by_month = {
        m.month: (m.recovered_cents, m.cases_paying, m.cases_closed_paid)
        for m in figures.months
        if m.recovered_cents or m.cases_closed_paid
    }
    assert by_month == {
        date(2026, 9, 1): (book["owed_b"], 1, 1),
        date(2026, 10, 1): (30_000, 1, 0),
        date(2026, 11, 1): (10_000, 1, 0),
    }


def test_recovery_rate_average_delay_and_what_remains_to_remit(people, today, book):
    figures = dashboard.for_user(people.creditor_user, today)
    # B owed its principal, the 40.00 indemnity and late interest on 15/09.
    assert book["owed_b"] == 46_237
    recovered = 30_000 + 10_000 + 46_237
    assert figures.recovered_cents == recovered
    assert figures.recovery_rate == Decimal("41.1")  # 86,237 / 210,000 = 41.07 %
    assert figures.closed_paid_cases == 1
    assert figures.average_days_to_recover == Decimal("137.0")  # 01/05 -> 15/09
    # Only the 100.00 of 20/11 is unremitted: less 12 % commission and its 20 % VAT.
    assert figures.to_remit_cents == 10_000 - 1_200 - 240
    assert figures.remitted_cents == remittance.money_figures(people.creditor.id).remitted_cents
    assert figures.remitted_cents > 0


def test_the_back_office_sees_the_same_figures_for_that_creditor_only(people, today, book):
    mine = dashboard.for_user(people.creditor_user, today)
    seen = dashboard.for_agency(people.agent, people.creditor.id, today)
    assert seen.handed_over_cents == mine.handed_over_cents
    assert seen.recovered_cents == mine.recovered_cents
    theirs = dashboard.for_agency(people.supervisor, people.other_creditor.id, today)
    assert theirs.handed_over_cents == 9_990_000
    assert theirs.recovered_cents == 1_000_000
    assert dashboard.for_user(people.other_creditor_user, today).total_cases == 1


def test_a_creditor_user_cannot_ask_for_another_creditor_and_the_agency_id_must_be_a_creditor(
    people, today
):
    with pytest.raises(Forbidden):
        dashboard.for_agency(people.creditor_user, people.other_creditor.id, today)
    with pytest.raises(NotFound):
        dashboard.for_agency(people.agent, people.agency.id, today)
    with pytest.raises(NotFound):
        dashboard.for_user(people.agent, today)


def test_a_new_creditor_has_an_empty_dashboard(people, today):
    figures = dashboard.for_user(people.creditor_user, today)
    assert figures.is_empty
    assert figures.recovery_rate is None
    assert figures.average_days_to_recover is None
    assert figures.outstanding_cents == 0
    assert all(m.recovered_cents == 0 for m in figures.months)


def test_the_number_of_queries_does_not_grow_with_the_number_of_cases(people, today, book):
    def count_queries() -> int:
        statements = []

        def listen(*_args):
            statements.append(1)

        engine = db.engine
        sa.event.listen(engine, "before_cursor_execute", listen)
        try:
            db.session.expire_all()
            dashboard.for_user(people.creditor_user, today)
        finally:
            sa.event.remove(engine, "before_cursor_execute", listen)
        return len(statements)

    before = count_queries()
    for n in range(5):
        factories.make_case(
            people.creditor_user,
            invoices=[factories.invoice(f"X-{n}", 10_000 + n)],
            debtor=factories.debtor_input(f"Client X{n}", factories.VALID_SIRENS[3]),
            today=today,
        )
    assert count_queries() == before
    assert before <= 10


def test_the_home_pages_outstanding_counts_the_payments_the_agency_received(
    people, amicable_case, today
):
    from app.services import payments, reporting

    payments.record_payment(
        people.agent,
        amicable_case,
        amount_cents=30_000,
        received_on=today,
        method="transfer",
        today=today,
    )
    summary = reporting.creditor_summary(people.creditor_user)
    assert summary.outstanding_cents == 120_000 - 30_000
    assert reporting.creditor_summary(people.other_creditor_user).outstanding_cents == 0


def test_the_databases_ageing_is_the_civil_code_imputation_of_the_domain(
    people, today, rates_to_date
):
    """The dashboard imputes payments in SQL (a window function); the domain's pure functions
    are the reference: the same portfolio, with invoices sharing due dates, partly paid before
    handover, and cases paid beyond, before and after, must give the same figures."""
    import random

    from app.domain import dashboard as domain
    from app.models import Case, Invoice, Payment

    rng = random.Random(9)  # noqa: S311 (a repeatable portfolio, not a secret)
    agent = people.agent
    for n in range(8):
        invoices = [
            factories.invoice(
                f"R{n}-{k}",
                rng.randrange(5_000, 90_000),
                issued=date(2026, rng.choice([1, 5, 5, 8, 10]), rng.choice([1, 15])),
                days=rng.choice([30, 45]),
                paid_cents=rng.choice([0, 0, 1_000]),
            )
            for k in range(rng.randrange(1, 5))
        ]
        case = factories.make_case(
            people.creditor_user,
            invoices=invoices,
            debtor=factories.debtor_input(f"Client R{n}", factories.VALID_SIRENS[n % 3]),
            today=date(2026, 11, 1),
        )
        casework.accept_case(agent, case, today=date(2026, 11, 1))
        for _ in range(rng.randrange(0, 3)):
            _pay(agent, case, rng.randrange(2_000, 20_000), date(2026, 11, rng.randrange(2, 20)))
        if n < 3:  # paid in full: closed as paid, on the recovery figures
            day = date(2026, 11, 20 + n)
            _pay(agent, case, claims.case_balance(case, day).outstanding_cents, day)
    db.session.commit()

    figures = dashboard.for_user(people.creditor_user, today)

    cid = people.creditor.id
    rows = [
        domain.InvoiceRow(i.case_id, i.due_date, i.amount_cents - i.paid_cents)
        for i in db.session.scalars(
            sa.select(Invoice).join(Invoice.case).where(Case.creditor_id == cid)
        )
    ]
    paid: dict[int, int] = {}
    standing = list(
        db.session.scalars(
            sa.select(Payment).where(Payment.creditor_id == cid, Payment.reversed_at.is_(None))
        )
    )
    for p in standing:
        paid[p.case_id] = paid.get(p.case_id, 0) + p.amount_cents
    closed = db.session.execute(
        sa.select(Case.opened_on, Case.closed_on).where(
            Case.creditor_id == cid, Case.stage == "closed", Case.outcome == "paid"
        )
    ).all()
    assert closed, "some random cases were paid in full"
    assert figures.months == domain.monthly(
        [(p.case_id, p.received_on, p.amount_cents) for p in standing],
        [closed_on for _opened, closed_on in closed],
        today,
    )
    assert figures.closed_paid_cases == len(closed)
    assert figures.average_days_to_recover == domain.average_days(closed)
    assert figures.ageing == domain.ageing(rows, paid, today)
    assert figures.outstanding_cents == sum(domain.outstanding_by_case(rows, paid).values())
    assert figures.outstanding_cents == dashboard.outstanding_cents(cid)
    assert sum(s.cases for s in figures.stages) == 8 - len(closed)
    assert 0 < figures.outstanding_cents < sum(r.unpaid_cents for r in rows)
