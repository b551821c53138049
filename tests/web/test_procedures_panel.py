"""The case page's court procedures: open one, record its steps, a refusal keeps what was typed."""

from __future__ import annotations

import re

from app.services import casework
from tests.helpers import page_text


def visible(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page_text(response)))


def test_an_agent_opens_an_order_for_payment_and_records_its_steps(
    login, people, amicable_case, today, frozen_today
):
    casework.record_judicial_approval(people.supervisor, amicable_case, note="Accord écrit.")
    casework.move_stage(
        people.supervisor, amicable_case, "judicial", reason="Relances sans effet.", today=today
    )
    client = login(people.agent)
    url = f"/agence/dossiers/{amicable_case.reference}"
    response = client.post(
        f"{url}/procedures",
        data={
            "procedure-kind": "payment_order",
            "procedure-court_name": "Tribunal de commerce de Lyon",
        },
        follow_redirects=True,
    )
    assert "Procédure ouverte." in visible(response)
    from app.extensions import db
    from app.models import JudicialProcedure

    procedure = db.session.scalars(db.select(JudicialProcedure)).one()
    for kind, day in (("filed", "2026-09-10"), ("order_obtained", "2026-09-15")):
        response = client.post(
            f"{url}/procedures/etapes",
            data={"step-procedure_id": procedure.id, "step-kind": kind, "step-occurred_on": day},
            follow_redirects=True,
        )
        assert "Étape enregistrée." in visible(response)
    assert "Prochaine échéance : 15/12/2026 — Signifier l'ordonnance" in visible(response)

    refused = client.post(
        f"{url}/procedures/etapes",
        data={
            "step-procedure_id": procedure.id,
            "step-kind": "served",
            "step-occurred_on": "2026-09-01",
            "step-note": "Signifiée à personne",
        },
    )
    assert refused.status_code == 422
    text = visible(refused)
    assert "Cette date précède celle de l'étape précédente." in text
    assert "Signifiée à personne" in text


def test_no_procedure_opens_before_the_creditor_approved(
    login, people, amicable_case, frozen_today
):
    # The panel only shows in the judicial stage; a forged post is refused all the same.
    response = login(people.agent).post(
        f"/agence/dossiers/{amicable_case.reference}/procedures",
        data={"procedure-kind": "payment_order", "procedure-court_name": "TC Lyon"},
    )
    assert response.status_code == 422
