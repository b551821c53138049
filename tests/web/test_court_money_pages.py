"""The court route's money on the pages: costs on the case page, the judgment's interest, an
acknowledgment of debt, a dividend on the insolvency page, and the creditor's statement."""

from __future__ import annotations

import re
from datetime import date

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import CaseCost, ClaimDeclaration, JudicialProcedure, Payment
from app.services import casework, insolvency, judicial, remittance
from tests.factories import PASSWORD
from tests.helpers import page_text

TODAY = date(2026, 11, 23)


def visible(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page_text(response)))


@pytest.fixture
def judicial_case(people, amicable_case, today):
    casework.record_judicial_approval(people.supervisor, amicable_case, note="Accord écrit.")
    casework.move_stage(
        people.supervisor, amicable_case, "judicial", reason="Relances sans effet.", today=today
    )
    return amicable_case


def test_an_agent_records_a_cost_the_agency_advanced_and_the_creditor_sees_it_charged(
    app, login, people, judicial_case, frozen_today
):
    client = login(people.agent)
    url = f"/agence/dossiers/{judicial_case.reference}"
    response = client.post(
        f"{url}/frais",
        data={
            "cost-kind": "commissaire_fee",
            "cost-label": "Signification de l'ordonnance",
            "cost-amount": "89,50",
            "cost-incurred_on": "2026-11-20",
            "cost-advanced_by": "agency",
            "cost-recoverable": "y",
        },
        follow_redirects=True,
    )
    text = visible(response)
    assert "Frais enregistrés." in text
    assert "Signification de l'ordonnance" in text
    assert "89,50" in text

    issued = remittance.run_remittance(people.supervisor, people.creditor, today=TODAY)
    creditor = app.test_client()
    creditor.post("/connexion", data={"email": people.creditor_admin.email, "password": PASSWORD})
    statement = visible(creditor.get(f"/creancier/releves/{issued.id}"))
    assert "Frais de procédure avancés par l'agence : Signification de l'ordonnance" in statement


def test_a_refused_cost_keeps_what_was_typed_and_saves_nothing(
    login, people, judicial_case, frozen_today
):
    client = login(people.agent)
    response = client.post(
        f"/agence/dossiers/{judicial_case.reference}/frais",
        data={
            "cost-kind": "court_fee",
            "cost-label": "Droits de greffe",
            "cost-amount": "-12",
            "cost-incurred_on": "2026-11-20",
            "cost-advanced_by": "creditor",
        },
    )
    assert response.status_code == 422
    assert "Le montant doit être positif." in visible(response)
    assert 'value="Droits de greffe"' in page_text(response)
    assert db.session.scalar(sa.select(sa.func.count(CaseCost.id))) == 0


def test_the_judgment_interest_form_appears_with_the_title_and_changes_the_balance(
    login, people, judicial_case, frozen_today
):
    procedure = judicial.start_procedure(
        people.agent, judicial_case, kind="summary", court_name="Tribunal de commerce de Lyon"
    )
    client = login(people.agent)
    url = f"/agence/dossiers/{judicial_case.reference}"
    assert 'data-testid="judgment-form"' not in page_text(client.get(url))
    judicial.record_step(
        people.agent, procedure, kind="filed", occurred_on=date(2026, 9, 1), note="", today=TODAY
    )
    judicial.record_step(
        people.agent, procedure, kind="hearing", occurred_on=date(2026, 10, 1), note="", today=TODAY
    )
    judicial.record_step(
        people.agent,
        procedure,
        kind="decision",
        occurred_on=date(2026, 10, 1),
        note="",
        today=TODAY,
    )
    response = client.post(
        f"{url}/procedures/{procedure.id}/interets",
        data={
            f"judgment-{procedure.id}-starts_on": "2026-10-01",
            f"judgment-{procedure.id}-rate": "5",
        },
        follow_redirects=True,
    )
    text = visible(response)
    assert "Intérêts du jugement enregistrés." in text
    assert "Intérêts du jugement à compter du 01/10/2026 : 5,00 %" in text
    # 1,200.00 at 12.15 % to 30 September, then 5 %: 45.23 interest (tests/services).
    assert "1 285,23" in text
    assert db.session.get(JudicialProcedure, procedure.id).judgment_rate_bp == 500


