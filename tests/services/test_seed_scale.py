"""flask seed-scale: the generated portfolio is one the app can work with.

PostgreSQL only (the generator is SQL run by the server): the keys it computes hold, the books
verify, balances compute, and the pages open on it.
"""

from __future__ import annotations

import time
from datetime import date

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Case, Payment
from app.services import claims, ledger, rates, seed_scale

pytestmark = pytest.mark.needs_server

TODAY = date(2026, 11, 23)
CASES = 400


@pytest.fixture
def portfolio(app):
    rates.seed_published_rates()
    db.session.commit()
    report = seed_scale.seed(CASES, today=TODAY, reset=False)
    return report


def test_it_generates_the_rows_it_promises(portfolio):
    rows = portfolio.rows
    assert rows["case_file"] == CASES
    assert rows["debtor"] == CASES
    assert CASES <= rows["invoice"] <= 5 * CASES
    assert rows["payment"] > 0 and rows["payment_plan"] > 0 and rows["call_log"] > 0
    # About ten timeline entries per case.
    assert 8 * CASES <= rows["timeline_entry"] <= 12 * CASES
    # The largest creditor holds one case in 20.
    largest = db.session.scalar(sa.select(sa.func.count()).where(Case.creditor_id == 2))
    assert largest == CASES // 20


def test_every_foreign_key_points_at_a_row(portfolio):
    broken = []
    for table in db.metadata.sorted_tables:
        for fk in table.foreign_keys:
            parent = fk.column.table
            orphans = db.session.scalar(
                sa.select(sa.func.count())
                .select_from(table)
                .where(
                    fk.parent.is_not(None),
                    ~sa.exists().where(fk.column == fk.parent),
                )
            )
            if orphans:
                broken.append(f"{table.name}.{fk.parent.name} -> {parent.name}: {orphans}")
    assert broken == []


def test_the_books_verify_and_balances_compute(portfolio):
    assert ledger.verify() == []
    book = rates.rate_book()
    for case in db.session.scalars(
        sa.select(Case).where(Case.id.in_(sa.select(Payment.case_id))).limit(20)
    ):
        balance = claims.case_balance(case, date(2026, 6, 30), book)
        assert balance.outstanding_cents >= 0


def test_it_refuses_a_database_that_has_data(portfolio):
    with pytest.raises(seed_scale.SeedRefused):
        seed_scale.seed(10, today=TODAY)


def test_the_pages_open_on_the_portfolio(portfolio, client, monkeypatch):
    from app import web

    monkeypatch.setattr(web, "today", lambda: TODAY)
    reference = db.session.scalar(
        sa.select(Case.reference).where(Case.assigned_agent_id == 2).limit(1)
    )
    for user_id, url in (
        (2, "/agence/"),
        (2, f"/agence/dossiers/{reference}"),
        (2, "/agence/dossiers?q=Entreprise+1"),
        (2 + seed_scale.AGENTS, "/creancier/"),
    ):
        with client.session_transaction() as session:
            # What a login leaves (app/auth/account.start_session): the versioned id and the
            # times the session guard checks; generated users are at session version 0.
            now = int(time.time())
            session["_user_id"] = f"{user_id}:0"
            session["_fresh"] = True
            session["auth_at"] = session["seen_at"] = now
        response = client.get(url)
        assert response.status_code == 200, url
