"""Importing the valid rows of a checked file: one case per debtor, all or nothing, once, as a
job whose progress page the creditor follows."""

import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent, Case, Debtor, ImportBatch, Invoice, TimelineEntry
from app.services import audit
from tests import factories
from tests.helpers import page_text
from tests.web._import_helpers import upload_and_check


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def start(client, batch_id):
    response = client.post(f"/creancier/import/{batch_id}/lancer")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/creancier/import/{batch_id}/avancement")
    return response


def test_the_valid_rows_become_one_case_per_debtor(client, login, people, run_jobs, frozen_today):
    login(people.creditor_user)
    batch_id = upload_and_check(client, "invoices_utf8_commas.csv")
    start(client, batch_id)
    run_jobs()

    cases = db.session.scalars(sa.select(Case).order_by(Case.id)).all()
    assert [(c.debtor.name, len(c.invoices), c.claim_cents) for c in cases] == [
        ("Société Générale d'Équipement", 2, 120_050 + 35_000 - 5_000),
        ("Café des Amis, SARL", 1, 8_990),
    ]
    assert cases[0].external_ref == "CLI-0042"
    assert cases[0].debtor.siren == "732829320"
    assert cases[0].debtor.emails == ["compta@sge.example"]
    assert all(c.creditor_id == people.creditor.id and c.stage == "intake" for c in cases)
    assert count(TimelineEntry) == 2
    submitted = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "case.submitted")
    ).all()
    assert {e.changes["import_batch"] for e in submitted} == {batch_id}

    batch = db.session.get(ImportBatch, batch_id)
    assert (batch.status, batch.imported_cases) == ("done", 2)
    page = page_text(client.get(f"/creancier/import/{batch_id}/avancement"))
    assert "2 dossier(s) créé(s)." in page


def test_a_latin1_file_with_french_numbers_imports_its_amounts_and_dates(
    client, login, people, run_jobs
):
    login(people.creditor_user)
    batch_id = upload_and_check(client, "invoices_latin1_semicolons.csv")
    start(client, batch_id)
    run_jobs()
    invoices = db.session.scalars(sa.select(Invoice).order_by(Invoice.number)).all()
    assert [
        (i.number, i.amount_cents, i.paid_cents, i.issue_date.isoformat()) for i in invoices
    ] == [
        ("F2026-0007", 123_456, 0, "2026-01-15"),
        ("F2026-0008", 150_000, 20_000, "2026-02-15"),
        ("F2026-0009", 42_000, 0, "2026-03-01"),
    ]
    hélène = db.session.scalars(sa.select(Debtor).where(Debtor.kind == "individual")).one()
    assert hélène.name == "Hélène Lefèvre"


def test_starting_the_same_batch_twice_imports_it_once(client, login, people, run_jobs):
    login(people.creditor_user)
    batch_id = upload_and_check(client, "invoices_utf8_commas.csv")
    start(client, batch_id)
    client.post(f"/creancier/import/{batch_id}/lancer")
    run_jobs()
    client.post(f"/creancier/import/{batch_id}/lancer")
    run_jobs()
    from app.jobs.imports import import_batch

    import_batch(batch_id, "2026-11-23")  # a retried job: nothing more
    assert (count(Case), count(Invoice)) == (2, 3)


def test_the_same_file_imported_again_is_all_duplicates(client, login, people, run_jobs):
    login(people.creditor_user)
    start(client, upload_and_check(client, "invoices_utf8_commas.csv"))
    run_jobs()
    second = upload_and_check(client, "invoices_utf8_commas.csv")
    report = db.session.get(ImportBatch, second).report
    assert report["valid"] == 0
    assert {e["row"] for e in report["errors"]} == {2, 3, 4}
    assert count(Case) == 2


