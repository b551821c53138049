"""Benchmark: importing a creditor's file of 10,000 invoice rows (read, check, import).

Issue 7's target: under 30 s for the three steps a creditor waits for. The file is synthetic
and deterministic: 2,000 debtors with 5 invoices each (French CSV: semicolons, decimal commas,
dd/mm/yyyy dates). The reference is the floor of the same work: reading the file and inserting
the same rows with one Core INSERT per table, with no rule, audit or timeline.

    .venv/bin/python bench/import_rows.py [--rows 10000] [--runs 3] [--no-write]
      (SQLite in a temporary folder by default; PostgreSQL when DATABASE_URL is set)
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import _results  # noqa: E402

TARGET_ROWS = 10_000
TARGET_SECONDS = 30.0
INVOICES_PER_DEBTOR = 5
TODAY = date(2026, 11, 23)
HEADER = (
    "Client;Type;SIREN;Email;Adresse;Code postal;Ville;Numéro de facture;Date facture;"
    "Échéance;Montant TTC;Déjà payé\n"
)


def luhn_siren(n: int) -> str:
    """A valid SIREN made from n: 8 digits and the Luhn check digit."""
    from stdnum import luhn

    body = f"{n:08d}"
    return body + luhn.calc_check_digit(body)


def build_file(rows: int) -> bytes:
    lines = [HEADER]
    for n in range(rows):
        debtor = n // INVOICES_PER_DEBTOR
        k = n % INVOICES_PER_DEBTOR
        month = 1 + (n % 9)
        euros, cents = 100 + (n * 37) % 20_000, n % 100
        lines.append(
            f"Client {debtor:05d} SARL;entreprise;{luhn_siren(10_000_000 + debtor)};"
            f"compta{debtor}@client.example;{debtor} rue du Commerce;75{debtor % 20 + 1:03d};"
            f"Paris;F{debtor:05d}-{k};01/{month:02d}/2026;28/{month:02d}/2026;"
            f"{euros // 1000} {euros % 1000:03d},{cents:02d};0\n"
        )
    return "".join(lines).encode("cp1252")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=TARGET_ROWS)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument("--results", type=Path, default=_results.RESULTS)
    args = parser.parse_args(argv)

    tmp = tempfile.mkdtemp(prefix="bench-import-")
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{tmp}/bench.sqlite"
    os.environ.pop("REDIS_URL", None)  # the job runs inline: the figure is the import's own

    import sqlalchemy as sa

    from app import create_app
    from app.domain import import_rows
    from app.extensions import db
    from app.models import Case, Debtor, Invoice, Organisation, User
    from app.services import imports

    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": url, "UPLOAD_DIR": f"{tmp}/uploads", "REDIS_URL": None}
    )
    data = build_file(args.rows)
    database = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    ours, floors, steps = [], [], []
    with app.app_context():
        db.create_all()
        for run in range(args.runs):
            creditor = Organisation(kind="creditor", legal_name=f"Bench import {run} {time.time()}")
            db.session.add(creditor)
            db.session.flush()
            user = User(
                email=f"bench-import-{run}-{time.time()}@example.test",
                full_name="Bench",
                password_hash="!",  # noqa: S106 - no hash matches it: this user never logs in
                role="creditor_admin",
                organisation=creditor,
            )
            db.session.add(user)
            db.session.commit()

            started = time.perf_counter()
            batch = imports.upload(user, "factures.csv", data)
            uploaded = time.perf_counter()
            imports.check(user, batch, dict(batch.mapping))
            checked = time.perf_counter()
            done = imports.run(batch.id, today=TODAY)
            ended = time.perf_counter()
            if done.status != "done":
                raise SystemExit(f"import failed: {done.error}")
            expected = args.rows // INVOICES_PER_DEBTOR
            if done.imported_cases != expected or done.report["valid"] != args.rows:
                raise SystemExit(f"imported {done.imported_cases} cases, expected {expected}")
            ours.append(ended - started)
            steps.append((uploaded - started, checked - uploaded, ended - checked))

            # The floor: read the file, one Core INSERT per table for the same rows.
            started = time.perf_counter()
            table = import_rows.read_file("factures.csv", data)
            records = table.records(import_rows.guess_mapping(table.columns))
            floor_creditor = Organisation(kind="creditor", legal_name=f"Floor {run} {time.time()}")
            db.session.add(floor_creditor)
            db.session.flush()
            debtor_rows = [
                {"creditor_id": floor_creditor.id, "kind": "company", "name": f"d{i}"}
                for i in range(expected)
            ]
            db.session.execute(sa.insert(Debtor), debtor_rows)
            first_debtor = db.session.scalar(
                sa.select(sa.func.min(Debtor.id)).where(Debtor.creditor_id == floor_creditor.id)
            )
            db.session.execute(
                sa.insert(Case),
                [
                    {
                        "creditor_id": floor_creditor.id,
                        "debtor_id": first_debtor + i,
                        "opened_on": TODAY,
                        "stage": "intake",
                        "claim_cents": 0,
                    }
                    for i in range(expected)
                ],
            )
            first_case = db.session.scalar(
                sa.select(sa.func.min(Case.id)).where(Case.creditor_id == floor_creditor.id)
            )
            db.session.execute(
                sa.insert(Invoice),
                [
                    {
                        "case_id": first_case + n // INVOICES_PER_DEBTOR,
                        "number": str(values["invoice_number"]),
                        "issue_date": import_rows.parse_date(values["issue_date"]),
                        "due_date": import_rows.parse_date(values["due_date"]),
                        "amount_cents": import_rows.parse_cents(values["amount"]),
                        "paid_cents": 0,
                    }
                    for n, (_line, values) in enumerate(records)
                ],
            )
            db.session.commit()
            floors.append(time.perf_counter() - started)
            print(
                f"run {run + 1}: {ours[-1]:.2f} s (upload {steps[-1][0]:.2f}, check "
                f"{steps[-1][1]:.2f}, import {steps[-1][2]:.2f}); floor {floors[-1]:.2f} s"
            )

    value, reference = _results.median(ours), _results.median(floors)
    upload_s, check_s, import_s = (_results.median([s[i] for s in steps]) for i in range(3))
    if args.rows == TARGET_ROWS:
        target = f"< {TARGET_SECONDS:g} s"
        verdict = "met" if value < TARGET_SECONDS else "missed"
    else:
        target, verdict = f"({TARGET_SECONDS:g} s is set for {TARGET_ROWS:,} rows)", "n/a"
    print(
        f"import of {args.rows:,} rows on {database}: median {value:.2f} s "
        f"(upload {upload_s:.2f}, check {check_s:.2f}, import {import_s:.2f}); "
        f"floor {reference:.2f} s; target {target}: {verdict}"
    )
    if args.no_write:
        return 0
    row = _results.Row(
        figure=f"Import of a {args.rows:,}-row invoice file ({database}): upload + check + import",
        value=f"{value:.3g} s (import step {import_s:.3g} s)",
        target=target,
        reference=f"{reference:.3g} s (read + one Core INSERT per table, no rules)",
        verdict=verdict,
    )
    note = (
        f"{args.rows:,} rows, {args.rows // INVOICES_PER_DEBTOR:,} debtors, {database}; runs "
        f"{', '.join(f'{t:.2f}' for t in ours)} s (upload {upload_s:.2f}, check {check_s:.2f}, "
        f"import {import_s:.2f}); floor runs {', '.join(f'{t:.2f}' for t in floors)} s."
    )
    path = _results.record(
        f"import_rows, {args.rows:,} rows, {database}", [row], note, args.results
    )
    print(f"written: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
