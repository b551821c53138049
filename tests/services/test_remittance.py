"""Remittance runs: each movement reported once, commission and VAT deducted, reversals clawed
back, direct-payment fees carried forward, funds held over a month flagged (R124-6)."""

from datetime import date

import pytest
import sqlalchemy as sa

from app.domain import ledger
from app.extensions import db
from app.models import Payment, Remittance
from app.services import casework, payments, remittance
from app.services import ledger as books
from app.services.errors import Forbidden, NotFound
from tests import factories

TODAY = date(2026, 11, 23)


@pytest.fixture
def case(people, rates_to_date):
    """1,200.00 due 2026-07-01 for the creditor (commission 12 % in the amicable stage)."""
    case = factories.make_case(
        people.creditor_user,
        invoices=[factories.invoice("F-1", 120_000, issued=date(2026, 6, 1), days=30)],
        today=TODAY,
    )
    casework.accept_case(people.agent, case, today=TODAY)
    return case


def pay(case, amount_cents, on=date(2026, 10, 1), **extra):
    """Booked as a verified webhook or job would (no actor)."""
    return payments.record_payment(
        None,
        case,
        amount_cents=amount_cents,
        received_on=on,
        method="transfer",
        today=TODAY,
        **extra,
    )


def run(people):
    return remittance.run_remittance(people.supervisor, people.creditor, today=TODAY)


def test_a_run_remits_what_was_collected_less_commission_and_vat(people, case):
    """500.00 + 300.00 at 12 %: commission 96.00, VAT 19.20, 684.80 transferred."""
    pay(case, 50_000)
    pay(case, 30_000, on=date(2026, 10, 15))

    issued = run(people)

    assert issued.reference == f"REM-2026-{issued.id:06d}"
    assert (issued.gross_cents, issued.commission_cents, issued.vat_cents) == (80_000, 9_600, 1_920)
    assert issued.amount_cents == 68_480
    statement = remittance.statement_of(issued)
    assert [(line.gross_cents, line.net_cents) for line in statement.lines] == [
        (50_000, 42_800),
        (30_000, 25_680),
    ]
    assert {line.case_reference for line in statement.lines} == {case.reference}
    assert books.balances(creditor_id=people.creditor.id)[ledger.CREDITOR_PAYABLE] == 0
    assert books.balances(creditor_id=people.creditor.id)[ledger.CLIENT_FUNDS] == 80_000 - 68_480
    assert books.verify() == []


def test_a_second_run_with_nothing_new_issues_nothing(people, case):
    pay(case, 50_000)
    run(people)

    assert run(people) is None
    assert db.session.scalar(sa.select(sa.func.count(Remittance.id))) == 1


def test_a_reversal_after_remittance_is_clawed_back_on_the_next_statement(people, case):
    cheque = pay(case, 50_000)
    run(people)
    payments.reverse_payment(people.agent, cheque, reason="bounced_cheque", today=TODAY)

    clawback = run(people)

    assert clawback.amount_cents == 0  # nothing to transfer: 428.00 is now owed by the creditor
    (line,) = remittance.statement_of(clawback).lines
    assert line.reversal and (line.gross_cents, line.net_cents) == (-50_000, -42_800)
    # The next money is first used to recover it.
    pay(case, 100_000, on=date(2026, 11, 20))
    following = run(people)
    assert following.brought_forward_cents == -42_800
    assert following.amount_cents == 100_000 - 12_000 - 2_400 - 42_800  # 856.00 less 428.00
    assert books.verify() == []


def test_fees_on_direct_payments_are_carried_forward_not_remitted(people, case):
    pay(case, 50_000, paid_to_creditor=True)

    issued = run(people)

    assert issued.amount_cents == 0 and issued.direct_cents == 50_000
    statement = remittance.statement_of(issued)
    assert statement.carried_forward_cents == -7_200  # the creditor owes 60.00 + 12.00 VAT
    assert books.balances(creditor_id=people.creditor.id)[ledger.CREDITOR_PAYABLE] == 7_200


def test_an_overpayment_is_held_for_the_debtor_not_remitted(people, case):
    pay(case, 140_000, on=TODAY)  # 1,297.92 owed: 102.08 over

    issued = run(people)

    (line,) = remittance.statement_of(issued).lines
    assert line.credit_cents == 10_208
    assert issued.amount_cents == 129_792 - 15_575 - 3_115
    figures = remittance.money_figures(people.creditor.id)
    assert figures.held_for_debtors_cents == 10_208


def test_another_creditors_money_is_never_on_the_statement(people, case, rates_to_date):
    other_case = factories.make_case(people.other_creditor_user, today=TODAY)
    pay(other_case, 10_000)
    pay(case, 50_000)

    issued = run(people)

    assert issued.gross_cents == 50_000
    assert remittance.pending_statement(people.other_creditor).gross_cents == 10_000


def test_funds_encashed_over_a_month_ago_and_not_remitted_are_flagged(people, case):
    pay(case, 50_000, on=date(2026, 10, 1))
    pay(case, 10_000, on=date(2026, 11, 1))
    pay(case, 5_000, on=date(2026, 10, 2), paid_to_creditor=True)  # not held: not flagged

    (flag,) = remittance.overdue_funds(TODAY)

    assert (flag.creditor.id, flag.payments, flag.amount_cents) == (people.creditor.id, 1, 50_000)
    assert flag.oldest == date(2026, 10, 1)
    run(people)
    assert remittance.overdue_funds(TODAY) == []
    assert db.session.scalar(sa.select(Payment.remittance_id).limit(1)) is not None


