"""Promises and plans from the case pages: the agent records, the creditor approves."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import PaymentPlan, Promise
from tests import factories
from tests.helpers import page_text as text

pytestmark = pytest.mark.usefixtures("frozen_today")


@pytest.fixture
def case(amicable_case):
    return amicable_case


def plan_form(**fields) -> dict:
    data = {
        "down_payment": "97,92",
        "installment_count": "4",
        "frequency": "monthly",
        "first_due_on": "2026-12-01",
        "note": "Accord au téléphone",
    }
    data.update(fields)
    return {f"plan-{key}": value for key, value in data.items()}


def test_an_agent_grants_a_plan_and_sees_its_schedule(people, login, client, case):
    login(people.agent)

    response = client.post(
        f"/agence/dossiers/{case.reference}/echeancier", data=plan_form(), follow_redirects=True
    )

    page = text(response)
    assert "Échéancier accordé : il démarre aujourd'hui." in page
    assert page.count('data-testid="installment-row"') == 5
    assert "1 297,92 € en 4 échéance(s) mensuelle(s)" in page
    assert "Échéancier en cours" in page  # the hold badge


def test_a_bad_plan_is_refused_in_french_and_nothing_is_saved(people, login, client, case):
    login(people.agent)

    response = client.post(
        f"/agence/dossiers/{case.reference}/echeancier",
        data=plan_form(down_payment="2 000", first_due_on="2026-11-01"),
    )

    assert response.status_code == 422
    page = text(response)
    assert "La première échéance ne peut pas être dans le passé." in page
    assert 'value="2 000"' in page
    assert db.session.scalar(sa.select(sa.func.count(PaymentPlan.id))) == 0


def test_a_plan_outside_the_policy_is_approved_by_the_creditor_in_the_portal(
    people, login, client, case
):
    login(people.agent)
    client.post(
        f"/agence/dossiers/{case.reference}/echeancier",
        data=plan_form(down_payment="", installment_count="24"),
    )
    client.post("/deconnexion")
    login(people.creditor_user)

    page = text(client.get(f"/creancier/dossiers/{case.reference}"))
    assert "L'agence demande votre accord sur cet échéancier" in page
    assert "Durée supérieure à 12 mois." in page
    plan = db.session.scalar(sa.select(PaymentPlan))
    refused = client.post(
        f"/creancier/echeanciers/{plan.id}/decision", data={"decision": "refuse", "note": ""}
    )
    assert refused.status_code == 422
    assert "Dites à l'agence pourquoi vous refusez." in text(refused)

    response = client.post(
        f"/creancier/echeanciers/{plan.id}/decision",
        data={"decision": "approve", "note": ""},
        follow_redirects=True,
    )

    assert "Échéancier accepté." in text(response)
    db.session.refresh(plan)
    assert plan.status == "active"


def test_another_creditor_cannot_decide_the_plan(people, login, client, case):
    login(people.agent)
    client.post(
        f"/agence/dossiers/{case.reference}/echeancier",
        data=plan_form(down_payment="", installment_count="24"),
    )
    plan = db.session.scalar(sa.select(PaymentPlan))
    client.post("/deconnexion")
    login(people.other_creditor_user)

    response = client.post(
        f"/creancier/echeanciers/{plan.id}/decision", data={"decision": "approve", "note": ""}
    )

    assert response.status_code == 404
    db.session.refresh(plan)
    assert plan.status == "awaiting_creditor"


def test_a_promise_from_a_note_shows_as_pending(people, login, client, case):
    login(people.agent)

    response = client.post(
        f"/agence/dossiers/{case.reference}/promesses",
        data={"promise-amount": "500", "promise-promised_on": "2026-12-05", "promise-note": "Mail"},
        follow_redirects=True,
    )

    page = text(response)
    assert "Promesse de paiement enregistrée." in page
    assert "500,00 € pour le 05/12/2026" in page
    assert db.session.scalar(sa.select(Promise.status)) == "pending"


def test_cancelling_a_plan_asks_why(people, login, client, case):
    login(people.agent)
    client.post(f"/agence/dossiers/{case.reference}/echeancier", data=plan_form())
    plan = db.session.scalar(sa.select(PaymentPlan))

    refused = client.post(f"/agence/echeanciers/{plan.id}/annulation", data={})
    done = client.post(
        f"/agence/echeanciers/{plan.id}/annulation",
        data={"cancel_plan-note": "Débiteur injoignable"},
    )

    assert refused.status_code == 422
    assert "Indiquez pourquoi l'échéancier est annulé." in text(refused)
    assert done.status_code == 302
    db.session.refresh(plan)
    assert plan.status == "cancelled"


def test_a_card_installment_declined_three_times_reads_plainly_for_the_creditor(
    people, login, client, case, today, monkeypatch
):
    from datetime import timedelta

    from app.integrations import stripe_gateway
    from app.services import plans

    monkeypatch.setattr(stripe_gateway, "charge_saved_card", lambda *a, **k: (None, "declined"))
    plan = factories.monthly_plan(case, today)
    plans.keep_card(plan, "cus_1", "pm_1")
    for day in range(3):
        plans.charge_due_card_installments(today + timedelta(days=day))

    page = text(login(people.creditor_user).get(f"/creancier/dossiers/{case.reference}"))

    assert "Échéance 1 : carte refusée 3 fois, à reprendre avec le débiteur" in page
