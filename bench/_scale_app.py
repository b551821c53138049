"""The app as gunicorn serves it for bench/scale.py, plus two reference routes.

Configured from the environment the benchmark sets (BENCH_DATABASE_URL, BENCH_UPLOAD_DIR).
"""

from __future__ import annotations

import os

import sqlalchemy as sa

from app import create_app
from app.extensions import db

app = create_app(
    {
        "SECRET_KEY": "bench-secret-key",
        "SQLALCHEMY_DATABASE_URI": os.environ["BENCH_DATABASE_URL"],
        "UPLOAD_DIR": os.environ["BENCH_UPLOAD_DIR"],
        "REDIS_URL": None,
        "RATELIMIT_STORAGE_URI": "memory://",
        "LETTER_PDF": False,
    }
)

# One hand-written query answering what the work queue shows: the agent's first 25 open cases,
# soonest next action first, with the debtor's name (the database's floor for that page).
QUEUE_SQL = sa.text(
    """
    SELECT c.id, c.reference, c.stage, c.next_action_on, c.claim_cents, d.name
    FROM case_file c JOIN debtor d ON d.id = c.debtor_id
    WHERE c.stage IN ('intake', 'amicable', 'judicial', 'insolvency')
      AND c.assigned_agent_id = :agent
    ORDER BY c.next_action_on NULLS LAST, c.claim_cents DESC, c.id
    LIMIT 25
    """
)


@app.route("/bench/bare")
def bare():
    """The floor of gunicorn, Flask and wrk: a route doing nothing."""
    return "ok"


@app.route("/bench/sql")
def one_query():
    """The floor of one page's data: one hand-written SQL query, rows joined into text."""
    rows = db.session.execute(QUEUE_SQL, {"agent": 2}).all()
    return "\n".join(f"{r.reference} {r.name} {r.claim_cents}" for r in rows)
