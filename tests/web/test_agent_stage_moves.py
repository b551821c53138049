"""Moving a case through the pipeline, holds, and the creditor's approval to go to court."""

from __future__ import annotations

import html

import pytest
import sqlalchemy as sa

from app.domain import pipeline
from app.extensions import db
from app.models import AuditEvent, TimelineEntry
from app.services import casework
from tests import factories

pytestmark = pytest.mark.usefixtures("frozen_today")


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


@pytest.fixture
def case(people, today):
    case = factories.make_case(people.creditor_user, today=today)
    return casework.accept_case(people.agent, case, today=today)


def move(client, case, target, reason="", outcome=""):
    return client.post(
        f"/agence/dossiers/{case.reference}/etape",
        data={"move-target": target, "move-reason": reason, "move-outcome": outcome},
    )


def entries(case, kind) -> list[TimelineEntry]:
    return list(
        db.session.scalars(
            sa.select(TimelineEntry)
            .where(TimelineEntry.case_id == case.id, TimelineEntry.kind == kind)
            .order_by(TimelineEntry.id)  # without it, PostgreSQL may return them in any order
        )
    )


def test_the_stage_select_offers_only_the_moves_the_role_allows(people, login, client, case):
    login(people.agent)
    page = text(client.get(f"/agence/dossiers/{case.reference}"))
    select = page.split('name="move-target"')[1].split("</select>")[0]
    assert 'value="closed"' in select and 'value="insolvency"' in select
    assert 'value="judicial"' not in select

    client.post("/deconnexion")
    login(people.supervisor)
    page = text(client.get(f"/agence/dossiers/{case.reference}"))
    assert 'value="judicial"' in page.split('name="move-target"')[1].split("</select>")[0]


def test_an_agent_closes_a_paid_case(people, login, client, case, today):
    login(people.agent)
    response = move(client, case, "closed", "Règlement reçu par virement.", "paid")

    assert response.status_code == 302
    db.session.refresh(case)
    assert case.stage == pipeline.CLOSED
    assert case.outcome == "paid"
    assert case.closed_on == today
    [*_, entry] = entries(case, "stage_changed")
    assert entry.data["to"] == "closed" and entry.text == "Règlement reçu par virement."
    assert (
        db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.case_id == case.id)).all()[
            -1
        ]
        == "case.stage_changed"
    )
    page = text(client.get(response.headers["Location"]))
    assert "Étape modifiée : Clôturé." in page
    assert "Payé" in page


def test_closing_without_an_outcome_is_refused_and_nothing_changes(people, login, client, case):
    before = len(entries(case, "stage_changed"))
    login(people.agent)
    response = move(client, case, "closed", "Le débiteur a tout réglé.")

    assert response.status_code == 422
    page = text(response)
    assert "Indiquez l'issue de la clôture." in page
    assert "Le débiteur a tout réglé." in page
    # The outcome field is shown since closing was chosen, and closing asks for confirmation.
    assert 'id="move-outcome-group" class=""' in page
    assert 'data-confirm="Clôturer ce dossier ? Une clôture est définitive."' in page
    db.session.refresh(case)
    assert case.stage == pipeline.AMICABLE
    assert len(entries(case, "stage_changed")) == before


def test_a_move_the_pipeline_forbids_is_explained_in_french(people, login, client, case):
    login(people.agent)
    response = move(client, case, "judicial", "Mise en demeure restée sans effet.")

    assert response.status_code == 422
    assert "Votre rôle ne permet pas ce changement d'étape." in text(response)
    db.session.refresh(case)
    assert case.stage == pipeline.AMICABLE


def test_going_to_court_needs_the_creditors_recorded_approval(people, login, client, case):
    login(people.supervisor)
    refused = move(client, case, "judicial", "Mise en demeure restée sans effet.")
    assert refused.status_code == 422
    assert "Le créancier n'a pas donné son accord pour la phase judiciaire." in text(refused)

    approval = client.post(
        f"/agence/dossiers/{case.reference}/accord-judiciaire",
        data={"judicial-note": "Accord écrit reçu par courriel du 20/11."},
    )
    assert approval.status_code == 302
    db.session.refresh(case)
    assert case.judicial_approved_at is not None
    assert [e.text for e in entries(case, "judicial_approved")] == [
        "Accord écrit reçu par courriel du 20/11."
    ]
    assert "Accord du créancier pour la phase judiciaire enregistré." in text(
        client.get(approval.headers["Location"])
    )

    assert move(client, case, "judicial", "Injonction de payer.").status_code == 302
    db.session.refresh(case)
    assert case.stage == pipeline.JUDICIAL


def test_a_judicial_approval_needs_a_note(people, login, client, case):
    login(people.supervisor)
    response = client.post(
        f"/agence/dossiers/{case.reference}/accord-judiciaire", data={"judicial-note": ""}
    )
    assert response.status_code == 422
    assert "Précisez comment le créancier a donné son accord." in text(response)
    db.session.refresh(case)
    assert case.judicial_approved_at is None


def test_an_agent_cannot_record_a_judicial_approval(people, login, client, case):
    login(people.agent)
    response = client.post(
        f"/agence/dossiers/{case.reference}/accord-judiciaire",
        data={"judicial-note": "Accord oral."},
    )
    assert response.status_code == 403
    db.session.refresh(case)
    assert case.judicial_approved_at is None
    assert entries(case, "judicial_approved") == []


def test_an_agent_puts_a_case_on_hold_and_lifts_the_hold(people, login, client, case):
    login(people.agent)
    response = client.post(
        f"/agence/dossiers/{case.reference}/suspension",
        data={"hold-hold_reason": "dispute", "hold-note": "Le débiteur conteste la livraison."},
    )

    assert response.status_code == 302
    db.session.refresh(case)
    assert case.hold_reason == "dispute"
    page = text(client.get(response.headers["Location"]))
    assert "Dossier suspendu." in page and "Litige" in page

    response = client.post(
        f"/agence/dossiers/{case.reference}/suspension", data={"hold-hold_reason": ""}
    )
    db.session.refresh(case)
    assert case.hold_reason is None
    assert "Suspension levée." in text(client.get(response.headers["Location"]))
    assert [e.data["to"] for e in entries(case, "hold_changed")] == ["dispute", None]
    actions = db.session.scalars(
        sa.select(AuditEvent.action).where(AuditEvent.action == "case.hold_changed")
    ).all()
    assert len(actions) == 2


def test_an_unknown_hold_reason_is_refused(people, login, client, case):
    login(people.agent)
    response = client.post(
        f"/agence/dossiers/{case.reference}/suspension", data={"hold-hold_reason": "vacances"}
    )
    assert response.status_code == 422
    assert "Motif de suspension inconnu." in text(response)
    db.session.refresh(case)
    assert case.hold_reason is None
