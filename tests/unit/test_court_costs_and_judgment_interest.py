"""After the court: costs the debtor owes once a title exists, and interest that follows the
judgment (LAW.md sections 4 and 6), with worked numbers."""

from __future__ import annotations

from datetime import date

from app.domain.balance import ClaimInvoice, ClaimPayment, ClaimRules, compute_balance
from app.domain.interest import ECB, LEGAL_OTHER, JudgmentTerms, RateBook

# Made-up rates, round enough to check by hand: ECB 2.15 % (B2B: 12.15 %), legal 3.00 %.
BOOK = RateBook(
    {
        (ECB, date(2026, 1, 1)): 215,
        (LEGAL_OTHER, date(2026, 1, 1)): 300,
        (ECB, date(2026, 7, 1)): 215,
        (LEGAL_OTHER, date(2026, 7, 1)): 300,
    }
)
CONSUMER_WITHOUT_NOTICE = ClaimRules.for_debtor(business_debtor=False)


def test_court_costs_are_owed_from_the_title_and_settled_before_principal():
    # 1,000.00 due 31 January; a title on 1 June makes 150.00 of costs owed from then. A
    # consumer never put on notice owes no interest, so only costs and principal move.
    invoice = ClaimInvoice(
        "A", "F-1", date(2026, 1, 31), 100_000, later_costs=((date(2026, 6, 1), 15_000),)
    )
    before_title = ClaimPayment("p1", date(2026, 5, 1), 10_000)
    after_title = ClaimPayment("p2", date(2026, 6, 15), 10_000)

    balance = compute_balance(
        [invoice], [before_title, after_title], CONSUMER_WITHOUT_NOTICE, BOOK, date(2026, 7, 1)
    )

    parts = {(a.payment_key, a.part): a.cents for a in balance.allocations}
    assert parts == {("p1", "principal"): 10_000, ("p2", "costs"): 10_000}
    assert balance.costs_cents == 15_000
    assert balance.outstanding_cents == 100_000 + 15_000 - 20_000


def test_before_the_title_the_costs_are_not_in_the_balance():
    invoice = ClaimInvoice(
        "A", "F-1", date(2026, 1, 31), 100_000, later_costs=((date(2026, 6, 1), 15_000),)
    )
    on_the_eve = compute_balance([invoice], [], CONSUMER_WITHOUT_NOTICE, BOOK, date(2026, 5, 31))
    on_the_day = compute_balance([invoice], [], CONSUMER_WITHOUT_NOTICE, BOOK, date(2026, 6, 1))
    assert on_the_eve.outstanding_cents == 100_000
    assert on_the_day.outstanding_cents == 115_000


def test_a_consumers_judgment_interest_runs_at_its_rate_then_five_points_more():
    # 1,000.00, judgment interest at 8.00 % from 1 March, enforceable 15 March: +5 points from
    # 15 May. To 30 June: 75 days at 8 % (1 Mar-14 May) + 47 days at 13 % (15 May-30 Jun)
    # = 100,000 x (800 x 75 + 1,300 x 47) / 3,650,000 = 3,317.8 -> 33.18 EUR.
    judgment = JudgmentTerms(
        starts_on=date(2026, 3, 1),
        rate_bp=800,
        enforceable_on=date(2026, 3, 15),
        consumer=True,
    )
    rules = ClaimRules.for_debtor(business_debtor=False, judgment=judgment)
    invoice = ClaimInvoice("A", "F-1", date(2026, 1, 31), 100_000)

    balance = compute_balance([invoice], [], rules, BOOK, date(2026, 6, 30))

    assert balance.interest_cents == 3_318
    assert balance.indemnity_cents == 0  # a consumer owes no 40 EUR indemnity
    assert balance.outstanding_cents == 103_318


def test_between_traders_late_interest_gives_way_to_the_legal_rate_of_the_judgment():
    # 1,000.00 due 31 January: 12.15 % from 1 February to 31 March (59 days), then the judgment's
    # legal rate, 3.00 %, from 1 April to 30 April (30 days):
    # 100,000 x (1,215 x 59 + 300 x 30) / 3,650,000 = 2,210.5 -> 22.11 EUR; plus 40.00 indemnity.
    judgment = JudgmentTerms(starts_on=date(2026, 4, 1), enforceable_on=date(2026, 4, 1))
    rules = ClaimRules.for_debtor(business_debtor=True, judgment=judgment)
    invoice = ClaimInvoice("A", "F-1", date(2026, 1, 31), 100_000)

    balance = compute_balance([invoice], [], rules, BOOK, date(2026, 4, 30))

    assert balance.interest_cents == 2_211
    assert balance.outstanding_cents == 100_000 + 2_211 + 4_000


def test_a_trader_never_pays_the_consumer_surcharge():
    judgment = JudgmentTerms(
        starts_on=date(2026, 3, 1), rate_bp=800, enforceable_on=date(2026, 3, 1)
    )
    rules = ClaimRules.for_debtor(business_debtor=True, judgment=judgment)
    invoice = ClaimInvoice("A", "F-1", date(2026, 2, 28), 100_000)
    # 1 March to 30 June, 122 days at 8 %: 100,000 x 800 x 122 / 3,650,000 = 2,673.97 -> 26.74.
    balance = compute_balance([invoice], [], rules, BOOK, date(2026, 6, 30))
    assert balance.interest_cents == 2_674


def test_a_payment_after_the_judgment_pays_costs_then_interest_then_principal():
    # Consumer, judgment at 10.00 % from 1 March (no surcharge: enforceability not entered);
    # title costs of 100.00 owed from 1 March. Payment of 200.00 on 31 March: costs 100.00,
    # then interest 1 Mar-31 Mar, 31 days: 100,000 x 1,000 x 31 / 3,650,000 = 8.49, then
    # principal 91.51. Interest then runs on 908.49.
    judgment = JudgmentTerms(starts_on=date(2026, 3, 1), rate_bp=1000, consumer=True)
    rules = ClaimRules.for_debtor(business_debtor=False, judgment=judgment)
    invoice = ClaimInvoice(
        "A", "F-1", date(2026, 1, 31), 100_000, later_costs=((date(2026, 3, 1), 10_000),)
    )
    payment = ClaimPayment("p", date(2026, 3, 31), 20_000)

    balance = compute_balance([invoice], [payment], rules, BOOK, date(2026, 3, 31))

    parts = {a.part: a.cents for a in balance.allocations}
    assert parts == {"costs": 10_000, "interest": 849, "principal": 9_151}
    assert balance.outstanding_cents == 100_000 - 9_151
