"""The agency's work queue: my cases first, then unassigned ones, soonest and largest first."""

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
    agent=None,
    next_on=None,
    stage=None,
    siren=factories.VALID_SIRENS[0],
):
    case = factories.make_case(
        user,
        debtor=factories.debtor_input(name=name, siren=siren),
        invoices=[factories.invoice(number, amount)],
    )
    case.assigned_agent_id = agent.id if agent else None
    case.next_action_on = next_on
    if stage:
        case.stage = stage
    db.session.commit()
    return case


def references(response) -> list[str]:
    return re.findall(r'data-testid="case-row" data-reference="([^"]+)"', response.get_data(True))


def text(response) -> str:
    """The page as a reader sees it: entities decoded, narrow and non-breaking spaces as spaces."""
    page = html.unescape(response.get_data(as_text=True))
    return page.replace("\u202f", " ").replace("\xa0", " ")


def test_an_agent_sees_their_cases_first_then_unassigned_ones_by_date_then_amount(
    people, login, client
):
    c = people.creditor_user
    unassigned_small = make(c, amount=10_000, next_on=date(2026, 11, 25))
    mine_later = make(c, agent=people.agent, next_on=date(2026, 11, 30))
    unassigned_undated = make(c, amount=900_000, next_on=None)
    unassigned_big = make(c, amount=900_000, next_on=date(2026, 11, 25))
    mine_sooner = make(c, agent=people.agent, amount=5_000, next_on=date(2026, 11, 20))
    make(c, agent=people.other_agent, next_on=date(2026, 11, 1))
    make(c, agent=people.agent, next_on=date(2026, 11, 1), stage=pipeline.CLOSED)

    login(people.agent)
    response = client.get("/agence/")

    assert response.status_code == 200
    assert references(response) == [
        mine_sooner.reference,
        mine_later.reference,
        unassigned_big.reference,
        unassigned_small.reference,
        unassigned_undated.reference,
    ]


def test_a_supervisor_also_sees_the_cases_of_other_agents_after_the_unassigned_ones(
    people, login, client
):
    c = people.creditor_user
    alices = make(c, agent=people.agent, next_on=date(2026, 11, 1))
    unassigned = make(c, next_on=date(2026, 12, 31))
    brunos = make(c, agent=people.other_agent, next_on=date(2026, 10, 1))
    mine = make(c, agent=people.supervisor, next_on=date(2027, 1, 1))

    login(people.supervisor)
    response = client.get("/agence/")

    assert references(response) == [
        mine.reference,
        unassigned.reference,
        brunos.reference,
        alices.reference,
    ]


def test_the_queue_shows_amount_creditor_debtor_stage_hold_and_agent(people, login, client):
    case = make(people.creditor_user, name="Transports Lenoir", amount=123_456, agent=people.agent)
    case.hold_reason = "dispute"
    db.session.commit()

    login(people.agent)
    page = text(client.get("/agence/"))

    assert case.reference in page
    assert "Transports Lenoir" in page
    assert "Boulangerie Dupont SAS" in page
    assert "1 234,56 €" in page
    assert "Réception" in page
    assert "Litige" in page
    assert "Alice Agent" in page


def test_the_header_counts_what_is_due_today_and_overdue_cases_are_in_red(
    people, login, client, today
):
    c = people.creditor_user
    make(c, agent=people.agent, next_on=today)
    make(c, next_on=today)
    late = make(c, agent=people.agent, next_on=date(2026, 11, 2))
    make(c, agent=people.agent, next_on=date(2026, 12, 2))

    login(people.agent)
    response = client.get("/agence/")
    page = text(response)

    assert "2 à traiter aujourd'hui" in page
    assert "1 en retard" in page
    late_row = re.search(
        rf'data-reference="{late.reference}".*?</tr>', response.get_data(True), re.S
    ).group(0)
    assert 'class="text-danger' in late_row and "02/11/2026" in late_row


