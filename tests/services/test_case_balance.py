"""A case's balance from the database: its invoices, its debtor, its creditor's terms and the
stored rates, through domain.balance (LAW.md sections 2 and 3)."""

from datetime import date

import pytest

from app.domain import pipeline
from app.domain.interest import MissingRate
from app.extensions import db
from app.services import casework, claims, intake, rates
from tests import factories

YEAR_END = date(2024, 12, 31)


def law_invoice():
    """10,000.00 due 2024-03-31."""
    return factories.invoice("F-2024-031", 1_000_000, issued=date(2024, 3, 1), days=30)


def consumer():
    return intake.DebtorInput(
        kind="individual",
        name="Hélène Vidal",
        address_line1="17 rue de Marseille",
        postal_code="69007",
        city="Lyon",
        emails=["helene.vidal@example.net"],
        phones=["06 12 34 56 78"],
    )


@pytest.fixture
def company_case(people, today):
    return factories.make_case(people.creditor_user, invoices=[law_invoice()], today=today)


@pytest.fixture
def consumer_case(people, today):
    return factories.make_case(
        people.creditor_user, invoices=[law_invoice()], debtor=consumer(), today=today
    )


def test_the_law_example_owes_1_079_86_interest_and_the_40_eur_indemnity(
    company_case, published_rates
):
    """91 days at 14.50 % + 184 days at 14.25 % on 10,000.00 = 1,079.86."""
    balance = claims.case_balance(company_case, YEAR_END)

    (line,) = balance.invoices
    assert line.key == company_case.invoices[0].id
    assert line.number == "F-2024-031"
    assert (line.principal_cents, line.interest_cents, line.indemnity_cents) == (
        1_000_000,
        107_986,
        4_000,
    )
    assert (line.paid_cents, line.outstanding_cents) == (0, 1_111_986)
    assert balance.outstanding_cents == 1_111_986
    assert balance.credit_cents == 0


def test_what_the_creditor_was_paid_before_the_agency_is_not_claimed(
    people, published_rates, today
):
    """Principal 10,000.00 - 4,000.00 already paid = 6,000.00; interest 1,079.86 x 0.6 =
    647.92 (647.9178..): 6,000.00 x (1450 x 91 + 1425 x 184) / 3,650,000."""
    invoice = factories.invoice(
        "F-1", 1_000_000, issued=date(2024, 3, 1), days=30, paid_cents=400_000
    )
    case = factories.make_case(people.creditor_user, invoices=[invoice], today=today)

    balance = claims.case_balance(case, YEAR_END)

    assert balance.principal_cents == 600_000
    assert balance.interest_cents == 64_792
    assert balance.outstanding_cents == 600_000 + 64_792 + 4_000


def test_a_consumer_without_a_formal_notice_owes_no_interest_and_no_indemnity(
    consumer_case, published_rates
):
    balance = claims.case_balance(consumer_case, YEAR_END)

    assert (balance.interest_cents, balance.indemnity_cents) == (0, 0)
    assert balance.outstanding_cents == 1_000_000
    assert claims.interest_basis(consumer_case) == claims.CONSUMER_WITHOUT_NOTICE


def test_a_consumer_owes_legal_interest_from_the_day_after_the_notice_was_received(
    people, consumer_case, published_rates
):
    """Notice received 2024-06-30: interest from 2024-07-01 to 2024-12-31, 184 days at the
    legal rate "other creditors" of 2024 S2, 4.92 %:
    1,000,000 c x 492 x 184 / 3,650,000 = 24,802.19.. c -> 248.02; no 40 EUR indemnity."""
    casework.set_formal_notice_received(
        people.agent, consumer_case, date(2024, 6, 30), today=date(2026, 11, 23)
    )

    balance = claims.case_balance(consumer_case, YEAR_END)

    assert (balance.interest_cents, balance.indemnity_cents) == (24_802, 0)
    assert balance.outstanding_cents == 1_024_802
    assert claims.interest_basis(consumer_case) == claims.CONSUMER


def test_a_private_individual_creditor_takes_the_higher_legal_rate_column(
    people, consumer_case, published_rates
):
    """Same notice, creditor a private individual: 8.16 % in 2024 S2.
    1,000,000 x 816 x 184 / 3,650,000 = 41,135.34.. c -> 411.35."""
    people.creditor.creditor_is_individual = True
    consumer_case.formal_notice_received_on = date(2024, 6, 30)
    db.session.commit()

    assert claims.case_balance(consumer_case, YEAR_END).interest_cents == 41_135


def test_the_creditors_contractual_rate_replaces_ecb_plus_10_points(
    people, company_case, published_rates
):
    """20.00 % over the 275 days 2024-04-01..12-31: 1,000,000 x 2000 x 275 / 3,650,000 =
    150,684.93.. c -> 1,506.85."""
    people.creditor.contractual_rate_bp = 2000
    db.session.commit()

    assert claims.case_balance(company_case, YEAR_END).interest_cents == 150_685


def test_a_contractual_rate_below_three_times_the_legal_rate_is_raised_to_it(
    people, company_case, published_rates
):
    """5.00 % in the terms is below the floor: 3 x 5.07 = 15.21 % in 2024 S1 (91 days) and
    3 x 4.92 = 14.76 % in 2024 S2 (184 days):
    1,000,000 x (1521 x 91 + 1476 x 184) / 3,650,000 = 1,000,000 x 409,995 / 3,650,000 =
    112,327.39.. c -> 1,123.27."""
    people.creditor.contractual_rate_bp = 500
    db.session.commit()

    assert claims.case_balance(company_case, YEAR_END).interest_cents == 112_327


def test_no_indemnity_is_owed_while_an_insolvency_procedure_runs(
    people, company_case, published_rates, today
):
    casework.move_stage(
        people.agent,
        company_case,
        pipeline.INSOLVENCY,
        reason="Redressement judiciaire publié au BODACC.",
        today=today,
    )

    balance = claims.case_balance(company_case, YEAR_END)

    assert (balance.interest_cents, balance.indemnity_cents) == (107_986, 0)
    assert claims.claim_rules(company_case).indemnity_applies is False


def test_a_missing_semester_is_named_never_counted_as_zero(people, published_rates, today):
    case = factories.make_case(people.creditor_user, today=today)  # due 2026-07-01

    with pytest.raises(MissingRate) as error:
        claims.case_balance(case, today)

    assert error.value.semester_start == date(2026, 7, 1)
    assert str(error.value) == (
        "Taux manquant : taux BCE pour le semestre 2026 S2. Ajoutez-le au barème avant de calculer."
    )


def test_a_rate_added_for_the_missing_semester_unblocks_the_balance(people, published_rates, today):
    """1,200.00 due 2026-07-01; from 2026-07-02 to 2026-11-23 = 145 days at 2.15 + 10 %:
    120,000 x 1215 x 145 / 3,650,000 = 5,792.05.. c -> 57.92."""
    case = factories.make_case(people.creditor_user, today=today)
    rates.add_rate(people.admin, "ecb", date(2026, 7, 1), 215)

    balance = claims.case_balance(case, today)

    assert (balance.interest_cents, balance.indemnity_cents) == (5_792, 4_000)


def test_the_balance_is_computed_with_the_rates_it_is_given(company_case):
    from app.domain.interest import RateBook

    book = RateBook({("ecb", date(2024, 1, 1)): 0, ("ecb", date(2024, 7, 1)): 0})
    # 10 % for 275 days: 1,000,000 x 1000 x 275 / 3,650,000 = 75,342.47.. -> 753.42.
    assert claims.case_balance(company_case, YEAR_END, book).interest_cents == 75_342
