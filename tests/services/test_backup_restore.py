"""Backup and restore, as README "Backup and restore" says: `pg_dump --format=custom` of the
database and a tar of the uploads folder, restored into an empty database and folder; the
restored books verify, every table has its rows, every document its file, and the audit log is
still append-only.

Needs PostgreSQL (and its client tools pg_dump/pg_restore, of the server's major version).
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import tarfile

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import scoped_session, sessionmaker

from app.extensions import db
from app.integrations import storage
from app.models import AuditEvent, Document, LedgerEntry, Payment
from app.services import claims, letters, payments
from app.services import ledger as books

pytestmark = [
    pytest.mark.needs_server,
    pytest.mark.skipif(
        not (shutil.which("pg_dump") and shutil.which("pg_restore")),
        reason="pg_dump and pg_restore are not installed",
    ),
]


def _libpq_url(url: sa.URL) -> str:
    """What pg_dump/pg_restore take: the same URL without SQLAlchemy's driver name."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def _run(*command: str) -> None:
    done = subprocess.run(  # noqa: S603 (fixed commands of our own)
        command, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr


@pytest.fixture
def empty_database(app):
    """An empty database next to the test one, dropped afterwards."""
    source = db.engine.url
    name = f"{source.database}_restore"
    admin = sa.create_engine(source, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    restored = sa.create_engine(source.set(database=name), poolclass=sa.pool.NullPool)
    yield restored
    restored.dispose()
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _row_counts(connection) -> dict[str, int]:
    return {
        table.name: connection.scalar(sa.select(sa.func.count()).select_from(table))
        for table in db.metadata.sorted_tables
    }


def test_a_dump_restored_into_an_empty_database_has_the_same_books_and_files(
    app, people, amicable_case, today, tmp_path, empty_database, monkeypatch
):
    for amount, method in ((30_000, "transfer"), (12_345, "cheque"), (5_000, "cash")):
        payments.record_payment(
            people.agent,
            amicable_case,
            amount_cents=amount,
            received_on=today,
            method=method,
            today=today,
        )
    cheque = db.session.scalar(sa.select(Payment).where(Payment.method == "cheque"))
    payments.reverse_payment(people.agent, cheque, reason="bounced_cheque", today=today)
    letters.generate_letter(people.agent, amicable_case, "relance_amiable", letter_date=today)
    paid = claims.case_balance(amicable_case, today).paid_cents
    assert paid == 35_000 and books.verify() == []
    with db.engine.connect() as connection:
        counts = _row_counts(connection)
    assert counts["payment"] == 3 and counts["document"] >= 1

    # The backup: one custom-format dump and one archive of the uploads folder.
    dump, archive = tmp_path / "recouvra.dump", tmp_path / "uploads.tar.gz"
    _run("pg_dump", "--format=custom", "--no-owner", f"--file={dump}", _libpq_url(db.engine.url))
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(app.config["UPLOAD_DIR"], arcname="uploads")

    # The restore, into an empty database and an empty folder.
    _run(
        "pg_restore",
        "--no-owner",
        "--exit-on-error",
        "--single-transaction",
        f"--dbname={_libpq_url(empty_database.url)}",
        str(dump),
    )
    restored_root = tmp_path / "restored"
    with tarfile.open(archive) as tar:
        tar.extractall(restored_root, filter="data")

    with empty_database.connect() as connection:
        assert _row_counts(connection) == counts
    # The app's own checks, run on the restored database and folder.
    restored = scoped_session(sessionmaker(bind=empty_database))
    monkeypatch.setattr(db, "session", restored)
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(restored_root / "uploads"))
    try:
        assert books.verify() == []
        case = restored.get(type(amicable_case), amicable_case.id)
        assert claims.case_balance(case, today).paid_cents == paid
        assert restored.scalar(sa.select(sa.func.count(LedgerEntry.id))) == counts["ledger_entry"]
        for document in restored.scalars(sa.select(Document)):
            data = storage.read(document.storage_key)
            assert hashlib.sha256(data).hexdigest() == document.sha256, document.original_name
        # The audit log's append-only triggers came back with it.
        with pytest.raises(sa.exc.DBAPIError):
            restored.execute(sa.update(AuditEvent).values(action="tampered"))
        restored.rollback()
    finally:
        restored.remove()


def test_the_restore_procedure_refuses_a_database_that_is_not_empty(
    app, amicable_case, tmp_path, empty_database
):
    """--exit-on-error with --single-transaction: restoring over an existing schema fails as a
    whole instead of mixing two databases."""
    dump = tmp_path / "recouvra.dump"
    _run("pg_dump", "--format=custom", "--no-owner", f"--file={dump}", _libpq_url(db.engine.url))
    command = ["pg_restore", "--no-owner", "--exit-on-error", "--single-transaction"]
    target = f"--dbname={_libpq_url(empty_database.url)}"
    _run(*command, target, str(dump))
    again = subprocess.run(  # noqa: S603 (a fixed command of our own)
        [*command, target, str(dump)], capture_output=True, text=True, timeout=120, check=False
    )
    assert again.returncode != 0
    with empty_database.connect() as connection:
        assert connection.scalar(sa.text("SELECT count(*) FROM case_file")) == 1
