"""The creditor answers the agency's request to go to court from its portal."""

from __future__ import annotations

import html

import pytest
import sqlalchemy as sa

from app.domain import pipeline
from app.extensions import db
from app.models import ApprovalRequest, Task
from app.services import escalation

pytestmark = pytest.mark.usefixtures("frozen_today")


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


@pytest.fixture
def pending(amicable_case, today):
    request = escalation.request_escalation(
        amicable_case, today=today, source_key="cadence:test:escalation"
    )
    db.session.commit()
    return request


def decide(client, request, **data):
    return client.post(f"/creancier/demandes-judiciaire/{request.id}/decision", data=data)


def test_the_home_page_says_when_nothing_waits_for_an_answer(people, login, amicable_case):
    page = text(login(people.creditor_user).get("/creancier/"))
    assert "Demandes en attente de votre accord" in page
    assert 'data-testid="pending-escalations-empty"' in page


def test_the_home_page_lists_the_requests_waiting_for_an_answer(
    people, login, amicable_case, pending
):
    page = text(login(people.creditor_user).get("/creancier/"))
    assert 'data-testid="pending-escalations-count">1<' in page
    assert f"/creancier/dossiers/{amicable_case.reference}#escalade" in page
    assert "passage au judiciaire proposé le 23/11/2026" in page


def test_another_creditor_does_not_see_the_request(people, login, pending):
    page = text(login(people.other_creditor_user).get("/creancier/"))
    assert 'data-testid="pending-escalations-count">0<' in page


def test_the_case_page_explains_the_request_and_offers_both_answers(
    people, login, amicable_case, pending
):
    page = text(login(people.creditor_user).get(f"/creancier/dossiers/{amicable_case.reference}"))
    assert "L'agence vous propose de passer à la phase judiciaire" in page
    assert "Des frais peuvent s'appliquer" in page
    assert 'data-testid="escalation-approve-form"' in page
    assert 'data-testid="escalation-refuse-form"' in page
    assert "Passage au judiciaire proposé au créancier" in page  # its timeline


def test_approving_needs_the_costs_box_ticked(people, login, amicable_case, pending):
    client = login(people.creditor_user)
    page = decide(client, pending, decision="approve")
    assert page.status_code == 422
    assert "Cochez la case pour confirmer que vous avez compris les frais possibles." in text(page)
    assert pending.status == "pending" and amicable_case.judicial_approved_at is None


def test_approving_lets_a_supervisor_move_the_case_to_court(
    people, login, client, amicable_case, pending
):
    response = decide(login(people.creditor_user), pending, decision="approve", confirm="y")
    assert response.status_code == 302
    db.session.refresh(pending)
    assert pending.status == "approved"
    page = text(client.get(f"/creancier/dossiers/{amicable_case.reference}"))
    assert "Vous avez autorisé le passage au judiciaire." in page
    assert 'data-testid="escalation-approve-form"' not in page
    assert "Le créancier autorise le passage au judiciaire" in page
    client.post("/deconnexion")
    login(people.supervisor)
    moved = client.post(
        f"/agence/dossiers/{amicable_case.reference}/etape",
        data={"move-target": "judicial", "move-reason": "Accord du créancier"},
    )
    assert moved.status_code == 302
    db.session.refresh(amicable_case)
    assert amicable_case.stage == pipeline.JUDICIAL


def test_refusing_without_a_reason_is_refused_in_french(people, login, amicable_case, pending):
    page = decide(login(people.creditor_user), pending, decision="refuse", note="")
    assert page.status_code == 422
    assert "Dites à l'agence pourquoi vous refusez le passage au judiciaire." in text(page)
    assert pending.status == "pending"


def test_refusing_with_a_reason_gives_the_agent_a_task(people, login, amicable_case, pending):
    response = decide(
        login(people.creditor_admin), pending, decision="refuse", note="Client historique"
    )
    assert response.status_code == 302
    db.session.refresh(pending)
    assert pending.status == "refused" and pending.decision_note == "Client historique"
    assert db.session.scalars(sa.select(Task.kind)).all() == ["escalation_refused"]


def test_a_decided_request_cannot_be_answered_again(people, login, amicable_case, pending):
    client = login(people.creditor_user)
    decide(client, pending, decision="refuse", note="Non")
    response = decide(client, pending, decision="approve", confirm="y")
    assert response.status_code == 302
    db.session.refresh(pending)
    assert pending.status == "refused"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Task)) == 1


def test_another_creditor_gets_404(people, login, pending):
    response = decide(login(people.other_creditor_user), pending, decision="approve", confirm="y")
    assert response.status_code == 404
    assert db.session.get(ApprovalRequest, pending.id).status == "pending"


def test_agency_staff_cannot_answer_for_the_creditor(people, login, pending):
    response = decide(login(people.supervisor), pending, decision="approve", confirm="y")
    assert response.status_code == 403


# --- The agency's side ---------------------------------------------------------------------------


def test_an_agent_proposes_the_judicial_stage_from_the_case_page(people, login, amicable_case):
    client = login(people.agent)
    page = text(client.get(f"/agence/dossiers/{amicable_case.reference}"))
    assert "Proposer le passage au judiciaire" in page
    response = client.post(
        f"/agence/dossiers/{amicable_case.reference}/judiciaire/proposition",
        data={"note": "Trois relances sans réponse"},
    )
    assert response.status_code == 302
    (request,) = escalation.requests_of(amicable_case)
    assert request.status == "pending" and request.note == "Trois relances sans réponse"
    page = text(client.get(f"/agence/dossiers/{amicable_case.reference}"))
    assert 'data-testid="escalation-status">En attente du créancier<' in page
    assert "Proposer le passage au judiciaire" not in page


def test_the_agency_case_page_shows_the_creditors_answer(people, login, amicable_case, pending):
    escalation.decide_escalation(
        people.creditor_user,
        pending,
        approve=False,
        note="Pas avant janvier",
        today=pending.requested_on,
    )
    page = text(login(people.agent).get(f"/agence/dossiers/{amicable_case.reference}"))
    assert 'data-testid="escalation-status">Refusé<' in page
    assert "Pas avant janvier" in page
    assert "Proposer le passage au judiciaire" in page  # the agent may ask again later


def test_a_case_still_in_intake_offers_no_proposal(people, login, today):
    from tests import factories

    case = factories.make_case(people.creditor_user, today=today)
    client = login(people.agent)
    assert 'data-testid="escalation-panel"' not in text(
        client.get(f"/agence/dossiers/{case.reference}")
    )
    response = client.post(f"/agence/dossiers/{case.reference}/judiciaire/proposition", data={})
    assert response.status_code == 302
    assert escalation.requests_of(case) == []
    page = text(client.get(f"/agence/dossiers/{case.reference}"))
    assert "Seul un dossier en phase amiable peut passer au judiciaire." in page


def test_the_request_reads_in_english(people, login, client, amicable_case, pending):
    from tests.web.test_english_locale import assert_english_page, read_catalog

    login(people.creditor_user)
    client.post("/langue/en")
    catalog = read_catalog()
    data = (amicable_case.debtor.name, "Boulangerie Dupont SAS")
    assert_english_page(
        client.get("/creancier/"), catalog, "Requests awaiting your approval", data=data
    )
    assert_english_page(
        client.get(f"/creancier/dossiers/{amicable_case.reference}"),
        catalog,
        "The agency proposes to take this case to court",
        "I approve court action",
        data=data,
    )
