"""Balances and allocation with numbers worked by hand (LAW.md sections 2-4)."""

from datetime import date

from app.domain.balance import ClaimInvoice, ClaimPayment, ClaimRules, compute_balance
from app.domain.interest import RateBook
from app.domain.rate_tables import seed_rows

BOOK = RateBook({(kind, start): bp for kind, start, bp in seed_rows()})
B2B = ClaimRules.for_debtor(business_debtor=True)


def by_part(balance, payment_key):
    parts = {}
    for a in balance.allocations:
        if a.payment_key == payment_key:
            parts[(a.invoice_key, a.part)] = parts.get((a.invoice_key, a.part), 0) + a.cents
    return parts


def test_the_law_example_owes_11_119_86():
    invoice = ClaimInvoice("A", "F-1", date(2024, 3, 31), 1_000_000)
    balance = compute_balance([invoice], [], B2B, BOOK, date(2024, 12, 31))
    line = balance.invoices[0]
    assert (line.interest_cents, line.indemnity_cents) == (107_986, 4_000)
    assert balance.outstanding_cents == 1_111_986


def test_nothing_is_late_on_the_due_date_itself():
    invoice = ClaimInvoice("A", "F-1", date(2024, 3, 31), 1_000_000)
    balance = compute_balance([invoice], [], B2B, BOOK, date(2024, 3, 31))
    assert (balance.interest_cents, balance.indemnity_cents) == (0, 0)
    assert balance.outstanding_cents == 1_000_000


def test_interest_runs_on_the_reduced_principal_after_a_partial_payment():
    """10,000.00 due 2024-03-31; 3,000.00 paid 2024-05-31.
    To 2024-05-31: 61 days x 14.50 % on 10,000 = 242.33 (242.3287..).
    The payment goes to the indemnity 40.00, the interest 242.33, then 2,717.67 of principal.
    From 2024-06-01: 7,282.33 x 14.50 % x 30/365 = 86.79 (86.7894..) and
    7,282.33 x 14.25 % x 184/365 = 523.13 (523.1283..): 609.92 (609.9177..) more.
    As of 2024-12-31: interest 242.33 + 609.92 = 852.25; outstanding 7,282.33 + 609.92."""
    invoice = ClaimInvoice("A", "F-1", date(2024, 3, 31), 1_000_000)
    payment = ClaimPayment("P1", date(2024, 5, 31), 300_000)
    balance = compute_balance([invoice], [payment], B2B, BOOK, date(2024, 12, 31))
    assert by_part(balance, "P1") == {
        ("A", "indemnity"): 4_000,
        ("A", "interest"): 24_233,
        ("A", "principal"): 271_767,
    }
    line = balance.invoices[0]
    assert line.interest_cents == 24_233 + 60_992
    assert line.outstanding_cents == 728_233 + 60_992
    assert balance.credit_cents == 0


def test_a_consumer_owes_legal_interest_only_from_the_day_after_the_formal_notice():
    """Creditor a company ("other" column). 2,000.00 due 2024-01-31, notice received 2024-06-14.
    2024-06-15..06-30: 16 d x 5.07 % = 4.444..; 07-01..12-31: 184 d x 4.92 % = 49.604..
    -> 54.05 (54.0493..), no indemnity."""
    rules = ClaimRules.for_debtor(
        business_debtor=False, formal_notice_received_on=date(2024, 6, 14)
    )
    invoice = ClaimInvoice("A", "F-1", date(2024, 1, 31), 200_000)
    balance = compute_balance([invoice], [], rules, BOOK, date(2024, 12, 31))
    assert (balance.interest_cents, balance.indemnity_cents) == (5_405, 0)


def test_a_consumer_without_a_formal_notice_owes_no_interest():
    rules = ClaimRules.for_debtor(business_debtor=False)
    invoice = ClaimInvoice("A", "F-1", date(2024, 1, 31), 200_000)
    balance = compute_balance([invoice], [], rules, BOOK, date(2025, 6, 30))
    assert balance.outstanding_cents == 200_000


def test_an_undesignated_payment_goes_to_the_oldest_due_invoice_first():
    """F-OLD 1,000.00 due 2024-01-31, F-NEW 1,000.00 due 2024-02-29, 1,200.00 paid 2024-03-31.
    F-OLD: 60 d x 14.50 % = 23.84 (23.8356..) + 40.00 indemnity -> it takes 1,063.84.
    F-NEW gets the remaining 136.16: its 40.00 indemnity, its 31 d of interest 12.32 (12.3150..),
    then 83.84 of principal."""
    old = ClaimInvoice("OLD", "F-OLD", date(2024, 1, 31), 100_000)
    new = ClaimInvoice("NEW", "F-NEW", date(2024, 2, 29), 100_000)
    payment = ClaimPayment("P", date(2024, 3, 31), 120_000)
    balance = compute_balance([new, old], [payment], B2B, BOOK, date(2024, 3, 31))
    assert by_part(balance, "P") == {
        ("OLD", "indemnity"): 4_000,
        ("OLD", "interest"): 2_384,
        ("OLD", "principal"): 100_000,
        ("NEW", "indemnity"): 4_000,
        ("NEW", "interest"): 1_232,
        ("NEW", "principal"): 8_384,
    }
    assert balance.outstanding_cents == 100_000 - 8_384


