"""Properties of the balance for random invoices and payments: money is never created or lost."""

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.balance import PARTS, ClaimInvoice, ClaimPayment, ClaimRules, compute_balance
from app.domain.interest import RateBook
from app.domain.rate_tables import seed_rows

BOOK = RateBook({(kind, start): bp for kind, start, bp in seed_rows()})
FIRST_DAY = date(2023, 1, 1)
LAST_DAY = date(2026, 6, 30)  # the last semester in the seeded table
SPAN = (LAST_DAY - FIRST_DAY).days

days = st.integers(min_value=0, max_value=SPAN).map(lambda n: FIRST_DAY + timedelta(days=n))

invoices = st.lists(
    st.builds(
        lambda n, due, cents, costs: ClaimInvoice(f"I{n}", f"F-{n}", due, cents, costs),
        st.integers(0, 10_000),
        days,
        st.integers(1, 5_000_000),
        st.sampled_from([0, 0, 0, 2_500]),
    ),
    min_size=1,
    max_size=4,
    unique_by=lambda i: i.key,
)


@st.composite
def scenarios(draw):
    claim = draw(invoices)
    keys = [i.key for i in claim] + [None]
    payments = draw(
        st.lists(
            st.builds(
                lambda n, day, cents, designated: ClaimPayment(f"P{n}", day, cents, designated),
                st.integers(0, 10_000),
                days,
                st.integers(1, 3_000_000),
                st.sampled_from(keys),
            ),
            max_size=5,
            unique_by=lambda p: p.key,
        )
    )
    rules = draw(
        st.sampled_from(
            [
                ClaimRules.for_debtor(business_debtor=True),
                ClaimRules.for_debtor(business_debtor=True, contractual_rate_bp=900),
                ClaimRules.for_debtor(business_debtor=False),
                ClaimRules.for_debtor(
                    business_debtor=False, formal_notice_received_on=date(2024, 2, 10)
                ),
                ClaimRules.for_debtor(business_debtor=True, insolvency=True),
            ]
        )
    )
    return claim, payments, rules, draw(days)


@settings(max_examples=300, deadline=None)
@given(scenarios())
def test_every_cent_paid_is_allocated_once_or_held_as_credit(scenario):
    claim, payments, rules, as_of = scenario
    balance = compute_balance(claim, payments, rules, BOOK, as_of)
    received = sum(p.amount_cents for p in payments if p.received_on <= as_of)
    allocated = sum(a.cents for a in balance.allocations)
    assert allocated + balance.credit_cents == received
    assert allocated == balance.paid_cents
    for payment in payments:
        spent = sum(a.cents for a in balance.allocations if a.payment_key == payment.key)
        assert spent <= payment.amount_cents


@settings(max_examples=300, deadline=None)
@given(scenarios())
def test_no_part_of_an_invoice_is_ever_paid_beyond_what_it_owed(scenario):
    claim, payments, rules, as_of = scenario
    balance = compute_balance(claim, payments, rules, BOOK, as_of)
    for line in balance.invoices:
        owed = {
            "costs": line.costs_cents,
            "indemnity": line.indemnity_cents,
            "interest": line.interest_cents,
            "principal": line.principal_cents,
        }
        for part in PARTS:
            assert 0 <= line.paid[part] <= owed[part]
        assert line.outstanding_cents >= 0
    # A credit only exists once everything is paid.
    if balance.credit_cents:
        assert balance.outstanding_cents == 0


@settings(max_examples=200, deadline=None)
@given(scenarios())
def test_the_order_payments_are_listed_in_does_not_change_the_balance(scenario):
    claim, payments, rules, as_of = scenario
    forward = compute_balance(claim, payments, rules, BOOK, as_of)
    backward = compute_balance(list(reversed(claim)), list(reversed(payments)), rules, BOOK, as_of)
    assert forward.outstanding_cents == backward.outstanding_cents
    assert forward.credit_cents == backward.credit_cents


@settings(max_examples=200, deadline=None)
@given(scenarios())
def test_without_payments_what_is_owed_never_decreases_with_time(scenario):
    claim, _payments, rules, as_of = scenario
    earlier = compute_balance(claim, [], rules, BOOK, as_of)
    later = compute_balance(claim, [], rules, BOOK, min(as_of + timedelta(days=30), LAST_DAY))
    assert later.outstanding_cents >= earlier.outstanding_cents
