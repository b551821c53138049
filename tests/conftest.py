"""Test fixtures: one app and schema per session, tables emptied after each test.

Without DATABASE_URL / REDIS_URL the suite runs on a temporary SQLite file and fakeredis;
CI sets both to real PostgreSQL and Redis. Jobs always go through an RQ queue here, and the
`run_jobs` fixture works them off, so tests see the same path as production.
"""

from __future__ import annotations

import functools
import os
import tempfile
import threading
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import g, request_started, request_tearing_down
from werkzeug.serving import make_server

from app import create_app
from app.extensions import db, limiter
from app.models import audit
from tests import factories

REAL_DATABASE = bool(os.environ.get("DATABASE_URL"))
REAL_REDIS = bool(os.environ.get("REDIS_URL"))
TODAY = date(2026, 11, 23)


def pytest_collection_modifyitems(config, items):
    if REAL_DATABASE and REAL_REDIS:
        return
    skip = pytest.mark.skip(
        reason="needs a real PostgreSQL and Redis (set DATABASE_URL and REDIS_URL; CI does)"
    )
    for item in items:
        if "needs_server" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def smtp_sink():
    from tests.smtp_sink import SmtpSink

    sink = SmtpSink()
    sink.start()
    yield sink
    sink.stop()


@pytest.fixture(scope="session")
def app(tmp_path_factory, smtp_sink):
    tmp = tmp_path_factory.mktemp("recouvra")
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{tmp / 'test.sqlite'}"
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "WTF_CSRF_ENABLED": False,
            "UPLOAD_DIR": str(tmp / "uploads"),
            "LETTER_TEMPLATES_DIR": str(tmp / "letters"),
            # LibreOffice takes ~1.5 s a letter: only the PDF tests turn it on.
            "LETTER_PDF": False,
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": smtp_sink.port,
            "REDIS_URL": os.environ.get("REDIS_URL") or "redis://fake",
            "RATELIMIT_STORAGE_URI": os.environ.get("REDIS_URL") or "memory://",
            "PUBLIC_BASE_URL": "http://recouvra.test",
        }
    )
    if not REAL_REDIS:
        import fakeredis

        app.extensions["recouvra_redis"] = fakeredis.FakeRedis()
    # Test requests reuse the test's app context, so `g` would carry one request's logged-in
    # user, locale and CSRF token into the next request, even from another client. Production
    # gives every request a fresh `g`: so do the tests.
    request_started.connect(_fresh_g, app, weak=False)
    request_tearing_down.connect(_fresh_g, app, weak=False)
    with app.app_context():
        db.drop_all()
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.drop_all()


def _fresh_g(_sender, **_extra) -> None:
    vars(g._get_current_object()).clear()


# The live server and localstripe share it, so that its webhooks pass our signature check.
STRIPE_WEBHOOK_SECRET = "whsec_e2e_localstripe"


@pytest.fixture(scope="session")
def local_stripe():
    """localstripe on a free loopback port, for the browser tests and the card plan tests."""
    from tests.stripe_fake import LocalStripe

    server = LocalStripe()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def live_server(app, local_stripe):
    """The app as a user gets it (CSRF on, jobs inline), on a free loopback port, on the test
    database; localstripe delivers its signed webhooks to it, processed as they arrive."""
    served = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "e2e-secret-key",
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "UPLOAD_DIR": app.config["UPLOAD_DIR"],
            "LETTER_TEMPLATES_DIR": app.config["LETTER_TEMPLATES_DIR"],
            "MAIL_SERVER": app.config["MAIL_SERVER"],
            "MAIL_PORT": app.config["MAIL_PORT"],
            "REDIS_URL": None,
            "RATELIMIT_STORAGE_URI": "memory://",
            # Card payments against localstripe on loopback; its webhooks come back to us.
            "STRIPE_SECRET_KEY": "sk_test_e2e",
            "STRIPE_PUBLISHABLE_KEY": "pk_test_e2e",
            "STRIPE_WEBHOOK_SECRET": STRIPE_WEBHOOK_SECRET,
            "STRIPE_API_BASE": local_stripe.base,
            "STRIPE_JS_URL": f"{local_stripe.base}/js.stripe.com/v3/",
            "LETTER_PDF": False,
        }
    )
    server = make_server("127.0.0.1", 0, served, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    local_stripe.register_webhook(f"{base}/stripe/webhook", STRIPE_WEBHOOK_SECRET)
    yield base
    server.shutdown()
    thread.join(timeout=5)


def _empty_all_tables() -> None:
    if db.engine.dialect.name == "postgresql":
        _empty_postgres_tables()
        return
    # SQLite has no TRUNCATE: the audit log's append-only triggers are lifted meanwhile.
    for statement in audit.drop_append_only_statements("sqlite"):
        db.session.execute(sa.text(statement))
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())
    for statement in audit.append_only_statements("sqlite"):
        db.session.execute(sa.text(statement))
    db.session.commit()


