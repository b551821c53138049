"""Who sees what: a creditor only its own cases, debtors and documents; the agency everything."""

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.services import access, casework, intake
from app.services.errors import Forbidden, NotFound
from tests import factories


@pytest.fixture
def cases(people):
    pdf = [intake.UploadInput("facture.pdf", factories.minimal_pdf(), "invoice")]
    mine = factories.make_case(people.creditor_user, uploads=pdf)
    theirs = factories.make_case(
        people.other_creditor_user,
        debtor=factories.debtor_input("Autre Client SA", factories.VALID_SIRENS[1]),
        uploads=pdf,
    )
    return mine, theirs


def references(user):
    return sorted(db.session.scalars(access.visible_cases(user)).all(), key=lambda c: c.id)


@pytest.mark.parametrize("who", ["creditor_user", "creditor_admin"])
def test_a_creditor_lists_only_its_own_cases_and_debtors(people, cases, who):
    mine, _ = cases
    user = getattr(people, who)
    assert references(user) == [mine]
    assert db.session.scalars(access.visible_debtors(user)).all() == [mine.debtor]


@pytest.mark.parametrize("who", ["agent", "supervisor", "admin"])
def test_agency_staff_see_every_case_and_debtor(people, cases, who):
    user = getattr(people, who)
    assert references(user) == list(cases)
    assert len(db.session.scalars(access.visible_debtors(user)).all()) == 2


def test_a_creditor_opening_another_creditors_case_gets_not_found(people, cases):
    mine, theirs = cases
    assert access.get_case(people.creditor_user, mine.reference) is mine
    with pytest.raises(NotFound, match="Dossier introuvable"):
        access.get_case(people.creditor_user, theirs.reference)
    with pytest.raises(NotFound, match="Dossier introuvable"):
        access.get_case(people.creditor_user, "REC-2026-999999")
    assert access.get_case(people.agent, theirs.reference) is theirs


def test_a_creditor_opening_another_creditors_debtor_gets_not_found(people, cases):
    mine, theirs = cases
    assert access.get_debtor(people.creditor_user, mine.debtor_id) is mine.debtor
    with pytest.raises(NotFound, match="Débiteur introuvable"):
        access.get_debtor(people.creditor_user, theirs.debtor_id)
    assert access.get_debtor(people.agent, theirs.debtor_id) is theirs.debtor


def test_a_creditor_opening_another_creditors_document_gets_not_found(people, cases):
    mine, theirs = cases
    document = mine.documents[0]
    assert access.get_document(people.creditor_user, document.id) is document
    with pytest.raises(NotFound, match="Document introuvable"):
        access.get_document(people.creditor_user, theirs.documents[0].id)
    with pytest.raises(NotFound):
        access.get_document(people.agent, 999_999)
    assert access.get_document(people.agent, theirs.documents[0].id) is theirs.documents[0]


def test_a_document_kept_internal_is_hidden_from_the_creditor_only(people, cases):
    document = cases[0].documents[0]
    document.visible_to_creditor = False
    db.session.commit()
    with pytest.raises(NotFound):
        access.get_document(people.creditor_user, document.id)
    assert access.get_document(people.supervisor, document.id) is document


def test_the_creditor_timeline_hides_internal_entries(people, cases, today):
    mine, _ = cases
    casework.add_note(people.agent, mine, "Note interne")
    casework.add_note(people.agent, mine, "Note partagée", visible_to_creditor=True)
    creditor_texts = [e.text for e in access.timeline_for(people.creditor_user, mine)]
    agency_texts = [e.text for e in access.timeline_for(people.agent, mine)]
    assert "Note interne" not in creditor_texts
    assert "Note partagée" in creditor_texts
    assert {"Note interne", "Note partagée"} <= set(agency_texts)
    assert len(agency_texts) == len(creditor_texts) + 1


def test_the_timeline_shows_the_newest_entry_first(people, cases):
    mine, _ = cases
    casework.add_note(people.agent, mine, "Première", visible_to_creditor=True)
    casework.add_note(people.agent, mine, "Seconde", visible_to_creditor=True)
    assert [e.text for e in access.timeline_for(people.creditor_user, mine)][:2] == [
        "Seconde",
        "Première",
    ]


def test_only_agency_staff_pass_the_agency_check_and_only_managers_the_manager_check(people):
    access.require_agency(people.agent)
    access.require_manager(people.supervisor)
    access.require_manager(people.admin)
    with pytest.raises(Forbidden):
        access.require_agency(people.creditor_admin)
    with pytest.raises(Forbidden):
        access.require_manager(people.agent)


def test_a_count_through_the_scoped_query_never_leaks_other_creditors(people, cases):
    query = access.visible_cases(people.other_creditor_user)
    count = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    assert count == 1
