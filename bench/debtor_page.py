"""Benchmark: the debtor's page for one case under 50 concurrent clients (wrk against gunicorn,
2 workers, loopback), next to a bare Flask route on the same server.

Targets (debtor page issue): p95 under 50 ms, and at least 40 % of the bare route's requests/s.
Needs `wrk` (Debian package). The data is one case with three invoices and two payments in a
SQLite file (or BENCH_DATABASE_URL), the page opened after its check, as a debtor's phone does.

    .venv/bin/python bench/debtor_page.py [--seconds 10] [--connections 50]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import _results  # noqa: E402

P95_TARGET_MS = 50.0
SHARE_TARGET = 0.40
LUA = """
done = function(summary, latency, requests)
  io.write(string.format("RESULT %f %f %f %d %d\\n", latency:percentile(50) / 1000,
    latency:percentile(95) / 1000, summary.requests / (summary.duration / 1e6),
    summary.errors.status, summary.requests))
end
"""


def prepare(database_url: str, upload_dir: str) -> tuple[str, str]:
    """Schema, one case with rates to date, a link; returns (page path, session cookie)."""
    os.environ["BENCH_DATABASE_URL"] = database_url
    os.environ["BENCH_UPLOAD_DIR"] = upload_dir
    from app.domain import interest
    from app.extensions import db
    from app.services import casework, debtor_access, payments, rates
    from bench._debtor_app import app
    from tests import factories

    with app.app_context():
        db.drop_all()
        db.create_all()
        rates.seed_published_rates()
        for kind, bp in (
            (interest.ECB, 215),
            (interest.LEGAL_INDIVIDUAL, 662),
            (interest.LEGAL_OTHER, 287),
        ):
            rates.add_rate(None, kind, date(2026, 7, 1), bp, "Bench")
        people = factories.personas()
        today = date.today()
        case = factories.make_case(
            people.creditor_user,
            invoices=[
                factories.invoice(
                    f"F-{n}", 90_000 + n * 1_000, issued=date(2026, 5 + n, 1), days=30
                )
                for n in range(3)
            ],
            today=today,
        )
        casework.accept_case(people.agent, case, today=today)
        for amount, day in ((20_000, date(2026, 9, 1)), (15_000, date(2026, 10, 1))):
            payments.record_payment(
                people.agent,
                case,
                amount_cents=amount,
                received_on=day,
                method="transfer",
                today=today,
            )
        token = debtor_access.create_link(people.agent, case)
        app.config["WTF_CSRF_ENABLED"] = False
        client = app.test_client()
        client.post(f"/p/{token}", data={"answer": "732829320"})
        cookie = client.get_cookie("session").value
    return f"/p/{token}", cookie


def wrk(url: str, cookie: str, seconds: int, connections: int) -> tuple[float, float, float, int]:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(LUA)
    out = subprocess.run(  # noqa: S603 - fixed arguments
        [
            shutil.which("wrk") or "/usr/bin/wrk",
            "-t2",
            f"-c{connections}",
            f"-d{seconds}s",
            "-s",
            script.name,
            "-H",
            f"Cookie: session={cookie}",
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    median, p95, rate, errors, _requests = re.search(
        r"RESULT (\S+) (\S+) (\S+) (\d+) (\d+)", out
    ).groups()
    return float(median), float(p95), float(rate), int(errors)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (apt-get install wrk)")
    work = Path(tempfile.mkdtemp(prefix="recouvra-bench-"))
    database = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{work / 'bench.sqlite'}"
    path, cookie = prepare(database, str(work / "uploads"))
    port = 5100
    server = subprocess.Popen(  # noqa: S603
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "bench._debtor_app:app",
        ],
        cwd=ROOT,
        env={
            **os.environ,
            "BENCH_DATABASE_URL": database,
            "BENCH_UPLOAD_DIR": str(work / "uploads"),
        },
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/bench/bare", timeout=1).close()  # noqa: S310
                break
            except OSError:
                time.sleep(0.1)
        wrk(f"{base}{path}", cookie, 2, args.connections)  # warm-up
        page = wrk(f"{base}{path}", cookie, args.seconds, args.connections)
        bare = wrk(f"{base}/bench/bare", cookie, args.seconds, args.connections)
    finally:
        server.terminate()
        server.wait(timeout=10)
    share = page[2] / bare[2]
    print(
        f"debtor page: median {page[0]:.1f} ms, p95 {page[1]:.1f} ms, {page[2]:.0f} req/s, "
        f"{page[3]} errors"
    )
    print(f"bare route:  median {bare[0]:.1f} ms, p95 {bare[1]:.1f} ms, {bare[2]:.0f} req/s")
    print(f"share of bare: {share:.0%}")
    if args.no_write:
        return 0
    met = page[1] < P95_TARGET_MS and share >= SHARE_TARGET and page[3] == 0
    rows = [
        _results.Row(
            figure=f"Debtor page, {args.connections} concurrent clients (gunicorn 2 workers)",
            value=f"p95 {page[1]:.1f} ms, median {page[0]:.1f} ms, {page[2]:.0f} req/s "
            f"({share:.0%} of bare)",
            target=f"p95 < {P95_TARGET_MS:g} ms, ≥ {SHARE_TARGET:.0%} of bare req/s",
            reference=f"bare Flask route: p95 {bare[1]:.1f} ms, {bare[2]:.0f} req/s",
            verdict="met" if met else "missed",
        )
    ]
    note = (
        f"wrk -t2 -c{args.connections} -d{args.seconds}s on loopback, SQLite, one case with 3 "
        f"invoices and 2 payments; errors: {page[3]}."
    )
    print(f"written: {_results.record('debtor page', rows, note)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
