"""Soak test: mixed traffic for a bounded time against PostgreSQL + Redis, then the checks.

    .venv/bin/python bench/soak.py [--minutes 30] [--warmup-minutes 5]      (or `make soak`)

Loopback only: the app (gunicorn, 2 workers), an RQ worker and the scheduler listen on or talk
to 127.0.0.1. It drops and creates the database `SOAK_DATABASE_URL` (default
postgresql+psycopg://postgres@127.0.0.1/recouvra_soak) and flushes the Redis database
`SOAK_REDIS_URL` (default redis://127.0.0.1:6379/13), seeds the demo portfolio, then runs:
agents (queue, case pages, calls logged), creditors (dashboard, case list and pages, small CSV
imports through the upload, mapping and report pages), debtors (their page after the check,
its sub-pages), signed Stripe webhooks (a card payment on an open case) and the cadence
(enqueued every `--cadence-seconds`, each run one day later, so every run has steps to do).

At the end: `flask ledger verify` passes; every job enqueued finished, or is still scheduled
(accounted for), none failed and none vanished; the RSS of each process has not grown by more
than 10 % between the end of the warm-up and the end; no response was a 5xx or a connection
error. Prints a summary, records it in bench/RESULTS.md, exits 1 on a failure.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import date, timedelta
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import requests

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import _results  # noqa: E402

PYTHON = str(ROOT / ".venv" / "bin" / "python")
GROWTH_LIMIT = 0.10
WEBHOOK_SECRET = "whsec_soak"  # noqa: S105 - a local test secret
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


# --- Forms in pages -------------------------------------------------------------------------


class _Forms(HTMLParser):
    """Every <form>: its action, method and default fields (inputs, the selected option or the
    first of each select, textareas)."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append({"action": a.get("action") or "", "fields": {}, "selects": {}})
        elif not self.forms:
            return
        fields = self.forms[-1]["fields"] if self.forms else None
        if tag == "input" and a.get("name"):
            kind = (a.get("type") or "text").lower()
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind in ("submit", "file", "button"):
                return
            fields[a["name"]] = a.get("value") or ""
        elif tag == "select" and a.get("name"):
            self._select = a["name"]
            self.forms[-1]["selects"][self._select] = []
        elif tag == "option" and self._select:
            value = a.get("value", "")
            self.forms[-1]["selects"][self._select].append(value)
            if "selected" in a or self._select not in fields:
                fields[self._select] = value
        elif tag == "textarea" and a.get("name"):
            self._textarea = a["name"]
            fields[self._textarea] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def forms_of(html: str) -> list[dict]:
    parser = _Forms()
    parser.feed(html)
    return parser.forms


# --- Traffic --------------------------------------------------------------------------------


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.requests: Counter = Counter()
        self.errors: Counter = Counter()
        self.samples: list[str] = []
        self.latencies: list[float] = []
        self.actions: Counter = Counter()

    def did(self, action: str, response) -> None:
        if response is not None and response.status_code < 400:
            with self.lock:
                self.actions[action] += 1

    def hit(self, kind: str, status: int | None, seconds: float, url: str) -> None:
        with self.lock:
            self.requests[kind] += 1
            self.latencies.append(seconds)
            if status is None or status >= 500:
                self.errors[kind] += 1
                if len(self.samples) < 20:
                    self.samples.append(f"{kind} {status} {url}")


class Client:
    """One browser: a requests session whose every response is counted."""

    def __init__(self, base: str, stats: Stats, kind: str):
        self.base, self.stats, self.kind = base, stats, kind
        self.http = requests.Session()

    def request(self, method: str, path: str, **kwargs) -> requests.Response | None:
        url = path if path.startswith("http") else self.base + path
        started = time.perf_counter()
        try:
            response = self.http.request(method, url, timeout=60, **kwargs)
        except requests.RequestException:
            self.stats.hit(self.kind, None, time.perf_counter() - started, url)
            return None
        self.stats.hit(self.kind, response.status_code, time.perf_counter() - started, url)
        return response

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path, **kwargs):
        return self.request("POST", path, **kwargs)

    def submit(self, page: requests.Response, pattern: str, values: dict, files=None):
        """Post the page's form whose target (its action, or the page itself) matches."""
        here = urlsplit(page.url).path
        for form in forms_of(page.text):
            target = form["action"] or here
            if re.search(pattern, target):
                return self.post(target, data={**form["fields"], **values}, files=files)
        return None

    def login(self, email: str, password: str) -> bool:
        page = self.get("/connexion")
        if page is None:
            return False
        response = self.submit(page, r"/connexion$", {"email": email, "password": password})
        return response is not None and "/connexion" not in urlsplit(response.url).path


