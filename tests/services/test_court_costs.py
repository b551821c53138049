"""Costs of the court route and the judgment's interest, on a real case: who advanced them, how
the creditor's statement settles them, when the debtor owes them, and the books always hold."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from app.domain import ledger
from app.extensions import db
from app.models import CaseCost, LedgerTransaction
from app.services import casework, claims, costs, judicial, payments, remittance
from app.services import ledger as books
from app.services.errors import Forbidden, ValidationFailed

TODAY = date(2026, 11, 23)


@pytest.fixture
def judicial_case(people, amicable_case, today):
    casework.record_judicial_approval(people.supervisor, amicable_case, note="Accord du 20/11.")
    casework.move_stage(
        people.supervisor, amicable_case, "judicial", reason="Relances sans effet.", today=today
    )
    return amicable_case


@pytest.fixture
def order(people, judicial_case):
    return judicial.start_procedure(
        people.agent, judicial_case, kind="payment_order", court_name="Tribunal de commerce de Lyon"
    )


def _title(people, procedure, on: date) -> None:
    for kind, day in (
        ("filed", date(2026, 9, 10)),
        ("order_obtained", date(2026, 10, 1)),
        ("served", date(2026, 10, 5)),
        ("title_obtained", on),
    ):
        judicial.record_step(
            people.agent, procedure, kind=kind, occurred_on=day, note="", today=TODAY
        )


def _cost(people, case, **overrides):
    values = {
        "kind": "court_fee",
        "label": "Droits de greffe, requête en injonction",
        "amount_cents": 3_343,
        "incurred_on": date(2026, 9, 10),
        "advanced_by": "creditor",
        "recoverable": True,
        "today": TODAY,
    }
    values.update(overrides)
    return costs.record_cost(people.agent, case, **values)


def test_a_cost_the_agency_advances_is_charged_on_the_creditors_next_statement(
    people, judicial_case
):
    payable_before = books.balances(creditor_id=people.creditor.id)[ledger.CREDITOR_PAYABLE]
    cost = _cost(people, judicial_case, advanced_by="agency", amount_cents=8_950, label="Acte")

    balances = books.balances(creditor_id=people.creditor.id)
    # creditor_payable is credit-normal: the agency now owes the creditor 89.50 less.
    assert balances[ledger.CREDITOR_PAYABLE] - payable_before == 8_950
    assert balances[ledger.AGENCY_COSTS] == -8_950
    statement = remittance.pending_statement(people.creditor)
    (line,) = [x for x in statement.lines if x.detail == "Acte"]
    assert line.net_cents == -8_950
    assert line.label == "Frais de procédure avancés par l'agence"
    assert cost.ledger_transaction_id is not None
    assert remittance.money_figures(people.creditor.id).costs_charged_cents == 8_950
    assert books.verify() == []


def test_a_cost_the_creditor_advanced_moves_nothing_in_the_agencys_books(people, judicial_case):
    _cost(people, judicial_case, advanced_by="creditor")
    assert db.session.scalar(sa.select(sa.func.count(LedgerTransaction.id))) == 0


def test_recoverable_costs_enter_the_balance_only_once_a_title_exists(people, order):
    case = order.case
    _cost(people, case)
    before = claims.case_balance(case, TODAY)
    assert before.costs_cents == 0

    _title(people, order, date(2026, 11, 10))

    after = claims.case_balance(case, TODAY)
    assert after.costs_cents == 3_343
    assert after.outstanding_cents == before.outstanding_cents + 3_343


def test_costs_not_recoverable_never_reach_the_debtor(people, order):
    _cost(people, order.case, recoverable=False, label="Honoraires de conseil")
    _title(people, order, date(2026, 11, 10))
    assert claims.case_balance(order.case, TODAY).costs_cents == 0


def test_a_debtor_payment_settles_costs_first_and_no_commission_is_taken_on_them(people, order):
    case = order.case
    _cost(people, case)
    _title(people, order, date(2026, 11, 10))

    payment = payments.record_payment(
        people.agent,
        case,
        amount_cents=10_000,
        received_on=TODAY,
        method="transfer",
        today=TODAY,
    )

    balance = claims.case_balance(case, TODAY)
    paid = {a.part: a.cents for a in balance.allocations if a.payment_key == payment.id}
    assert paid["costs"] == 3_343
    fee = db.session.scalar(
        sa.select(LedgerTransaction).where(
            LedgerTransaction.payment_id == payment.id, LedgerTransaction.kind == "fee"
        )
    )
    commission = sum(e.cents for e in fee.entries if e.account == ledger.COMMISSION_INCOME)
    # Judicial rate 18 % on the 66.57 that was not costs: 11.98 (not 18.00 on 100.00).
    assert commission == 1_198
    assert books.verify() == []


def test_a_cancelled_cost_is_reversed_and_leaves_the_balance(people, order):
    case = order.case
    cost = _cost(people, case, advanced_by="agency")
    _title(people, order, date(2026, 11, 10))

    costs.cancel_cost(people.agent, cost, today=TODAY)

    assert claims.case_balance(case, TODAY).costs_cents == 0
    assert books.balances(creditor_id=people.creditor.id)[ledger.AGENCY_COSTS] == 0
    assert books.verify() == []
    with pytest.raises(ValidationFailed):
        costs.cancel_cost(people.agent, cost, today=TODAY)


def test_a_cost_the_debtor_has_paid_towards_cannot_be_cancelled(people, order):
    case = order.case
    cost = _cost(people, case)
    _title(people, order, date(2026, 11, 10))
    payments.record_payment(
        people.agent, case, amount_cents=1_000, received_on=TODAY, method="cheque", today=TODAY
    )
    with pytest.raises(ValidationFailed, match="déjà réglé"):
        costs.cancel_cost(people.agent, cost, today=TODAY)
    assert db.session.get(CaseCost, cost.id).cancelled_at is None


def test_costs_need_the_creditors_go_for_the_court_route(people, amicable_case):
    with pytest.raises(ValidationFailed, match="accord du créancier"):
        _cost(people, amicable_case)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"amount_cents": 0}, "amount"),
        ({"amount_cents": None}, "amount"),
        ({"label": "  "}, "label"),
        ({"incurred_on": date(2026, 11, 24)}, "incurred_on"),
        ({"advanced_by": "debtor"}, "advanced_by"),
    ],
)
def test_bad_costs_are_refused_and_nothing_is_kept(people, judicial_case, overrides, field):
    with pytest.raises(ValidationFailed) as refused:
        _cost(people, judicial_case, **overrides)
    assert field in refused.value.errors
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(CaseCost.id))) == 0


def test_creditor_staff_cannot_record_costs(people, judicial_case):
    with pytest.raises(Forbidden):
        costs.record_cost(
            people.creditor_user,
            judicial_case,
            kind="court_fee",
            label="x",
            amount_cents=100,
            incurred_on=TODAY,
            advanced_by="creditor",
            recoverable=True,
            today=TODAY,
        )


def test_judgment_interest_needs_the_decision_first(people, order):
    with pytest.raises(ValidationFailed, match="décision ou le titre"):
        judicial.set_judgment_interest(
            people.agent, order, starts_on=date(2026, 11, 1), rate_bp=None, today=TODAY
        )


def test_after_the_judgment_the_balance_follows_the_judgments_rate(people, order):
    # The worked case: 1,200.00 due 1 July, B2B at 12.15 % (ECB 2.15 % + 10). Judgment interest
    # at 5.00 % from 1 October: 1 Jul-30 Sep, 91 days at 12.15 % then 1 Oct-23 Nov, 54 days
    # at 5 %: 120,000 x (1,215 x 91 + 500 x 54) / 3,650,000 = 4,522.6 -> 45.23 EUR.
    case = order.case
    _title(people, order, date(2026, 11, 10))
    judicial.set_judgment_interest(
        people.agent, order, starts_on=date(2026, 10, 1), rate_bp=500, today=TODAY
    )
    balance = claims.case_balance(case, TODAY)
    assert balance.interest_cents == 4_523
    assert balance.outstanding_cents == 120_000 + 4_523 + 4_000
