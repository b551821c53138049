"""The list of every case, closed and returned ones included, with search, filters and sort."""

from __future__ import annotations

import html
import re
from datetime import date

import pytest

from app.domain import pipeline
from app.extensions import db
from tests import factories

pytestmark = pytest.mark.usefixtures("frozen_today")


def make(
    user,
    *,
    name="Client SARL",
    number="F-1",
    amount=100_000,
    stage=None,
    opened=None,
    next_on=None,
    siren=factories.VALID_SIRENS[0],
):
    case = factories.make_case(
        user,
        debtor=factories.debtor_input(name=name, siren=siren),
        invoices=[factories.invoice(number, amount)],
        today=opened or date(2026, 11, 23),
    )
    case.next_action_on = next_on
    if stage:
        case.stage = stage
    db.session.commit()
    return case


def references(response) -> list[str]:
    return re.findall(r'data-testid="case-row" data-reference="([^"]+)"', response.get_data(True))


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_it_lists_cases_at_every_stage_newest_first(people, login, client):
    old = make(people.creditor_user, opened=date(2026, 1, 5), stage=pipeline.CLOSED)
    returned = make(people.creditor_user, opened=date(2026, 6, 1), stage=pipeline.RETURNED)
    new = make(people.other_creditor_user, opened=date(2026, 11, 1))

    login(people.agent)
    response = client.get("/agence/dossiers")

    assert response.status_code == 200
    assert references(response) == [new.reference, returned.reference, old.reference]
    page = text(response)
    assert "Clôturé" in page and "Renvoyé au créancier" in page
    assert "05/01/2026" in page


@pytest.mark.parametrize(
    ("sort", "direction", "expected"),
    [
        ("amount", "desc", ["big", "middle", "small"]),
        ("amount", "asc", ["small", "middle", "big"]),
        ("opened", "asc", ["middle", "small", "big"]),
        ("reference", "asc", ["small", "big", "middle"]),
        ("next_action", "asc", ["big", "small", "middle"]),
    ],
)
def test_it_sorts_by_the_column_chosen(people, login, client, sort, direction, expected):
    cases = {
        "small": make(
            people.creditor_user, amount=1_000, opened=date(2026, 5, 1), next_on=date(2026, 12, 1)
        ),
        "big": make(
            people.creditor_user,
            amount=900_000,
            opened=date(2026, 9, 1),
            next_on=date(2026, 11, 30),
        ),
        "middle": make(people.creditor_user, amount=50_000, opened=date(2026, 2, 1)),
    }

    login(people.agent)
    response = client.get(f"/agence/dossiers?sort={sort}&direction={direction}")

    assert references(response) == [cases[name].reference for name in expected]


def test_it_filters_by_stage_and_creditor_and_searches_invoice_numbers(people, login, client):
    closed = make(people.creditor_user, number="FA-777", stage=pipeline.CLOSED)
    make(people.creditor_user, number="FA-778")
    theirs = make(people.other_creditor_user, number="FA-777", siren=factories.VALID_SIRENS[1])

    login(people.agent)

    assert references(client.get("/agence/dossiers?stage=closed")) == [closed.reference]
    assert references(client.get(f"/agence/dossiers?creditor={people.other_creditor.id}")) == [
        theirs.reference
    ]
    assert set(references(client.get("/agence/dossiers?q=fa-777"))) == {
        closed.reference,
        theirs.reference,
    }


def test_an_unknown_sort_or_stage_falls_back_to_the_default_list(people, login, client):
    case = make(people.creditor_user)
    login(people.agent)
    response = client.get("/agence/dossiers?sort=drop_table&direction=sideways&stage=nope")
    assert response.status_code == 200
    assert references(response) == [case.reference]


def test_it_paginates_and_says_when_nothing_matches(people, login, client):
    for i in range(26):
        make(people.creditor_user, amount=1_000 + i)

    login(people.agent)

    assert len(references(client.get("/agence/dossiers"))) == 25
    assert len(references(client.get("/agence/dossiers?page=2"))) == 1
    page = text(client.get("/agence/dossiers?q=zzz"))
    assert "Aucun dossier ne correspond à votre recherche." in page


def test_it_is_for_agency_staff_only(people, login, client):
    assert client.get("/agence/dossiers").status_code == 302
    login(people.creditor_admin)
    assert client.get("/agence/dossiers").status_code == 403
