"""Random sequences of invoices, payments, reversals and remittance runs, through the real
services and database: the books always balance, allocations never exceed what was owed, and

    collected = remitted + commission + VAT + still to remit + held for debtors

where `collected` is what the agency encashed net of reversals. (Direct payments are recorded and
settled with the creditor at once; their commission makes "still to remit" smaller, or negative
when the creditor owes fees.)"""

from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.domain.balance import PARTS
from app.extensions import db
from app.services import casework, claims, payments, remittance
from app.services import ledger as books
from app.services.errors import ValidationFailed
from tests import factories
from tests.conftest import _empty_all_tables

TODAY = date(2026, 11, 23)
START = date(2026, 9, 1)

invoices = st.lists(
    st.tuples(st.integers(1_000, 500_000), st.integers(0, 120)),  # cents, due days before today
    min_size=1,
    max_size=3,
)
operations = st.lists(
    st.one_of(
        st.tuples(
            st.just("pay"),
            st.integers(1, 400_000),
            st.integers(0, (TODAY - START).days),
            st.booleans(),  # paid straight to the creditor
        ),
        st.tuples(st.just("reverse"), st.integers(0, 20)),
        st.tuples(st.just("remit")),
    ),
    max_size=10,
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(invoices=invoices, operations=operations)
def test_random_money_movements_keep_the_books_true(rates_to_date, invoices, operations):
    try:
        _play(invoices, operations)
    finally:
        db.session.rollback()
        _empty_all_tables()
        from app.services import rates

        rates.seed_published_rates()  # keep the fixture's rates for the next example
        _add_2026_s2()


def _add_2026_s2():
    from app.domain import interest
    from app.services import rates

    for kind, rate_bp in ((interest.ECB, 215), (interest.LEGAL_INDIVIDUAL, 662)):
        rates.add_rate(None, kind, date(2026, 7, 1), rate_bp, "Test")
    rates.add_rate(None, interest.LEGAL_OTHER, date(2026, 7, 1), 287, "Test")


def _play(invoice_specs, operations):
    people = factories.personas()
    rows = [
        factories.invoice(
            f"F-{n}",
            cents,
            issued=TODAY - timedelta(days=days_before + 30),
            days=30,
        )
        for n, (cents, days_before) in enumerate(invoice_specs)
    ]
    case = factories.make_case(people.creditor_user, invoices=rows, today=TODAY)
    casework.accept_case(people.agent, case, today=TODAY)
    recorded = []
    for operation in operations:
        if operation[0] == "pay":
            _, cents, day, direct = operation
            try:
                recorded.append(
                    payments.record_payment(
                        people.agent,
                        case,
                        amount_cents=cents,
                        received_on=START + timedelta(days=day),
                        method="transfer",
                        paid_to_creditor=direct,
                        today=TODAY,
                    )
                )
            except ValidationFailed:
                db.session.rollback()  # the case closed as paid: refused, nothing booked
        elif operation[0] == "reverse" and recorded:
            payment = recorded[operation[1] % len(recorded)]
            try:
                payments.reverse_payment(people.agent, payment, reason="entry_error", today=TODAY)
            except ValidationFailed:
                db.session.rollback()  # already reversed
        elif operation[0] == "remit":
            remittance.run_remittance(people.supervisor, people.creditor, today=TODAY)

    assert books.verify() == []
    balance = claims.case_balance(case, TODAY)
    for line in balance.invoices:
        owed = {
            "costs": line.costs_cents,
            "indemnity": line.indemnity_cents,
            "interest": line.interest_cents,
            "principal": line.principal_cents,
        }
        for part in PARTS:
            assert 0 <= line.paid[part] <= owed[part]
    standing = sum(p.amount_cents for p in recorded if not p.is_reversed)
    assert sum(a.cents for a in balance.allocations) + balance.credit_cents == standing
    figures = remittance.money_figures(people.creditor.id)
    assert figures.collected_cents == (
        figures.remitted_cents
        + figures.commission_cents
        + figures.vat_cents
        + figures.to_remit_cents
        + figures.held_for_debtors_cents
    )
    assert figures.held_for_debtors_cents == balance.credit_cents