def test_a_failure_mid_import_leaves_nothing_and_the_batch_says_why(
    client, login, people, run_jobs, monkeypatch
):
    login(people.creditor_user)
    batch_id = upload_and_check(client, "invoices_utf8_commas.csv")
    real_timeline_values = audit.timeline_values
    calls = []

    def failing_timeline_values(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("disque plein")
        return real_timeline_values(*args, **kwargs)

    monkeypatch.setattr("app.services.intake.timeline_values", failing_timeline_values)
    start(client, batch_id)
    run_jobs()

    assert (count(Case), count(Debtor), count(Invoice), count(TimelineEntry)) == (0, 0, 0, 0)
    batch = db.session.get(ImportBatch, batch_id)
    assert batch.status == "failed"
    assert "disque plein" in batch.error
    page = page_text(client.get(f"/creancier/import/{batch_id}/avancement"))
    assert "L'import a échoué : rien n'a été enregistré." in page


def test_a_failure_after_rows_were_written_leaves_nothing(
    client, login, people, run_jobs, monkeypatch
):
    from app.services import intake

    login(people.creditor_user)
    batch_id = upload_and_check(client, "invoices_utf8_commas.csv")
    monkeypatch.setattr(intake, "BULK_BATCH", 1)  # the first case is written before the failure
    real_insert = intake._insert
    writes = []

    def failing_insert(conn, table, rows):
        writes.append(table.name)
        if table.name == "audit_event" and writes.count("audit_event") == 2:
            raise RuntimeError("disque plein")
        return real_insert(conn, table, rows)

    monkeypatch.setattr(intake, "_insert", failing_insert)
    start(client, batch_id)
    run_jobs()

    assert writes.count("invoice") == 2  # the first case's round went to the database
    assert (count(Case), count(Debtor), count(Invoice), count(TimelineEntry)) == (0, 0, 0, 0)
    assert not db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "case.submitted")
    ).all()
    batch = db.session.get(ImportBatch, batch_id)
    assert batch.status == "failed"
    assert "disque plein" in batch.error
    # Fixed, checked again and run again: imported once, in full.
    monkeypatch.setattr(intake, "_insert", real_insert)
    upload_and_check_again = client.post(
        f"/creancier/import/{batch_id}/colonnes", data=dict(batch.mapping)
    )
    assert upload_and_check_again.status_code == 302
    start(client, batch_id)
    run_jobs()
    assert (count(Case), count(Invoice)) == (2, 3)


def test_the_progress_page_polls_until_the_import_ends(client, login, people, run_jobs):
    login(people.creditor_user)
    batch_id = upload_and_check(client, "invoices_utf8_commas.csv")
    start(client, batch_id)
    url = f"/creancier/import/{batch_id}/avancement"
    waiting = client.get(url, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert f'hx-get="{url}"' in waiting
    assert "<html" not in waiting  # htmx gets the fragment only
    run_jobs()
    done = client.get(url, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "hx-get" not in done
    assert 'value="100"' in done


def test_another_creditor_cannot_see_or_start_the_batch(client, login, people):
    login(people.creditor_user)
    batch_id = upload_and_check(client, "invoices_utf8_commas.csv")
    client.post("/deconnexion")
    other = factories.make_user(people.other_creditor, "creditor_admin", "chef@martin.example")
    login(other)
    for url in ("", "/colonnes", "/avancement"):
        assert client.get(f"/creancier/import/{batch_id}{url}").status_code == 404
    assert client.post(f"/creancier/import/{batch_id}/lancer").status_code == 404
    assert "invoices_utf8_commas.csv" not in page_text(client.get("/creancier/import"))
    assert db.session.get(ImportBatch, batch_id).status == "validated"


def test_the_progress_bar_shows_how_far_the_running_job_is(client, login, people):
    from rq.job import Job

    from app.jobs import redis_connection

    login(people.creditor_user)
    batch_id = upload_and_check(client, "invoices_utf8_commas.csv")
    start(client, batch_id)
    batch = db.session.get(ImportBatch, batch_id)
    job = Job.fetch(batch.job_id, connection=redis_connection())
    job.meta.update(done=250, total=1000)
    job.save_meta()
    batch.status = "importing"  # as the worker's claim leaves it while it runs
    db.session.commit()
    fragment = client.get(
        f"/creancier/import/{batch_id}/avancement", headers={"HX-Request": "true"}
    ).get_data(as_text=True)
    assert 'value="25"' in fragment
    assert "hx-get" in fragment