def _empty_postgres_tables() -> None:
    """Leave every table empty and every id sequence at its start, as a TRUNCATE ... RESTART
    IDENTITY CASCADE of all tables would, at a fraction of its cost.

    TRUNCATE gives each table, index and TOAST table a new file: for the 39 tables it took
    0.1-0.3 s after every test, even when the test wrote nothing (half the suite's time on
    PostgreSQL). Instead, one query finds the tables that hold rows (whoever wrote them: this
    process, the live server's threads or a subprocess) and those are emptied with DELETE, then
    one query sets back the sequences that were used (by a row since deleted or rolled back too).
    """
    tables = list(reversed(db.metadata.sorted_tables))  # the referencing tables first
    session = db.session
    filled = set(
        session.execute(sa.text(_filled_tables_sql(tuple(t.name for t in tables)))).scalars()
    )
    if filled:
        try:
            with session.begin_nested():
                for table in tables:
                    if table.name not in filled:
                        continue
                    if table.name == audit.AuditEvent.__tablename__:
                        # Append-only (its trigger refuses DELETE); nothing references it.
                        session.execute(sa.text(f'TRUNCATE "{table.name}"'))
                    else:
                        session.execute(table.delete())
        except sa.exc.DBAPIError:
            # An order DELETE cannot follow (a reference added since, say): the sure way.
            names = ", ".join(f'"{t.name}"' for t in tables)
            session.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    session.execute(
        sa.text(
            "SELECT setval(s.seqrelid, s.seqstart, false) FROM pg_sequence s"
            " JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = s.seqrelid"
            " AND d.deptype IN ('a', 'i')"
            " JOIN pg_class t ON t.oid = d.refobjid AND t.relname = ANY(:names)"
            " WHERE t.relnamespace = current_schema()::regnamespace"
            " AND pg_sequence_last_value(s.seqrelid) IS NOT NULL"
        ),
        {"names": [t.name for t in tables]},
    )
    session.commit()


@functools.cache
def _filled_tables_sql(names: tuple[str, ...]) -> str:
    return " UNION ALL ".join(
        f"SELECT '{name}' WHERE EXISTS (SELECT FROM \"{name}\")"  # noqa: S608 (our tables)
        for name in names
    )


@pytest.fixture(autouse=True)
def _app_context(app):
    """Every test runs inside an app context and leaves the database empty."""
    with app.app_context():
        limiter.reset()
        yield
        db.session.rollback()
        db.session.remove()
        _empty_all_tables()
        from app.jobs import redis_connection

        redis_connection().flushdb()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def mailbox(smtp_sink):
    smtp_sink.messages.clear()
    return smtp_sink.messages


@pytest.fixture
def run_jobs(app):
    """Work off every queued job in this process, like a burst worker."""
    from rq import SimpleWorker

    from app.jobs import QUEUES, get_queue, redis_connection

    def run() -> None:
        queues = [get_queue(name) for name in QUEUES]
        SimpleWorker(queues, connection=redis_connection()).work(burst=True)

    return run


@pytest.fixture
def today():
    return TODAY


@pytest.fixture
def people():
    """The base personas: an agency with staff, a creditor with two users, another creditor."""
    return factories.personas()


@pytest.fixture
def published_rates():
    """LAW.md's rates in the rate table (the migration inserts them; tests use create_all)."""
    from app.services import rates

    rates.seed_published_rates()
    return rates.rate_book()


@pytest.fixture
def rates_to_date(published_rates):
    """LAW.md's rates plus the 2026 S2 ones an agency would have entered by today, so that a
    balance as of TODAY can be computed (LAW.md leaves 2026 S2 out on purpose)."""
    from app.domain import interest
    from app.services import rates

    semester = date(2026, 7, 1)
    for kind, rate_bp in (
        (interest.ECB, 215),
        (interest.LEGAL_INDIVIDUAL, 662),
        (interest.LEGAL_OTHER, 287),
    ):
        rates.add_rate(None, kind, semester, rate_bp, "Test")
    return rates.rate_book()


@pytest.fixture
def frozen_today(monkeypatch, today):
    """Pages run on the test's business day (web.today() reads the clock otherwise)."""
    from app import web

    monkeypatch.setattr(web, "today", lambda: today)


@pytest.fixture
def amicable_case(people, today, rates_to_date):
    """The worked case most money tests use: one invoice of 1,200.00 due 2026-07-01, accepted
    into the amicable stage; 1,297.92 owed on 2026-11-23 (57.92 interest, 40.00 indemnity)."""
    case = factories.make_case(
        people.creditor_user,
        invoices=[factories.invoice("F-1", 120_000, issued=date(2026, 6, 1), days=30)],
        today=today,
    )
    from app.services import casework

    casework.accept_case(people.agent, case, today=today)
    return case


@pytest.fixture
def login(client):
    def do_login(user, password=factories.PASSWORD):
        response = client.post("/connexion", data={"email": user.email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)
        if response.headers["Location"] == "/connexion/code":
            factories.second_step(client, user)  # managers have a second factor
        return client

    return do_login


@pytest.fixture
def output_dir():
    path = Path(os.environ.get("TEST_OUTPUT_DIR", "test-output"))
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture
def tmp_upload_dir():
    with tempfile.TemporaryDirectory() as path:
        yield Path(path)
