"""The app as gunicorn serves it for bench/debtor_page.py, plus a bare route for reference.

Configured from the environment the benchmark sets (BENCH_DATABASE_URL, BENCH_UPLOAD_DIR).
"""

from __future__ import annotations

import os

from app import create_app

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


@app.route("/bench/bare")
def bare():
    """The floor: a Flask route doing nothing, on the same server and workers."""
    return "ok"