def links_in(html: str, prefix: str) -> list[str]:
    return sorted(set(re.findall(rf'href="({re.escape(prefix)}[^"#?]+)"', html)))


def agent_loop(client: Client, stop: threading.Event, rng: random.Random) -> None:
    while not stop.is_set():
        queue = client.get("/agence/")
        listing = client.get(f"/agence/dossiers?page={rng.randint(1, 3)}")
        cases = links_in(
            (queue.text if queue else "") + (listing.text if listing else ""), "/agence/dossiers/"
        )
        cases = [c for c in cases if c.count("/") == 3 and not c.endswith("nouveau")]
        if cases:
            page = client.get(rng.choice(cases))
            if page is not None and page.status_code == 200 and rng.random() < 0.5:
                values = {
                    "phone_number": "01 42 00 00 00",
                    "duration": str(rng.randint(1, 20)),
                    "notes": f"Appel de test de charge {rng.random():.6f}",
                }
                client.stats.did("calls logged", client.submit(page, r"/appels$", values))
        stop.wait(rng.uniform(0.5, 2.0))


def creditor_loop(client: Client, stop: threading.Event, rng: random.Random, who: int) -> None:
    serial = 0
    while not stop.is_set():
        client.get("/creancier/")
        listing = client.get("/creancier/dossiers")
        cases = links_in(listing.text if listing else "", "/creancier/dossiers/")
        cases = [c for c in cases if c.count("/") == 3 and not c.endswith("nouveau")]
        for path in rng.sample(cases, min(2, len(cases))):
            client.get(path)
        if rng.random() < 0.15:
            serial += 1
            _import(client, rng, f"S{who}-{serial}-{rng.randrange(10**6)}")
        stop.wait(rng.uniform(1.0, 3.0))


def _import(client: Client, rng: random.Random, tag: str) -> None:
    today = date.today()
    rows = [
        "Client,Type,SIREN,Email,Code postal,Ville,Numéro de facture,Date facture,Échéance,"
        "Montant TTC"
    ]
    for n in range(rng.randint(1, 3)):
        issued = today - timedelta(days=rng.randint(60, 200))
        rows.append(
            f"Client Soak {tag}-{n},entreprise,732829320,soak{n}@example.com,69001,Lyon,"
            f"FS-{tag}-{n},{issued},{issued + timedelta(days=30)},{rng.randint(100, 5000)}.00"
        )
    page = client.get("/creancier/import")
    if page is None or page.status_code != 200:
        return
    data = "\n".join(rows).encode()
    mapping = client.submit(
        page, r"/creancier/import$", {}, files={"file": (f"{tag}.csv", data, "text/csv")}
    )
    if mapping is None or "/colonnes" not in mapping.url:
        return
    report = client.submit(mapping, r"/colonnes$", {})
    if report is None or report.status_code != 200:
        return
    client.stats.did("imports started", client.submit(report, r"/lancer$", {}))


def debtor_loop(base: str, stats: Stats, pages, stop: threading.Event, rng: random.Random):
    while not stop.is_set():
        link = rng.choice(pages)
        client = Client(base, stats, "debtor")  # a new phone each time: the check first
        check = client.get(f"/p/{link['token']}")
        if check is not None and check.status_code == 200:
            answer = {"answer": link["answer"]}
            client.stats.did(
                "debtor checks", client.submit(check, rf"^/p/{link['token']}$", answer)
            )
            for _ in range(rng.randint(1, 4)):
                sub = rng.choice(["", "/preferences", "/rappel", "/echeancier", "/contestation"])
                client.get(f"/p/{link['token']}{sub}")
                stop.wait(rng.uniform(0.3, 1.0))
        stop.wait(rng.uniform(0.5, 2.0))


