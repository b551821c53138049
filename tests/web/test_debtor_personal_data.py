"""The export button on the case page, its ZIP, who may press it; the commands an operator
types (`flask debtor export`, `flask personal-data purge`)."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date

import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent, Debtor
from app.services import intake
from tests import factories
from tests.web.test_csrf import csrf_client, token_from  # noqa: F401


def _case(people, today):
    return factories.make_case(
        people.creditor_user,
        uploads=[intake.UploadInput("facture.pdf", factories.minimal_pdf(), "invoice")],
        today=today,
    )


def test_a_supervisor_sees_the_button_and_gets_the_zip(login, people, today, frozen_today):
    case = _case(people, today)
    client = login(people.supervisor)
    page = client.get(f"/agence/dossiers/{case.reference}").get_data(as_text=True)
    assert "Exporter les données du débiteur" in page
    assert f"/agence/debiteurs/{case.debtor_id}/export-donnees" in page

    response = client.post(f"/agence/debiteurs/{case.debtor_id}/export-donnees")
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "private, no-store"
    # An audited act, never a link a crawler or a prefetch could follow.
    assert client.get(f"/agence/debiteurs/{case.debtor_id}/export-donnees").status_code == 405
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    data = json.loads(archive.read("debiteur.json"))
    assert data["cases"][0]["reference"] == case.reference
    (document,) = data["cases"][0]["documents"]
    assert archive.read(document["file"]) == factories.minimal_pdf()
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "debtor.export"))
    assert event.one().actor_id == people.supervisor.id


def test_an_agent_sees_no_button_and_is_refused(login, people, today, frozen_today):
    case = _case(people, today)
    client = login(people.agent)
    page = client.get(f"/agence/dossiers/{case.reference}").get_data(as_text=True)
    assert "Exporter les données du débiteur" not in page
    assert client.post(f"/agence/debiteurs/{case.debtor_id}/export-donnees").status_code == 403


def test_a_creditor_is_refused(login, people, today):
    case = _case(people, today)
    client = login(people.creditor_admin)
    assert client.post(f"/agence/debiteurs/{case.debtor_id}/export-donnees").status_code == 403
    assert (
        db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "debtor.export")).all()
        == []
    )


def test_an_unknown_debtor_is_not_found(login, people):
    client = login(people.admin)
    assert client.post("/agence/debiteurs/999999/export-donnees").status_code == 404


def test_the_export_command_writes_the_zip(app, people, today, tmp_path):
    case = _case(people, today)
    out = tmp_path / "export.zip"
    result = app.test_cli_runner().invoke(args=["debtor", "export", str(case.debtor_id), str(out)])
    assert result.exit_code == 0, result.output
    assert "1 dossier(s), 1 document(s)" in result.output
    assert "debiteur.json" in zipfile.ZipFile(out).namelist()
    missing = app.test_cli_runner().invoke(args=["debtor", "export", "999999", str(out)])
    assert missing.exit_code != 0 and "introuvable" in missing.output


def test_the_purge_command_lists_in_a_dry_run_then_erases(app, people, today):
    from app.domain import pipeline
    from app.services import casework

    case = _case(people, today)
    casework.move_stage(
        people.supervisor,
        case,
        pipeline.RETURNED,
        reason="Incomplet",
        return_reason="incomplete",
        today=today,
    )
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["personal-data", "purge", "--dry-run", "--date", "2040-01-01"])
    assert dry.exit_code == 0, dry.output
    assert f"débiteur {case.debtor_id}" in dry.output and "simulation" in dry.output
    assert db.session.get(Debtor, case.debtor_id).anonymised_at is None
    run = runner.invoke(args=["personal-data", "purge", "--date", "2040-01-01"])
    assert "1 débiteur(s) anonymisé(s), 1 document(s) supprimé(s)" in run.output
    db.session.expire_all()
    assert db.session.get(Debtor, case.debtor_id).anonymised_at is not None
    again = runner.invoke(args=["personal-data", "purge", "--date", "2040-01-01"])
    assert "0 débiteur(s) anonymisé(s)" in again.output
    assert date(2040, 1, 1) > today


def test_after_erasure_the_case_page_says_so_and_a_document_is_gone(
    login, people, today, frozen_today
):
    from app.domain import pipeline
    from app.services import casework, personal_data

    case = _case(people, today)
    document_id = case.documents[0].id
    casework.move_stage(
        people.supervisor,
        case,
        pipeline.RETURNED,
        reason="Incomplet",
        return_reason="incomplete",
        today=today,
    )
    personal_data.purge(date(2040, 1, 1))
    client = login(people.agent)
    page = client.get(f"/agence/dossiers/{case.reference}").get_data(as_text=True)
    assert 'data-testid="debtor-anonymised"' in page
    assert "Mauvais Payeur" not in page
    assert client.get(f"/agence/documents/{document_id}").status_code == 404


def test_the_export_needs_the_forms_csrf_token(csrf_client, people, today):  # noqa: F811
    case = _case(people, today)
    token = token_from(csrf_client.get("/connexion").get_data(as_text=True))
    csrf_client.post(
        "/connexion",
        data={
            "email": people.supervisor.email,
            "password": factories.PASSWORD,
            "csrf_token": token,
        },
    )
    # A supervisor types the second factor's code, on a page with its own token.
    people.supervisor.totp_last_counter = None
    db.session.commit()
    code_page = csrf_client.get("/connexion/code").get_data(as_text=True)
    csrf_client.post(
        "/connexion/code",
        data={"code": factories.totp_code(people.supervisor), "csrf_token": token_from(code_page)},
    )
    url = f"/agence/debiteurs/{case.debtor_id}/export-donnees"
    assert csrf_client.post(url).status_code == 400
    page = csrf_client.get(f"/agence/dossiers/{case.reference}").get_data(as_text=True)
    response = csrf_client.post(url, data={"csrf_token": token_from(page)})
    assert response.status_code == 200 and response.mimetype == "application/zip"
