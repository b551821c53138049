"""The creditor's home: cases by stage, what is still outstanding, recent activity."""

import html
import re

from app.services import casework, reporting
from tests import factories


def count_for(page: str, stage: str) -> int:
    match = re.search(
        rf'data-testid="count-{stage}">.*?data-testid="count">(\d+)<', page, flags=re.S
    )
    return int(match.group(1))


def plain(page: str) -> str:
    return page.replace("\u202f", " ").replace("\xa0", " ")


def test_the_home_page_counts_my_cases_by_stage_and_totals_what_is_outstanding(
    people, login, today
):
    factories.make_case(
        people.creditor_user,
        invoices=[
            factories.invoice("F1", 100_000),
            factories.invoice("F2", 50_000, paid_cents=20_000),
        ],
    )
    accepted = factories.make_case(people.creditor_user, invoices=[factories.invoice("F3", 40_000)])
    casework.accept_case(people.agent, accepted, today=today)
    closed = factories.make_case(people.creditor_user, invoices=[factories.invoice("F4", 999_00)])
    casework.move_stage(people.agent, closed, "closed", reason="Payé", outcome="paid", today=today)
    factories.make_case(people.other_creditor_user, invoices=[factories.invoice("X", 5_000_000)])

    page = plain(login(people.creditor_user).get("/creancier/").get_data(as_text=True))

    assert count_for(page, "intake") == 1
    assert count_for(page, "amicable") == 1
    assert count_for(page, "closed") == 1
    assert count_for(page, "judicial") == 0  # every stage shows, zeros included
    assert count_for(page, "returned") == 0
    # 1 000 + (500 - 200) + 400; the closed case and the other creditor's do not count.
    assert re.search(r'data-testid="outstanding">1 700,00 €<', page)
    assert "Nouveau dossier" in page


def test_the_summary_is_computed_by_the_database_for_this_creditor_only(people, today):
    factories.make_case(people.creditor_user, invoices=[factories.invoice("F1", 12_345)])
    factories.make_case(people.other_creditor_user, invoices=[factories.invoice("F1", 99_999)])
    summary = reporting.creditor_summary(people.creditor_user)
    assert summary.counts["intake"] == 1
    assert summary.total_cases == 1
    assert summary.outstanding_cents == 12_345


def test_recent_activity_shows_what_the_creditor_may_see_only(people, login, today):
    case = factories.make_case(people.creditor_user)
    casework.add_note(people.agent, case, "Note interne : débiteur difficile")
    casework.add_note(people.agent, case, "Nous avons joint le débiteur.", visible_to_creditor=True)

    page = login(people.creditor_user).get("/creancier/").get_data(as_text=True)

    assert "Nous avons joint le débiteur." in page
    assert "Note interne" not in page
    assert case.reference in page
    assert "Dossier transmis : 1 facture(s), 0 document(s)." in page


def test_recent_activity_keeps_the_last_ten_entries(people, login):
    case = factories.make_case(people.creditor_user)
    for n in range(12):
        casework.add_note(people.agent, case, f"Point numéro {n:02d}", visible_to_creditor=True)
    page = login(people.creditor_user).get("/creancier/").get_data(as_text=True)
    assert "Point numéro 11" in page
    assert "Point numéro 02" in page
    assert "Point numéro 01" not in page


def test_a_creditor_with_no_case_sees_an_invitation_to_submit_one(people, login):
    factories.make_case(people.other_creditor_user)
    page = login(people.creditor_user).get("/creancier/").get_data(as_text=True)
    assert "Vous n'avez encore transmis aucun dossier." in html.unescape(page)
    assert 'href="/creancier/dossiers/nouveau"' in page
