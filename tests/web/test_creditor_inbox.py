"""The creditor's inbox on its home page: every question the agency waits on, and the answers
to write-offs and settlements given from it."""

from __future__ import annotations

from datetime import date

import pytest

from app.extensions import db
from app.services import approvals, escalation, plans
from tests import factories
from tests.helpers import page_text

pytestmark = pytest.mark.usefixtures("frozen_today")


@pytest.fixture
def every_kind(people, amicable_case, today):
    other = factories.make_case(
        people.creditor_user,
        debtor=factories.debtor_input("Second Débiteur SAS", siren=factories.VALID_SIRENS[1]),
        invoices=[factories.invoice("F-9", 300_000, issued=date(2026, 6, 1), days=30)],
        today=today,
    )
    from app.services import casework

    casework.accept_case(people.agent, other, today=today)
    escalation.request_escalation(amicable_case, today=today, source_key="test:escalation")
    db.session.commit()
    write_off = approvals.request_write_off(
        people.agent, amicable_case, 10_000, "Frais non recouvrables", today=today
    )
    settlement = approvals.request_settlement(
        people.agent, other, 200_000, "Offre ferme du débiteur", today=today
    )
    plan = plans.propose_plan(
        people.agent,
        other,
        down_payment_cents=0,
        installment_count=30,
        frequency="monthly",
        first_due_on=date(2026, 12, 15),
        today=today,
    )
    return write_off, settlement, plan


def test_the_inbox_lists_every_kind_of_question(people, login, every_kind):
    page = login(people.creditor_user).get("/creancier/").get_data(True)
    text = page_text(login(people.creditor_user).get("/creancier/"))
    assert 'data-testid="pending-escalations-count">4<' in page
    for kind in ("escalation", "write_off", "settlement", "plan"):
        assert f'data-kind="{kind}"' in page
    assert "Abandon de créance" in text
    assert "le débiteur paierait 2 000,00 € pour solde de tout compte" in text
    assert "Offre ferme du débiteur" in text


def test_another_creditor_sees_an_empty_inbox_and_cannot_answer(people, login, every_kind):
    write_off, _, _ = every_kind
    client = login(people.other_creditor_user)
    assert 'data-testid="pending-escalations-count">0<' in client.get("/creancier/").get_data(True)
    response = client.post(
        f"/creancier/demandes/{write_off.id}/reponse", data={"decision": "approve"}
    )
    assert response.status_code == 404
    assert write_off.status == "pending"


def test_a_refusal_without_a_note_comes_back_with_a_message(people, login, every_kind):
    _, settlement, _ = every_kind
    client = login(people.creditor_user)
    response = client.post(
        f"/creancier/demandes/{settlement.id}/reponse", data={"decision": "refuse", "note": " "}
    )
    assert response.status_code == 422
    assert "Dites à l'agence pourquoi vous refusez." in page_text(response)
    assert settlement.status == "pending"


def test_approving_the_write_off_from_the_inbox_closes_the_case(
    people, login, amicable_case, every_kind
):
    write_off, _, _ = every_kind
    client = login(people.creditor_user)
    response = client.post(
        f"/creancier/demandes/{write_off.id}/reponse", data={"decision": "approve"}
    )
    assert response.status_code == 302
    db.session.refresh(amicable_case)
    assert (amicable_case.stage, amicable_case.outcome) == ("closed", "irrecoverable")
    page = client.get("/creancier/").get_data(True)
    assert 'data-kind="write_off"' not in page


def test_the_agent_asks_for_a_settlement_from_the_case_page(people, login, amicable_case):
    client = login(people.agent)
    url = f"/agence/dossiers/{amicable_case.reference}/demandes/transaction"
    response = client.post(url, data={"amount": "2 000,00", "note": "Offre"})
    assert response.status_code == 422
    assert "Une transaction porte sur moins que le reste dû." in page_text(response)
    assert 'value="2 000,00"' in response.get_data(True)
    response = client.post(url, data={"amount": "900,00", "note": "Offre à 900 €"})
    assert response.status_code == 302
    page = page_text(client.get(f"/agence/dossiers/{amicable_case.reference}"))
    assert "Transaction avec remise" in page
    assert "En attente du créancier" in page


def test_the_timeline_tells_the_creditor_about_the_request_and_its_answer(
    people, login, amicable_case, today
):
    request = approvals.request_settlement(
        people.agent, amicable_case, 90_000, "Offre", today=today
    )
    approvals.decide(people.creditor_user, request, approve=False, note="Trop bas", today=today)
    text = page_text(
        login(people.creditor_user).get(f"/creancier/dossiers/{amicable_case.reference}")
    )
    assert "Transaction proposée au créancier : 900,00 € pour solde de tout compte" in text
    assert "Le créancier refuse la transaction" in text


def test_the_inbox_the_thread_and_the_preferences_read_in_english(
    people, login, client, amicable_case, every_kind
):
    from app.services import messages
    from tests.web.test_english_locale import assert_english_page, read_catalog

    messages.post_message(people.agent, amicable_case, "Hello from the agency")
    login(people.creditor_user)
    client.post("/langue/en")
    catalog = read_catalog()
    data = (
        amicable_case.debtor.name,
        "Second Débiteur SAS",
        "Boulangerie Dupont SAS",
        "Frais non recouvrables",
        "Offre ferme du débiteur",
    )
    assert_english_page(client.get("/creancier/"), catalog, "Write-off", data=data)
    assert_english_page(
        client.get(f"/creancier/dossiers/{amicable_case.reference}"),
        catalog,
        "Messages with the agency",
        data=data,
    )
    assert_english_page(client.get("/creancier/preferences"), catalog, "One summary a day")
    assert_english_page(client.get("/creancier/messages"), catalog, "Unread messages")


def test_the_case_page_points_to_the_inbox_while_a_request_waits(
    people, login, amicable_case, today
):
    approvals.request_write_off(people.agent, amicable_case, None, "Radiée", today=today)
    text = page_text(
        login(people.creditor_user).get(f"/creancier/dossiers/{amicable_case.reference}")
    )
    assert "L'agence attend votre réponse sur ce dossier : Abandon de créance." in text
    assert "L'agence vous propose de passer à la phase judiciaire" not in text


def test_each_kind_is_answered_only_through_its_own_route(people, login, amicable_case, today):
    write_off = approvals.request_write_off(
        people.agent, amicable_case, None, "Radiée", today=today
    )
    client = login(people.creditor_user)
    response = client.post(
        f"/creancier/demandes-judiciaire/{write_off.id}/decision",
        data={"decision": "approve", "confirm": "y"},
    )
    assert response.status_code == 404
    assert write_off.status == "pending"
    assert amicable_case.judicial_approved_at is None
