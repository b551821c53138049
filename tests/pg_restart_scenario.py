"""PostgreSQL restarted under a running app, in its own process (create_app binds global
extensions such as the rate limiter, which the test session must keep): run by
tests/services/test_postgres_restart.py, prints what happened as one JSON line.

    python -m tests.pg_restart_scenario

1. The app serves pages from a private cluster; the cluster restarts; the next pages must load
   (the configured pool_pre_ping replaces the pooled connections that died). A control engine
   without pre-ping shows the fault is real.
2. A creditor's new case is caught mid-transaction (the debtor, case and invoice rows written,
   the document's insert waiting on a row lock) when the cluster is killed and restarted: the
   request fails, nothing of that case remains (no row, no stored file), and the same form
   sent again succeeds.
"""

from __future__ import annotations

import io
import json
import sys
import tempfile
import threading
from pathlib import Path

import sqlalchemy as sa

from tests import factories
from tests.servers import PrivatePostgres, wait_until


def new_case_form() -> dict:
    return {
        "debtor_mode": "new",
        "debtor-kind": "company",
        "debtor-name": "Client Mauvais Payeur SARL",
        "debtor-siren": "732 829 320",
        "debtor-address_line1": "12 avenue des Champs",
        "debtor-postal_code": "69001",
        "debtor-city": "Lyon",
        "debtor-country": "FR",
        "debtor-email": "compta@mauvais-payeur.example",
        "invoices-0-number": "F-2026-001",
        "invoices-0-issue_date": "2026-06-01",
        "invoices-0-due_date": "2026-07-01",
        "invoices-0-amount": "1 234,56",
        "uploads-0-kind": "invoice",
        "uploads-0-file": (io.BytesIO(factories.minimal_pdf()), "facture.pdf"),
    }


def main() -> dict:
    from app import create_app
    from app.extensions import db
    from app.models import AuditEvent, Case, Debtor, Document, Invoice, TimelineEntry, User

    server = PrivatePostgres()
    server.init()
    uploads = Path(tempfile.mkdtemp(prefix="recouvra-uploads-"))
    result: dict = {}
    try:
        url = server.url()
        app = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "restart",
                "SQLALCHEMY_DATABASE_URI": url,
                "WTF_CSRF_ENABLED": False,
                "UPLOAD_DIR": str(uploads),
                "LETTER_TEMPLATES_DIR": str(uploads / "letters"),
                "LETTER_PDF": False,
                "REDIS_URL": None,
                "RATELIMIT_STORAGE_URI": "memory://",
            }
        )
        result["pre_ping"] = app.config["SQLALCHEMY_ENGINE_OPTIONS"].get("pool_pre_ping")
        with app.app_context():
            db.create_all()
            people = factories.personas()
            creditor_user_id = people.creditor_user.id
            db.session.commit()
            db.session.remove()

        client = app.test_client()
        login = client.post(
            "/connexion",
            data={"email": "compta@dupont.example", "password": factories.PASSWORD},
        )
        result["login"] = login.status_code
        result["before"] = [
            client.get(p).status_code for p in ("/creancier/", "/creancier/dossiers")
        ]

        control = sa.create_engine(url, pool_pre_ping=False)
        with control.connect() as connection:
            connection.execute(sa.text("SELECT 1"))

        server.restart("fast")

        result["after"] = [
            client.get(p).status_code for p in ("/creancier/", "/creancier/dossiers")
        ]
        try:
            with control.connect() as connection:
                connection.execute(sa.text("SELECT 1"))
            result["control"] = "ok"
        except sa.exc.OperationalError:
            result["control"] = "OperationalError"
        control.dispose()

        # 2. A case caught half-way when the server dies.
        holder = sa.create_engine(url, poolclass=sa.pool.NullPool).connect()
        holder.execute(sa.select(User.id).where(User.id == creditor_user_id).with_for_update())
        in_flight: dict = {}

        def submit() -> None:
            try:
                response = client.post(
                    "/creancier/dossiers/nouveau",
                    data=new_case_form(),
                    content_type="multipart/form-data",
                )
                in_flight["status"] = response.status_code
            except Exception as exc:  # the test client re-raises in TESTING
                in_flight["status"] = type(exc).__name__

        thread = threading.Thread(target=submit)
        thread.start()

        # Its own connection: pg_stat_activity is a snapshot for a transaction's duration.
        watcher = sa.create_engine(url, poolclass=sa.pool.NullPool)

        def waiting_query() -> str | None:
            if "status" in in_flight:
                raise AssertionError(f"the new case did not wait: {in_flight}")
            with watcher.connect() as connection:
                return connection.scalar(
                    sa.text(
                        "SELECT query FROM pg_stat_activity"
                        " WHERE wait_event_type = 'Lock' AND query ILIKE 'INSERT%' LIMIT 1"
                    )
                )

        wait_until(
            lambda: waiting_query() is not None,
            timeout=60,
            what="the new case to wait inside its transaction",
        )
        # The statement it waits in (the case, debtor and invoice rows are written by then).
        result["waiting_on"] = waiting_query().split("(")[0].strip()
        server.restart("immediate")  # a crash: every backend killed, recovery at start
        thread.join(timeout=60)
        holder.invalidate()
        result["in_flight"] = in_flight.get("status")

        result["next_page"] = client.get("/creancier/dossiers").status_code
        with app.app_context():

            def counts() -> dict:
                db.session.expire_all()
                models = {"case": Case, "debtor": Debtor, "invoice": Invoice, "document": Document}
                found = {
                    name: db.session.scalar(sa.select(sa.func.count(model.id)))
                    for name, model in models.items()
                }
                found["timeline"] = db.session.scalar(
                    sa.select(sa.func.count(TimelineEntry.id)).where(
                        TimelineEntry.kind == "submitted"
                    )
                )
                found["audit"] = db.session.scalar(
                    sa.select(sa.func.count(AuditEvent.id)).where(
                        AuditEvent.action == "case.submitted"
                    )
                )
                found["files"] = sum(1 for p in uploads.rglob("*") if p.is_file())
                return found

            result["after_crash"] = counts()
            db.session.remove()
        again = client.post(
            "/creancier/dossiers/nouveau",
            data=new_case_form(),
            content_type="multipart/form-data",
        )
        result["again"] = again.status_code
        with app.app_context():
            result["after_again"] = counts()
            db.session.remove()
            db.engine.dispose()
    finally:
        server.close()
    return result


if __name__ == "__main__":
    print(json.dumps(main()))
    sys.stdout.flush()