def test_the_creditor_home_figures_add_up(people, case):
    """collected = remitted + commission + VAT + to remit + held for debtors."""
    pay(case, 50_000)
    run(people)
    pay(case, 30_000, on=date(2026, 10, 15))
    pay(case, 20_000, on=date(2026, 10, 20), paid_to_creditor=True)

    figures = remittance.money_figures(people.creditor.id)

    assert figures.collected_cents == 80_000
    assert figures.collected_direct_cents == 20_000
    assert (figures.commission_cents, figures.vat_cents) == (12_000, 2_400)
    assert figures.remitted_cents == 42_800
    assert figures.to_remit_cents == 25_680 - 2_880  # 256.80 less the direct payment's fees
    assert figures.collected_cents == (
        figures.remitted_cents
        + figures.commission_cents
        + figures.vat_cents
        + figures.to_remit_cents
        + figures.held_for_debtors_cents
    )


def test_only_managers_run_remittances(people, case):
    pay(case, 50_000)
    with pytest.raises(Forbidden):
        remittance.run_remittance(people.agent, people.creditor, today=TODAY)


def test_a_creditor_reads_only_its_own_statements(people, case):
    pay(case, 50_000)
    issued = run(people)

    assert remittance.get_remittance(people.creditor_user, issued.id) == issued
    with pytest.raises(NotFound):
        remittance.get_remittance(people.other_creditor_user, issued.id)


def test_the_monthly_run_covers_every_creditor_and_can_run_twice(people, case):
    other_case = factories.make_case(people.other_creditor_user, today=TODAY)
    pay(case, 50_000)
    pay(other_case, 10_000)

    first = remittance.run_all(None, today=TODAY)
    second = remittance.run_all(None, today=TODAY)

    assert {r.creditor_id for r in first} == {people.creditor.id, people.other_creditor.id}
    assert second == []


def test_the_command_line_run_issues_statements_and_says_how_many(app, people, case):
    pay(case, 50_000)
    runner = app.test_cli_runner()

    first = runner.invoke(args=["remittances", "run"])
    again = runner.invoke(args=["remittances", "run", "--creditor", str(people.creditor.id)])

    assert first.exit_code == 0, first.output
    assert "Boulangerie Dupont SAS  428.00 EUR" in first.output
    assert "1 relevé(s) émis." in first.output
    assert "0 relevé(s) émis." in again.output


def _statements_run_by(action):
    """(what action() returned, how many SQL statements it sent)."""
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    db.session.expire_all()
    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        result = action()
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    return result, len(statements)


def _paid_cases(user, count: int):
    """`count` cases of the user's creditor, each with its own debtor, each paid twice."""
    for number in range(count):
        case = factories.make_case(
            user,
            debtor=factories.debtor_input(
                name=f"Débiteur {number}", siren=factories.VALID_SIRENS[number]
            ),
            invoices=[factories.invoice(f"F-{number}", 120_000)],
            today=TODAY,
        )
        pay(case, 10_000 + number)
        pay(case, 20_000 + number, on=date(2026, 10, 15))


def test_a_statement_costs_the_same_queries_for_one_case_as_for_many(people, rates_to_date):
    """Issue 9: no query per case, debtor or payment, whether the statement is being issued,
    previewed or read back (a creditor of 50,000 cases is issued in one run with the others)."""
    _paid_cases(people.creditor_user, 1)
    _paid_cases(people.other_creditor_user, 4)

    small, small_queries = _statements_run_by(
        lambda: remittance.run_remittance(people.supervisor, people.creditor, today=TODAY)
    )
    large, large_queries = _statements_run_by(
        lambda: remittance.run_remittance(people.supervisor, people.other_creditor, today=TODAY)
    )

    assert large_queries == small_queries
    assert small_queries <= 20
    lines, queries = [], []
    for issued in (small, large):
        statement, count = _statements_run_by(lambda issued=issued: remittance.statement_of(issued))
        lines.append(len(statement.lines))
        queries.append(count)
    assert lines == [2, 8]
    assert queries[0] == queries[1]
    _paid_cases(people.creditor_user, 1)
    _paid_cases(people.other_creditor_user, 4)
    counts = [
        _statements_run_by(lambda creditor=creditor: remittance.pending_statement(creditor))[1]
        for creditor in (people.creditor, people.other_creditor)
    ]
    assert counts[0] == counts[1]


def test_a_statement_names_each_line_s_case_and_debtor(people, rates_to_date):
    _paid_cases(people.other_creditor_user, 3)

    issued = remittance.run_remittance(people.supervisor, people.other_creditor, today=TODAY)

    lines = remittance.statement_of(issued).lines
    assert [(line.debtor_name, line.gross_cents) for line in lines] == [
        ("Débiteur 0", 10_000),
        ("Débiteur 0", 20_000),
        ("Débiteur 1", 10_001),
        ("Débiteur 1", 20_001),
        ("Débiteur 2", 10_002),
        ("Débiteur 2", 20_002),
    ]
    assert len({line.case_reference for line in lines}) == 3
    assert sum(line.net_cents for line in lines) == issued.amount_cents
    assert books.verify() == []


def test_the_monthly_run_returns_the_statements_in_the_order_it_issued_them(people, case):
    other_case = factories.make_case(people.other_creditor_user, today=TODAY)
    pay(case, 50_000)
    pay(other_case, 10_000)

    issued = remittance.run_all(None, today=TODAY)

    assert [r.id for r in issued] == sorted(r.id for r in issued)
    names = [r.creditor.legal_name for r in issued]
    assert names == sorted(names)
    assert all(r.reference == f"REM-2026-{r.id:06d}" for r in issued)
