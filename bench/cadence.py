"""Benchmark: the daily cadence over 200,000 open cases on PostgreSQL: decide and enqueue.

Issue 6's target: under 60 s. The reference is one hand-written SQL query that selects the same
due steps (the floor: the database finding the work, without deciding or enqueuing anything).
The portfolio is generated with set-based INSERT ... SELECT into a database of its own, with
stage starts spread over the last 40 days, so that each day about a sixth of the cases have a
step due. Jobs go to a real Redis (database 9, flushed); no worker runs them.

    .venv/bin/python bench/cadence.py [--cases 200000] [--runs 3]
      (DATABASE_URL defaults to postgresql://postgres@127.0.0.1/recouvra_bench_cadence,
       REDIS_URL to redis://127.0.0.1:6379/9)
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from bench import _results  # noqa: E402

TARGET_SECONDS = 60.0
TODAY = date(2026, 11, 23)
DEFAULT_DB = "postgresql://postgres@127.0.0.1/recouvra_bench_cadence"
DEFAULT_REDIS = "redis://127.0.0.1:6379/9"
CREDITORS = 2_000

# The same due steps as domain.cadence.DEFAULT_AMICABLE, as SQL sees them (calls on business
# days are a refinement the query leaves out: it can only select more, never less).
DUE_STEPS_SQL = """
WITH steps(idx, step_key, offset_days) AS (
  VALUES (0, 'letter:relance_amiable', 0), (1, 'email:email_relance', 0),
         (2, 'call_task:-', 3), (3, 'letter:relance_2', 10), (4, 'call_task:-#2', 15),
         (5, 'registered_letter:mise_en_demeure', 21), (6, 'escalation:-', 30)
)
SELECT c.id, min(s.idx)
FROM case_file c
JOIN steps s ON (c.stage_changed_at AT TIME ZONE 'Europe/Paris')::date + s.offset_days <= :today
WHERE c.stage = 'amicable' AND c.hold_reason IS NULL
  AND NOT EXISTS (SELECT 1 FROM payment_plan p WHERE p.case_id = c.id AND p.status = 'active')
  AND NOT EXISTS (SELECT 1 FROM promise r WHERE r.case_id = c.id AND r.status = 'pending')
  AND NOT EXISTS (
    SELECT 1 FROM cadence_action a
    WHERE a.case_id = c.id AND a.step_key = s.step_key
      AND a.stage_started_on = (c.stage_changed_at AT TIME ZONE 'Europe/Paris')::date)
GROUP BY c.id
"""


def _prepare_database(url: str) -> None:
    """A fresh database for the bench: dropped and created again each time."""
    server = sa.create_engine(url.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")
    name = url.rsplit("/", 1)[1]
    with server.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    server.dispose()


def _generate(db, cases: int) -> float:
    """Agency, creditors, one debtor and one invoice per case, in five INSERT ... SELECT."""
    started = time.perf_counter()
    statements = [
        "INSERT INTO organisation (kind, legal_name, country, creditor_is_individual,"
        " mandate_reference, mandate_signed_on, created_at, updated_at)"
        " VALUES ('agency', 'Agence Bench', 'FR', false, NULL, NULL, now(), now())",
        "INSERT INTO organisation (kind, legal_name, country, creditor_is_individual,"
        " mandate_reference, mandate_signed_on, created_at, updated_at)"
        " SELECT 'creditor', 'Créancier ' || g, 'FR', false, 'M-' || g, DATE '2026-01-01',"
        " now(), now() FROM generate_series(1, :creditors) g",
        "INSERT INTO debtor (creditor_id, kind, name, address_line1, postal_code, city, country,"
        " created_at, updated_at)"
        " SELECT 2 + (g % :creditors), CASE WHEN g % 5 = 0 THEN 'individual' ELSE 'company' END,"
        " 'Débiteur ' || g, '1 rue du Bench', '75001', 'Paris', 'FR', now(), now()"
        " FROM generate_series(1, :cases) g",
        "INSERT INTO case_file (creditor_id, debtor_id, stage, opened_on, claim_cents, currency,"
        " stage_changed_at, created_at, updated_at, reference)"
        " SELECT d.creditor_id, d.id, 'amicable', DATE '2026-09-01', 50000 + (d.id % 900) * 100,"
        " 'EUR', TIMESTAMPTZ '2026-11-23 08:00+01' - ((d.id % 40) || ' days')::interval, now(),"
        " now(), 'REC-2026-' || lpad(d.id::text, 7, '0') FROM debtor d",
        "INSERT INTO invoice (case_id, number, issue_date, due_date, amount_cents, paid_cents,"
        " currency, disputed)"
        " SELECT c.id, 'F-' || c.id, DATE '2026-06-01', DATE '2026-07-01', c.claim_cents, 0,"
        " 'EUR', false FROM case_file c",
    ]
    for statement in statements:
        db.session.execute(sa.text(statement), {"creditors": CREDITORS, "cases": cases})
    db.session.commit()
    db.session.execute(sa.text("ANALYZE"))
    db.session.commit()
    return time.perf_counter() - started


# The steps earlier daily runs performed: every step due before today, done on its day.
HISTORY_SQL = """
INSERT INTO cadence_action (case_id, stage, stage_started_on, step_index, step_key, channel,
  template, due_on, planned_on, status, attempts, created_at)
