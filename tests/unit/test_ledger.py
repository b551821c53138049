"""The books always balance, and collected = remitted + commission + VAT + still to remit."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain import ledger
from app.domain.commission import fee_on
from app.domain.ledger import (
    CLIENT_FUNDS,
    COMMISSION_INCOME,
    CREDITOR_DIRECT,
    CREDITOR_PAYABLE,
    VAT_PAYABLE,
    Entry,
    Transaction,
    Unbalanced,
)


def test_a_payment_to_the_agency_is_held_for_the_creditor_then_the_fee_is_taken():
    """1,000.00 collected at 12 %: fee 120.00 + VAT 24.00; the creditor is owed 856.00."""
    books = ledger.payment_received(100_000, direct_to_creditor=False)
    books += ledger.fee_charged(fee_on(100_000, 1_200))
    totals = ledger.balances(books)
    assert totals[CLIENT_FUNDS] == 100_000
    assert totals[CREDITOR_PAYABLE] == -85_600
    assert (totals[COMMISSION_INCOME], totals[VAT_PAYABLE]) == (-12_000, -2_400)
    assert sum(totals.values()) == 0


def test_a_payment_straight_to_the_creditor_earns_a_fee_the_creditor_then_owes():
    books = ledger.payment_received(50_000, direct_to_creditor=True)
    books += ledger.fee_charged(fee_on(50_000, 1_000))
    totals = ledger.balances(books)
    assert totals[CLIENT_FUNDS] == 0 and totals[CREDITOR_DIRECT] == 0
    assert totals[CREDITOR_PAYABLE] == 6_000  # debit: the creditor owes 50.00 + 10.00 VAT


def test_a_reversal_cancels_a_transaction_without_touching_it():
    payment = ledger.payment_received(30_000, direct_to_creditor=False)[0]
    reversal = ledger.reversal_of(payment)
    assert reversal.kind == "payment_reversal"
    assert all(v == 0 for v in ledger.balances([payment, reversal]).values())


def test_an_unbalanced_transaction_cannot_be_built():
    with pytest.raises(Unbalanced):
        Transaction(
            "payment", (Entry(CLIENT_FUNDS, "debit", 100), Entry(CREDITOR_PAYABLE, "credit", 99))
        ).check()


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(1, 2_000_000),
            st.booleans(),
            st.sampled_from([0, 800, 1_200, 1_850]),
            st.booleans(),
        ),
        max_size=12,
    ),
    st.floats(0, 1),
)
def test_collected_equals_remitted_plus_fees_plus_what_is_still_to_remit(movements, share):
    books: list[Transaction] = []
    collected = fees = 0
    for amount, direct, rate_bp, reversed_later in movements:
        fee = fee_on(amount, rate_bp)
        payment = ledger.payment_received(amount, direct_to_creditor=direct)
        charged = ledger.fee_charged(fee)
        books += payment + charged
        if reversed_later:
            books += [ledger.reversal_of(t) for t in payment + charged]
            continue
        fees += fee.total_cents  # due on direct payments too
        if not direct:
            collected += amount  # only what the agency holds is collected into client funds
    to_remit_now = -ledger.balances(books)[CREDITOR_PAYABLE]
    paid_out = int(max(0, to_remit_now) * share)
    if paid_out:
        books += ledger.remitted(paid_out)
    totals = ledger.balances(books)
    assert sum(totals.values()) == 0
    assert all(
        sum(e.cents for e in t.entries if e.side == "debit")
        == sum(e.cents for e in t.entries if e.side == "credit")
        for t in books
    )
    still_to_remit = -totals[CREDITOR_PAYABLE]
    assert totals[CLIENT_FUNDS] == collected - paid_out
    assert collected == paid_out + fees + still_to_remit