def test_it_filters_by_stage_creditor_and_only_mine(people, login, client):
    intake_case = make(people.creditor_user)
    amicable = make(people.creditor_user, stage=pipeline.AMICABLE, agent=people.agent)
    other_creditors = make(people.other_creditor_user, siren=factories.VALID_SIRENS[1])

    login(people.agent)

    assert references(client.get("/agence/?stage=amicable")) == [amicable.reference]
    assert references(client.get(f"/agence/?creditor={people.other_creditor.id}")) == [
        other_creditors.reference
    ]
    assert references(client.get("/agence/?mine=1")) == [amicable.reference]
    assert set(references(client.get("/agence/?stage=&creditor="))) == {
        intake_case.reference,
        amicable.reference,
        other_creditors.reference,
    }


def test_the_creditor_filter_suggests_creditors_as_the_agent_types(people, login, client):
    login(people.agent)
    page = text(client.get("/agence/"))
    field = re.search(r'<input[^>]*name="creditor_name"[^>]*>', page).group(0)
    assert 'list="creditor-suggestions"' in field
    # The page carries no list of every creditor: an agency has thousands.
    assert "Garage Martin SARL" not in page

    suggested = text(client.get("/agence/creanciers/suggestions?creditor_name=garage"))
    assert '<option value="Garage Martin SARL">' in suggested
    assert "Boulangerie Dupont SAS" not in suggested
    everyone = text(client.get("/agence/creanciers/suggestions?creditor_name="))
    assert "Boulangerie Dupont SAS" in everyone and "Garage Martin SARL" in everyone
    assert "Recouvra Agence SAS" not in everyone


def test_creditor_suggestions_are_the_first_twenty_by_name_and_name_the_siren(
    people, login, client
):
    for n in range(25):
        factories.make_org("creditor", f"Grossiste {n:02d} SARL")
    sirened = factories.make_org("creditor", "Grossiste Exact SA", siren=factories.VALID_SIRENS[2])
    login(people.agent)

    options = re.findall(
        r'<option value="([^"]*)">',
        html.unescape(text(client.get("/agence/creanciers/suggestions?creditor_name=grossiste"))),
    )

    assert options == sorted(options) and len(options) == 20
    assert options[0] == "Grossiste 00 SARL"
    exact = text(client.get(f"/agence/creanciers/suggestions?creditor_name={sirened.siren}"))
    assert f"Grossiste Exact SA ({sirened.siren})" in html.unescape(exact)


def test_the_creditor_filter_matches_names_and_a_chosen_suggestion_exactly(people, login, client):
    ours = make(people.creditor_user)
    theirs = make(people.other_creditor_user, siren=factories.VALID_SIRENS[1])
    namesake = factories.make_org(
        "creditor", "Garage Martin SARL Bis", siren=factories.VALID_SIRENS[2]
    )
    namesake_user = factories.make_user(namesake, "creditor_admin", "bis@garage.test")
    namesake_case = make(namesake_user, siren=factories.VALID_SIRENS[3])
    login(people.agent)

    assert set(references(client.get("/agence/?creditor_name=GARAGE+martin"))) == {
        theirs.reference,
        namesake_case.reference,
    }
    chosen = f"Garage Martin SARL Bis ({namesake.siren})"
    assert references(client.get("/agence/", query_string={"creditor_name": chosen})) == [
        namesake_case.reference
    ]
    assert references(client.get("/agence/?creditor_name=boulangerie")) == [ours.reference]
    assert references(client.get("/agence/?creditor_name=personne")) == []


def test_a_link_to_one_creditor_fills_the_filter_with_its_name(people, login, client):
    theirs = make(people.other_creditor_user, siren=factories.VALID_SIRENS[1])
    make(people.creditor_user)
    login(people.agent)

    response = client.get(f"/agence/?creditor={people.other_creditor.id}")

    assert references(response) == [theirs.reference]
    field = re.search(r'<input[^>]*name="creditor_name"[^>]*>', text(response)).group(0)
    assert 'value="Garage Martin SARL"' in field


@pytest.mark.parametrize(
    "query",
    ["transports lenoir", "LENOIR", "552032534", "552 032 534", "fac-2026-0042", "{reference}"],
)
def test_it_finds_a_case_by_reference_debtor_siren_or_invoice_number(people, login, client, query):
    wanted = make(
        people.creditor_user,
        name="Transports Lenoir",
        number="FAC-2026-0042",
        siren=factories.VALID_SIRENS[1],
    )
    make(people.creditor_user, name="Autre Client", number="F-9")

    login(people.agent)
    response = client.get("/agence/", query_string={"q": query.format(reference=wanted.reference)})

    assert references(response) == [wanted.reference]