SELECT c.id, 'amicable', started.on, s.idx, s.step_key, s.channel, s.template,
  started.on + s.offset_days, started.on + s.offset_days, 'done', 1, now()
FROM case_file c
CROSS JOIN LATERAL (SELECT (c.stage_changed_at AT TIME ZONE 'Europe/Paris')::date AS on) started
JOIN (VALUES (0, 'letter:relance_amiable', 'letter', 'relance_amiable', 0),
             (1, 'email:email_relance', 'email', 'email_relance', 0),
             (2, 'call_task:-', 'call_task', NULL, 3), (3, 'letter:relance_2', 'letter',
              'relance_2', 10), (4, 'call_task:-#2', 'call_task', NULL, 15),
             (5, 'registered_letter:mise_en_demeure', 'registered_letter', 'mise_en_demeure',
              21), (6, 'escalation:-', 'escalation', NULL, 30))
  AS s(idx, step_key, channel, template, offset_days)
  ON started.on + s.offset_days < :today
"""


def _reset_day(db, redis) -> None:
    """Back to the morning: yesterday's history in place, nothing decided today."""
    for table in ("cadence_action", "cadence_run", "agent_task", "timeline_entry"):
        db.session.execute(sa.text(f"DELETE FROM {table}"))  # noqa: S608 (our own names)
    db.session.execute(sa.text(HISTORY_SQL), {"today": TODAY})
    db.session.commit()
    redis.flushdb(asynchronous=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument("--results", type=Path, default=_results.RESULTS)
    args = parser.parse_args(argv)
    url = os.environ.get("BENCH_CADENCE_DATABASE_URL", DEFAULT_DB)
    redis_url = os.environ.get("BENCH_CADENCE_REDIS_URL", DEFAULT_REDIS)
    _prepare_database(url)
    os.environ["DATABASE_URL"], os.environ["REDIS_URL"] = url, redis_url

    from app import create_app
    from app.extensions import db
    from app.jobs import redis_connection
    from app.services import cadence

    app = create_app({"LETTER_PDF": False})
    with app.app_context():
        db.create_all()
        generated = _generate(db, args.cases)
        redis = redis_connection()
        ours, theirs, decided = [], [], []
        for _ in range(args.runs):
            _reset_day(db, redis)
            started = time.perf_counter()
            rows = db.session.execute(sa.text(DUE_STEPS_SQL), {"today": TODAY}).all()
            theirs.append(time.perf_counter() - started)
            db.session.rollback()
            started = time.perf_counter()
            run = cadence.daily_run(TODAY)
            ours.append(time.perf_counter() - started)
            decided.append(run.counts)
        jobs = sum(redis.llen(f"rq:queue:{name}") for name in ("default", "letters", "mail"))
    value, reference = _results.median(ours), _results.median(theirs)
    counts = decided[-1]
    verdict = "met" if value < TARGET_SECONDS else "missed"
    print(
        f"daily run over {args.cases:,} open cases: {value:.1f} s (SQL floor {reference:.2f} s);"
        f" {counts['acted']:,} actions, {jobs:,} jobs, {len(rows):,} cases due by the query"
    )
    rows_out = [
        _results.Row(
            f"daily cadence, {args.cases:,} open cases (decide + enqueue)",
            f"{value:.1f} s",
            f"< {TARGET_SECONDS:.0f} s",
            f"{reference:.2f} s (one SQL query selecting the same due cases)",
            verdict,
        )
    ]
    note = (
        f"{args.cases:,} cases generated in {generated:.1f} s; each run decided "
        f"{counts['acted']:,} actions for {counts['cases']:,} cases and queued {jobs:,} jobs "
        f"(the query found {len(rows):,} cases with a step due); runs "
        + ", ".join(f"{t:.1f}" for t in ours)
        + f" s; {_results.now()}"
    )
    if not args.no_write:
        path = _results.record(f"cadence, {args.cases:,}", rows_out, note, path=args.results)
        print(f"written to {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
