"""The creditor's case list: search, stage filter, sort and pagination, own cases only."""

import re
from datetime import timedelta

import pytest

from app.services import casework
from tests import factories


def references(response) -> list[str]:
    return re.findall(
        r'data-testid="case-reference">(REC-\d{4}-\d{6})<', response.get_data(as_text=True)
    )


@pytest.fixture
def three_cases(people, today):
    """Three cases of the creditor, with different debtors, amounts and dates."""
    first = factories.make_case(
        people.creditor_user,
        debtor=factories.debtor_input("Alpha Bâtiment SARL", factories.VALID_SIRENS[0]),
        invoices=[factories.invoice("FA-100", 50_000), factories.invoice("FA-101", 10_000)],
        today=today - timedelta(days=20),
    )
    second = factories.make_case(
        people.creditor_user,
        debtor=factories.debtor_input("Zèbre Transports SAS", factories.VALID_SIRENS[1]),
        invoices=[factories.invoice("ZT-7", 900_000)],
        today=today - timedelta(days=10),
    )
    third = factories.make_case(
        people.creditor_user,
        debtor=factories.debtor_input("Maison Martin", factories.VALID_SIRENS[2]),
        invoices=[factories.invoice("MM-1", 20_000)],
        today=today,
    )
    casework.accept_case(people.agent, second, today=today)
    return first, second, third


def test_the_list_shows_my_cases_newest_first_and_never_another_creditors(
    people, login, three_cases
):
    theirs = factories.make_case(people.other_creditor_user)
    response = login(people.creditor_user).get("/creancier/dossiers")
    first, second, third = three_cases
    assert response.status_code == 200
    assert references(response) == [third.reference, second.reference, first.reference]
    page = response.get_data(as_text=True)
    assert theirs.reference not in page
    assert "Zèbre Transports SAS" in page
    assert "Amiable" in page  # the stage badge
    assert "9 000,00" in page.replace("\u202f", " ").replace("\xa0", " ")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("zèbre", [1]),  # debtor name, any case
        ("552 032 534", [1]),  # SIREN, spaced as people type it
        ("fa-101", [0]),  # invoice number
        ("FA-10", [0]),  # two matching invoices, still one row
    ],
)
def test_search_matches_debtor_name_siren_and_invoice_number(
    people, login, three_cases, query, expected
):
    response = login(people.creditor_user).get("/creancier/dossiers", query_string={"q": query})
    assert references(response) == [three_cases[i].reference for i in expected]


def test_search_matches_the_reference(people, login, three_cases):
    wanted = three_cases[2].reference
    response = login(people.creditor_user).get(
        "/creancier/dossiers", query_string={"q": wanted.lower()}
    )
    assert references(response) == [wanted]


def test_search_never_finds_another_creditors_case(people, login, three_cases):
    theirs = factories.make_case(
        people.other_creditor_user,
        debtor=factories.debtor_input("Zèbre Transports SAS", factories.VALID_SIRENS[1]),
    )
    response = login(people.creditor_user).get("/creancier/dossiers", query_string={"q": "zèbre"})
    assert theirs.reference not in references(response)
    assert len(references(response)) == 1


def test_search_treats_percent_and_underscore_literally(people, login, three_cases):
    response = login(people.creditor_user).get("/creancier/dossiers", query_string={"q": "%"})
    assert references(response) == []
    assert "Aucun dossier ne correspond à votre recherche." in response.get_data(as_text=True)


def test_the_stage_filter_keeps_only_that_stage(people, login, three_cases):
    response = login(people.creditor_user).get(
        "/creancier/dossiers", query_string={"stage": "amicable"}
    )
    assert references(response) == [three_cases[1].reference]


@pytest.mark.parametrize(
    ("sort", "direction", "expected"),
    [
        ("amount", "desc", [1, 0, 2]),
        ("amount", "asc", [2, 0, 1]),
        ("debtor", "asc", [0, 2, 1]),
        ("debtor", "desc", [1, 2, 0]),
        ("reference", "asc", [0, 1, 2]),
        ("opened", "asc", [0, 1, 2]),
    ],
)
def test_the_list_sorts_by_amount_debtor_reference_or_date(
    people, login, three_cases, sort, direction, expected
):
    response = login(people.creditor_user).get(
        "/creancier/dossiers", query_string={"sort": sort, "direction": direction}
    )
    assert references(response) == [three_cases[i].reference for i in expected]


def test_an_unknown_sort_key_falls_back_to_the_newest_first(people, login, three_cases):
    response = login(people.creditor_user).get(
        "/creancier/dossiers", query_string={"sort": "password_hash", "direction": "sideways"}
    )
    assert response.status_code == 200
    assert references(response) == [c.reference for c in reversed(three_cases)]


def test_the_list_is_paginated_by_25(people, login, today):
    made = [
        factories.make_case(
            people.creditor_user,
            invoices=[factories.invoice(f"F-{n:03d}")],
            today=today - timedelta(days=n),
        )
        for n in range(27)
    ]
    client = login(people.creditor_user)
    first_page = client.get("/creancier/dossiers")
    second_page = client.get("/creancier/dossiers", query_string={"page": 2})
    assert references(first_page) == [c.reference for c in made[:25]]
    assert references(second_page) == [c.reference for c in made[25:]]
    page_text = first_page.get_data(as_text=True)
    assert "Page 1 sur 2" in page_text
    assert "27 dossiers" in page_text
    assert "page=2" in page_text
    assert references(client.get("/creancier/dossiers", query_string={"page": 9})) == []


def test_pagination_keeps_the_search_and_the_sort(people, login, today):
    for n in range(26):
        factories.make_case(
            people.creditor_user, invoices=[factories.invoice(f"F-{n:03d}", 1000 + n)]
        )
    html = (
        login(people.creditor_user)
        .get("/creancier/dossiers", query_string={"q": "F-0", "sort": "amount"})
        .get_data(as_text=True)
    )
    next_link = re.search(r'href="(/creancier/dossiers\?[^"]*page=2[^"]*)"', html).group(1)
    assert "q=F-0" in next_link and "sort=amount" in next_link


def test_a_creditor_without_cases_is_invited_to_create_one(people, login):
    page = login(people.creditor_user).get("/creancier/dossiers").get_data(as_text=True)
    assert "Aucun dossier pour le moment." in page
    assert 'href="/creancier/dossiers/nouveau"' in page