def test_a_search_that_matches_nothing_says_so(people, login, client):
    make(people.creditor_user)
    login(people.agent)
    page = text(client.get("/agence/?q=introuvable"))
    assert "Aucun dossier ne correspond à votre recherche." in page


def test_an_empty_queue_says_there_is_nothing_to_do(people, login, client):
    login(people.agent)
    page = text(client.get("/agence/"))
    assert "Aucun dossier dans votre file" in page


def test_search_wildcards_are_taken_literally(people, login, client):
    make(people.creditor_user)
    login(people.agent)
    assert references(client.get("/agence/?q=%25")) == []
    assert references(client.get("/agence/?q=_")) == []


def test_it_shows_25_cases_per_page(people, login, client):
    cases = [make(people.creditor_user, amount=100_000 - i) for i in range(27)]

    login(people.agent)
    first = client.get("/agence/")
    second = client.get("/agence/?page=2")

    assert references(first) == [c.reference for c in cases[:25]]
    assert references(second) == [c.reference for c in cases[25:]]
    assert "Page 1 sur 2" in text(first)
    assert references(client.get("/agence/?page=9")) == []


def test_a_creditor_user_is_refused_the_queue(people, login, client):
    login(people.creditor_user)
    assert client.get("/agence/").status_code == 403


def test_an_anonymous_visitor_is_sent_to_the_login_page(client):
    response = client.get("/agence/")
    assert response.status_code == 302
    assert "/connexion" in response.headers["Location"]


def test_past_the_count_limit_the_queue_pages_through_every_case_once_in_order(people, monkeypatch):
    from app.services import worklist

    mine = [make(people.creditor_user, agent=people.agent, amount=900_000 - i) for i in range(5)]
    unassigned = [make(people.creditor_user, amount=500_000 - i) for i in range(3)]
    monkeypatch.setattr(worklist, "COUNT_CAP", 3)

    seen, number = [], 1
    while True:
        page = worklist.work_queue(people.agent, worklist.CaseFilters(), page=number, per_page=2)
        seen += [case.reference for case in page.items]
        if number == 1:
            # 8 cases, counted up to 4 a group: the pager knows only "more than".
            assert page.total_is_lower_bound and page.counted_up_to == 3
        if not page.has_next:
            break
        number += 1

    assert seen == [c.reference for c in mine + unassigned]


def test_the_due_badges_say_more_than_past_the_count_limit(
    people, login, client, today, monkeypatch
):
    from app.services import worklist

    for i in range(3):
        make(people.creditor_user, agent=people.agent, next_on=date(2026, 1, 1 + i))
    make(people.creditor_user, next_on=today)
    monkeypatch.setattr(worklist, "COUNT_CAP", 2)
    login(people.agent)

    page = text(client.get("/agence/"))

    assert "Plus de 2 en retard" in page
    assert "1 à traiter aujourd'hui" in page


def test_a_search_that_fits_on_one_page_is_not_run_a_second_time_to_count_it(people):
    """The case list's total comes from the page itself when the page is not full; a full page
    is still counted (up to the cap), and a page past the end still knows the total."""
    from app.services import worklist
    from tests.web.test_query_counts import counted

    for i in range(5):
        make(people.creditor_user, amount=100_000 + i)

    def listing(page: int, per_page: int):
        with counted() as statements:
            result = worklist.all_cases(
                people.agent, worklist.CaseFilters(), page=page, per_page=per_page
            )
        return result, len(statements)

    listing(1, 25)  # loads the agent's own row once
    short, short_queries = listing(1, 25)
    full, full_queries = listing(1, 2)
    last, last_queries = listing(3, 2)
    beyond, _ = listing(9, 2)

    assert (short.total, len(short.items)) == (5, 5)
    assert (full.total, full.pages) == (5, 3)
    assert (last.total, len(last.items)) == (5, 1)
    assert beyond.total == 5 and not beyond.items
    assert (short_queries, full_queries, last_queries) == (1, 2, 1)