def test_a_designated_invoice_is_paid_first_even_if_it_is_the_newest():
    old = ClaimInvoice("OLD", "F-OLD", date(2024, 1, 31), 100_000)
    new = ClaimInvoice("NEW", "F-NEW", date(2024, 2, 29), 100_000)
    payment = ClaimPayment("P", date(2024, 3, 31), 50_000, designated_invoice="NEW")
    balance = compute_balance([old, new], [payment], B2B, BOOK, date(2024, 3, 31))
    assert {inv for inv, _ in by_part(balance, "P")} == {"NEW"}


def test_invoices_due_the_same_day_share_a_payment_pro_rata():
    """Due the same day, owing 3,000.00 and 1,000.00 (nothing late yet): 100.01 splits 75.01/25.00
    (75.0075 and 25.0025: the odd cent goes to the larger remainder)."""
    big = ClaimInvoice("BIG", "F-1", date(2024, 6, 30), 300_000)
    small = ClaimInvoice("SMALL", "F-2", date(2024, 6, 30), 100_000)
    payment = ClaimPayment("P", date(2024, 6, 1), 10_001)
    balance = compute_balance([big, small], [payment], B2B, BOOK, date(2024, 6, 1))
    assert by_part(balance, "P") == {("BIG", "principal"): 7_501, ("SMALL", "principal"): 2_500}


def test_due_invoices_come_before_invoices_not_yet_due():
    later = ClaimInvoice("LATER", "F-2", date(2024, 12, 31), 100_000)
    due = ClaimInvoice("DUE", "F-1", date(2024, 5, 31), 100_000)
    payment = ClaimPayment("P", date(2024, 5, 31), 50_000)
    balance = compute_balance([later, due], [payment], B2B, BOOK, date(2024, 5, 31))
    assert by_part(balance, "P") == {("DUE", "principal"): 50_000}


def test_an_overpayment_is_held_as_a_credit_not_absorbed():
    invoice = ClaimInvoice("A", "F-1", date(2024, 6, 30), 100_000)
    payment = ClaimPayment("P", date(2024, 6, 1), 100_500)
    balance = compute_balance([invoice], [payment], B2B, BOOK, date(2024, 12, 31))
    assert balance.credit_cents == 500
    assert balance.outstanding_cents == 0
    assert balance.interest_cents == 0


def test_a_payment_after_the_as_of_date_is_not_counted():
    invoice = ClaimInvoice("A", "F-1", date(2024, 3, 31), 1_000_000)
    later = ClaimPayment("P", date(2025, 1, 15), 500_000)
    balance = compute_balance([invoice], [later], B2B, BOOK, date(2024, 12, 31))
    assert balance.outstanding_cents == 1_111_986


def test_a_reversed_payment_leaves_the_claim_as_if_it_never_came():
    """A reversal removes the payment from the history: interest runs on the full principal."""
    invoice = ClaimInvoice("A", "F-1", date(2024, 3, 31), 1_000_000)
    bounced = ClaimPayment("P", date(2024, 5, 31), 300_000)
    with_it = compute_balance([invoice], [bounced], B2B, BOOK, date(2024, 12, 31))
    without = compute_balance([invoice], [], B2B, BOOK, date(2024, 12, 31))
    assert with_it.outstanding_cents < without.outstanding_cents == 1_111_986


def test_costs_are_paid_before_the_indemnity_interest_and_principal():
    invoice = ClaimInvoice("A", "F-1", date(2024, 3, 31), 100_000, costs_cents=15_000)
    payment = ClaimPayment("P", date(2024, 4, 1), 16_000)
    balance = compute_balance([invoice], [payment], B2B, BOOK, date(2024, 4, 1))
    assert by_part(balance, "P") == {("A", "costs"): 15_000, ("A", "indemnity"): 1_000}


def test_an_invoice_paid_in_full_by_its_due_date_owes_no_indemnity_but_a_partial_one_does():
    paid = ClaimInvoice("PAID", "F-1", date(2024, 6, 30), 100_000)
    partly = ClaimInvoice("PART", "F-2", date(2024, 6, 30), 100_000)
    payments = [
        ClaimPayment("P1", date(2024, 6, 30), 100_000, designated_invoice="PAID"),
        ClaimPayment("P2", date(2024, 6, 30), 60_000, designated_invoice="PART"),
    ]
    balance = compute_balance([paid, partly], payments, B2B, BOOK, date(2024, 7, 31))
    indemnities = {line.key: line.indemnity_cents for line in balance.invoices}
    assert indemnities == {"PAID": 0, "PART": 4_000}


def test_same_day_payments_are_applied_in_the_order_they_were_recorded():
    """Payment 10 was recorded after payment 9: it takes what 9 left, not the other way round."""
    older = ClaimInvoice("A", "F-A", date(2024, 1, 31), 10_000)
    newer = ClaimInvoice("B", "F-B", date(2024, 2, 29), 10_000)
    day = date(2024, 1, 31)  # only A is due that day, so order decides who pays A
    payments = [ClaimPayment(10, day, 10_000), ClaimPayment(9, day, 10_000)]

    balance = compute_balance([older, newer], payments, B2B, BOOK, day)

    paid_a = {a.payment_key for a in balance.allocations if a.invoice_key == "A"}
    assert paid_a == {9}