def webhook_loop(base, stats, case_ids, stop: threading.Event, rng: random.Random, sent: Counter):
    client = Client(base, stats, "webhook")
    serial = 0
    while not stop.is_set():
        serial += 1
        intent = f"pi_soak_{os.getpid()}_{serial}"
        event = {
            "id": f"evt_soak_{os.getpid()}_{serial}",
            "object": "event",
            "type": "payment_intent.succeeded",
            "created": int(time.time()),
            "data": {
                "object": {
                    "id": intent,
                    "object": "payment_intent",
                    "amount": (amount := rng.randint(100, 5_000)),
                    "amount_received": amount,
                    "currency": "eur",
                    "metadata": {"case_id": str(rng.choice(case_ids))},
                }
            },
        }
        body = json.dumps(event).encode()
        stamp = int(time.time())
        signature = hmac.new(
            WEBHOOK_SECRET.encode(), f"{stamp}.".encode() + body, hashlib.sha256
        ).hexdigest()
        headers = {
            "Stripe-Signature": f"t={stamp},v1={signature}",
            "Content-Type": "application/json",
        }
        response = client.post("/stripe/webhook", data=body, headers=headers)
        if response is not None and response.status_code == 200:
            sent["webhooks"] += 1
            if rng.random() < 0.2:  # Stripe delivers some events twice
                client.post("/stripe/webhook", data=body, headers=headers)
        stop.wait(rng.uniform(2.0, 6.0))


# --- Processes ------------------------------------------------------------------------------


def _rng(parent: random.Random) -> random.Random:
    return random.Random(parent.random())  # noqa: S311 - traffic, not secrets