def test_an_acknowledgment_moves_the_limitation_date_on_the_case_page(
    login, people, amicable_case, frozen_today
):
    client = login(people.agent)
    url = f"/agence/dossiers/{amicable_case.reference}"
    assert "Prescription le 01/07/2031" in visible(client.get(url))
    response = client.post(
        f"{url}/reconnaissance-de-dette",
        data={"ack-acknowledged_on": "2026-11-02", "ack-note": "Courrier signé"},
        follow_redirects=True,
    )
    text = visible(response)
    assert "le délai de prescription repart" in text
    assert "Prescription le 02/11/2031" in text

    refused = client.post(f"{url}/reconnaissance-de-dette", data={"ack-acknowledged_on": ""})
    assert refused.status_code == 422
    assert "Indiquez la date." in visible(refused)


def test_a_supervisor_records_a_dividend_on_an_admitted_claim(
    login, people, amicable_case, frozen_today
):
    insolvency.open_proceeding(
        people.agent,
        insolvency.ProceedingInput(
            siren=amicable_case.debtor.siren,
            kind="liquidation",
            court="Tribunal de commerce de Lyon",
            judgment_date=date(2026, 10, 1),
            published_on=date(2026, 10, 8),
            mandataire_name="SELARL MJ Synergie",
        ),
    )
    declaration = db.session.scalar(sa.select(ClaimDeclaration))
    for status, on in (("filed", date(2026, 11, 2)), ("admitted", date(2026, 11, 20))):
        insolvency.move_declaration(people.agent, declaration, status, on=on, today=TODAY)
    client = login(people.supervisor)
    page = visible(client.get("/agence/procedures-collectives"))
    assert "Admise" in page
    response = client.post(
        f"/agence/declarations/{declaration.id}/dividendes",
        data={"amount": "150,00", "received_on": "2026-11-23", "idempotency_key": "div-1"},
        follow_redirects=True,
    )
    text = visible(response)
    assert "Dividende enregistré comme paiement du dossier." in text
    assert "dividendes reçus : 150,00" in text
    assert db.session.scalar(sa.select(Payment.method)) == "dividend"


def test_a_step_keeps_its_document_and_a_bad_file_records_nothing(
    login, people, judicial_case, frozen_today
):
    import io

    from app.models import Document, ProcedureStep
    from tests import factories

    procedure = judicial.start_procedure(
        people.agent, judicial_case, kind="payment_order", court_name="Tribunal de commerce de Lyon"
    )
    client = login(people.agent)
    url = f"/agence/dossiers/{judicial_case.reference}/procedures/etapes"
    documents_before = db.session.scalar(sa.select(sa.func.count(Document.id)))
    refused = client.post(
        url,
        data={
            "step-procedure_id": procedure.id,
            "step-kind": "filed",
            "step-occurred_on": "2026-09-10",
            "step-document": (io.BytesIO(b"MZ\x90\x00 not a document"), "requete.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert refused.status_code == 422
    assert db.session.scalar(sa.select(sa.func.count(ProcedureStep.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(Document.id))) == documents_before

    response = client.post(
        url,
        data={
            "step-procedure_id": procedure.id,
            "step-kind": "filed",
            "step-occurred_on": "2026-09-10",
            "step-document": (io.BytesIO(factories.minimal_pdf()), "requete.pdf"),
        },
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "Étape enregistrée." in visible(response)
    step = db.session.scalar(sa.select(ProcedureStep))
    document = db.session.get(Document, step.document_id)
    assert document.original_name == "requete.pdf"
    assert document.case_id == judicial_case.id
    assert f"/agence/documents/{document.id}" in page_text(response)