def rss_kib(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def measured(processes: dict[str, subprocess.Popen]) -> dict[str, tuple[int, int]]:
    """name -> (pid, RSS KiB) for every long-lived process: gunicorn's master and workers, the
    RQ worker (not its short-lived work horses) and the scheduler."""
    out = {}
    for name, process in processes.items():
        out[name] = (process.pid, rss_kib(process.pid) or 0)
        if name == "gunicorn":
            for n, child in enumerate(sorted(children(process.pid)), 1):
                out[f"gunicorn worker {n}"] = (child, rss_kib(child) or 0)
    return out


def check_loopback(database_url: str, redis_url: str) -> None:
    for url in (database_url, redis_url):
        host = urlsplit(url.replace("+psycopg", "")).hostname
        if host not in LOOPBACK:
            raise SystemExit(f"soak runs on loopback only: {url}")


def reset_database(database_url: str) -> None:
    import psycopg

    parts = urlsplit(database_url.replace("postgresql+psycopg", "postgresql"))
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=30)
    parser.add_argument("--warmup-minutes", type=float, default=None, help="default: 1/6 of it")
    parser.add_argument("--cadence-seconds", type=float, default=120)
    parser.add_argument("--port", type=int, default=5230)
    parser.add_argument("--agents", type=int, default=3)
    parser.add_argument("--creditors", type=int, default=3)
    parser.add_argument("--debtors", type=int, default=3)
    parser.add_argument("--seed", type=int, default=10)
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--results", type=Path, default=None)
    args = parser.parse_args(argv)
    warmup = args.warmup_minutes if args.warmup_minutes is not None else args.minutes / 6
    database_url = os.environ.get(
        "SOAK_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1/recouvra_soak"
    )
    redis_url = os.environ.get("SOAK_REDIS_URL", "redis://127.0.0.1:6379/13")
    check_loopback(database_url, redis_url)

    import redis
    from rq import Queue
    from rq.job import Job

    connection = redis.Redis.from_url(redis_url)
    connection.flushdb()  # this Redis database only
    reset_database(database_url)
    work = Path(tempfile.mkdtemp(prefix="recouvra-soak-"))
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "SECRET_KEY": "soak-" + os.urandom(8).hex(),
        "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "INSTANCE_DIR": str(work),
        "UPLOAD_DIR": str(work / "uploads"),
        "LETTER_PDF": "0",  # LibreOffice on a loaded 2-core machine would be the whole test
        "LOGIN_RATE_LIMIT": "100000 per minute",  # every client comes from 127.0.0.1
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{args.port}",
        "PYTHONPATH": str(ROOT),
    }
    print(f"soak: {args.minutes:g} min ({warmup:g} warm-up), database {database_url}, {work}")
    setup = subprocess.run(  # noqa: S603
        [PYTHON, str(ROOT / "bench" / "_soak_proc.py"), "setup", "30"],
        env=env,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    if setup.returncode:
        print(setup.stderr[-3000:])
        return 1
    seed = json.loads([line for line in setup.stdout.splitlines() if line.startswith("{")][-1])
    logs = {name: open(work / f"{name}.log", "w") for name in ("gunicorn", "worker", "scheduler")}  # noqa: SIM115
    commands = {
        "gunicorn": [
            PYTHON,
            "-m",
            "gunicorn",
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{args.port}",
            "--timeout",
            "120",
            "bench._soak_proc:app",
        ],
        "worker": [PYTHON, str(ROOT / "bench" / "_soak_proc.py"), "worker"],
        "scheduler": [PYTHON, str(ROOT / "bench" / "_soak_proc.py"), "scheduler"],
    }
    processes = {
        name: subprocess.Popen(  # noqa: S603 - our own fixed commands
            command, env=env, cwd=ROOT, stdout=logs[name], stderr=subprocess.STDOUT
        )
        for name, command in commands.items()
    }
    base = f"http://127.0.0.1:{args.port}"
    stats, sent = Stats(), Counter()
    stop = threading.Event()
    failures: list[str] = []
    try:
        for _ in range(300):
            try:
                requests.get(f"{base}/connexion", timeout=2)
                break
            except requests.RequestException:
                time.sleep(0.2)
        rng = random.Random(args.seed)  # noqa: S311 - traffic, not secrets
        threads = []
        for n in range(args.agents):
            client = Client(base, stats, "agent")
            if not client.login(seed["agents"][n % len(seed["agents"])], seed["password"]):
                failures.append(f"agent {n} could not log in")
            threads.append(threading.Thread(target=agent_loop, args=(client, stop, _rng(rng))))
        for n in range(args.creditors):
            client = Client(base, stats, "creditor")
            if not client.login(seed["creditors"][n % len(seed["creditors"])], seed["password"]):
                failures.append(f"creditor {n} could not log in")
            threads.append(
                threading.Thread(target=creditor_loop, args=(client, stop, _rng(rng), n))
            )
        for _ in range(args.debtors):
            threads.append(
                threading.Thread(
                    target=debtor_loop,
                    args=(base, stats, seed["pages"], stop, _rng(rng)),
                )
            )
        threads.append(
            threading.Thread(
                target=webhook_loop,
                args=(base, stats, seed["case_ids"], stop, _rng(rng), sent),
            )
        )
        for thread in threads:
            thread.start()
        started = time.monotonic()
        warm_end, end = started + warmup * 60, started + args.minutes * 60
        next_cadence, next_report, day = started, started, date.today()
        memory_warm, samples = None, []
        cadence_queue = Queue("default", connection=connection)
        while time.monotonic() < end:
            now = time.monotonic()
            if now >= next_cadence:
                job = cadence_queue.enqueue(
                    "app.jobs.tasks.run_cadence", day.isoformat(), True, job_timeout=3600
                )
                connection.sadd("soak:enqueued", job.id)
                sent["cadence runs"] += 1
                day += timedelta(days=1)
                next_cadence = now + args.cadence_seconds
            if memory_warm is None and now >= warm_end:
                memory_warm = measured(processes)
            if now >= next_report:
                next_report = now + 60
                samples.append(measured(processes))
                done = sum(stats.requests.values())
                print(
                    f"  {int((now - started) / 60):>3} min: {done} requests, "
                    f"{sum(stats.errors.values())} errors, jobs "
                    f"{connection.scard('soak:enqueued')} enqueued / "
                    f"{connection.scard('soak:finished')} finished",
                    flush=True,
                )
            exited = [name for name, process in processes.items() if process.poll() is not None]
            if exited:
                failures.extend(f"{name} exited early" for name in exited)
                break
            time.sleep(1)
        memory_end = measured(processes)
        stop.set()
        for thread in threads:
            thread.join(timeout=120)
        # Drain: every queue empty and nothing running (scheduled jobs may stay: accounted for).
        queues = [Queue(name, connection=connection) for name in ("default", "letters", "mail")]
        drain_started = time.monotonic()
        while time.monotonic() - drain_started < 600:
            busy = sum(q.count + q.started_job_registry.count for q in queues)
            if not busy:
                break
            time.sleep(2)
        drained = time.monotonic() - drain_started
        enqueued = {m.decode() for m in connection.smembers("soak:enqueued")}
        finished = {m.decode() for m in connection.smembers("soak:finished")}
        failed, waiting, lost = [], [], []
        for job_id in sorted(enqueued - finished):
            try:
                status = Job.fetch(job_id, connection=connection).get_status()
            except Exception:  # noqa: BLE001 - rq raises NoSuchJobError, a vanished job
                lost.append(job_id)
                continue
            status = getattr(status, "value", status)
            if status == "finished":
                finished.add(job_id)
            elif status in ("failed", "stopped", "canceled"):
                failed.append(job_id)
            else:
                waiting.append(f"{job_id} ({status})")
    finally:
        stop.set()
        for process in processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in processes.values():
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
        for log in logs.values():
            log.close()

    verify = subprocess.run(  # noqa: S603
        [PYTHON, "-m", "flask", "--app", "wsgi", "ledger", "verify"],
        env=env,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    pending = _pending_jobs(env)

    growth = {}
    for name, (pid, kib) in (memory_warm or {}).items():
        end_pid, end_kib = memory_end.get(name, (None, 0))
        if end_pid != pid:
            failures.append(f"{name} was restarted (pid {pid} -> {end_pid})")
            continue
        growth[name] = (kib, end_kib, (end_kib - kib) / kib if kib else 0.0)
        if kib and (end_kib - kib) / kib > GROWTH_LIMIT:
            failures.append(f"{name} RSS grew {(end_kib - kib) / kib:.1%} ({kib} -> {end_kib} KiB)")
    if memory_warm is None:
        failures.append("the run ended before the warm-up did")
    if verify.returncode:
        failures.append("ledger verify failed: " + (verify.stderr or verify.stdout).strip()[-500:])
    if lost:
        failures.append(f"{len(lost)} job(s) lost: {', '.join(lost[:5])}")
    if failed:
        failures.append(f"{len(failed)} job(s) failed: {', '.join(failed[:5])}")
    if pending:
        failures.append(f"{pending} job(s) still kept in the database (PendingJob)")
    errors = sum(stats.errors.values())
    if errors:
        failures.append(f"{errors} response(s) 5xx or connection errors: {stats.samples[:5]}")

    total = sum(stats.requests.values())
    latencies = sorted(stats.latencies) or [0.0]
    p95 = latencies[int(len(latencies) * 0.95) - 1 if len(latencies) > 1 else 0]
    print("")
    print(f"requests: {total} ({dict(stats.requests)}), errors {dict(stats.errors)}")
    print(
        f"latency: median {latencies[len(latencies) // 2] * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms"
    )
    print(f"sent: {dict(sent)}, actions: {dict(stats.actions)}")
    print(
        f"jobs: {len(enqueued)} enqueued, {len(finished & enqueued)} finished, "
        f"{len(waiting)} still scheduled, {len(failed)} failed, {len(lost)} lost "
        f"(drained in {drained:.0f} s)"
    )
    print(f"ledger: {(verify.stdout or verify.stderr).strip()}")
    for name, (before, after, ratio) in growth.items():
        print(f"RSS {name:>18}: {before / 1024:.1f} MiB -> {after / 1024:.1f} MiB ({ratio:+.1%})")
    print("RESULT: " + ("PASS" if not failures else "FAIL"))
    for failure in failures:
        print(f"  - {failure}")
    print(f"logs: {work}")

    if not args.no_write:
        worst = max(growth.items(), key=lambda item: item[1][2]) if growth else ("-", (0, 0, 0.0))
        rows = [
            _results.Row(
                figure=f"Soak test, {args.minutes:g} min mixed traffic (PostgreSQL + Redis)",
                value=(
                    f"{total} requests, {errors} errors, {len(enqueued)} jobs "
                    f"({len(lost)} lost, {len(failed)} failed), ledger "
                    f"{'ok' if not verify.returncode else 'FAILED'}, largest RSS growth "
                    f"{worst[1][2]:+.1%} ({worst[0]})"
                ),
                target="ledger verifies, no job lost, RSS growth ≤ 10 % per process, no 5xx",
                reference=f"p95 latency {p95 * 1000:.0f} ms, median "
                f"{latencies[len(latencies) // 2] * 1000:.0f} ms",
                verdict="met" if not failures else "missed",
            )
        ]
        note = (
            f"{args.minutes:g} min ({warmup:g} warm-up), {args.agents} agents, {args.creditors} "
            f"creditors, {args.debtors} debtors, 1 webhook sender; {dict(stats.requests)}; "
            f"{dict(sent)}; {dict(stats.actions)}; RSS "
            + ", ".join(
                f"{n} {b / 1024:.0f}->{a / 1024:.0f} MiB" for n, (b, a, _) in growth.items()
            )
            + (f"; failures: {'; '.join(failures)}" if failures else "")
        )
        path = _results.record("soak", rows, note, path=args.results or _results.RESULTS)
        print(f"written: {path}")
    return 1 if failures else 0


def _pending_jobs(env: dict) -> int:
    code = (
        "import sqlalchemy as sa\n"
        "from app import create_app\n"
        "from app.extensions import db\n"
        "from app.models import PendingJob\n"
        "with create_app().app_context():\n"
        "    print(db.session.scalar(sa.select(sa.func.count(PendingJob.id))))\n"
    )
    out = subprocess.run(  # noqa: S603
        [PYTHON, "-c", code], env=env, capture_output=True, text=True, cwd=ROOT
    )
    try:
        return int(out.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return 0


if __name__ == "__main__":
    sys.exit(main())
