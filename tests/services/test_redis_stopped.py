"""A Redis server really stopped, then started again: pages load meanwhile, the actions that
need a job are kept in the database, and once the server is back a starting worker runs them.

test_redis_down.py proves each step against a port where nothing listens; here the app's own
Redis client watches its server die under it and must find it again when it comes back (stale
pooled connections, reconnection). A private `redis-server` on a free port is stopped, never the
shared one. It runs on SQLite too: only the Redis is real.
"""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
import redis
import sqlalchemy as sa

from app.extensions import db
from app.jobs import REDIS_TIMEOUT_SECONDS, redis_connection
from app.jobs.pending import pending_jobs
from app.models import CadenceAction, Letter, PendingJob
from app.services import cadence
from tests.servers import PrivateRedis

pytestmark = pytest.mark.skipif(
    PrivateRedis.binary is None, reason="redis-server is not installed; CI has it"
)

DAY = date(2026, 11, 23)


@pytest.fixture
def private_redis(app):
    """The app's Redis is a private server, connected the way production connects."""
    server = PrivateRedis()
    server.start()
    shared = redis_connection()
    app.extensions["recouvra_redis"] = redis.Redis.from_url(
        server.url,
        socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
        socket_timeout=REDIS_TIMEOUT_SECONDS,
    )
    yield server
    app.extensions["recouvra_redis"] = shared
    server.close()


def test_with_redis_stopped_pages_load_jobs_wait_and_run_once_it_is_back(
    app, people, amicable_case, private_redis, login, mailbox
):
    amicable_case.stage_changed_at = datetime.combine(DAY, time(9), ZoneInfo("Europe/Paris"))
    db.session.commit()
    assert redis_connection().ping()  # the client holds a live pooled connection
    agent_email = people.agent.email

    private_redis.stop()

    supervisor = login(people.supervisor)
    assert supervisor.get("/agence/").status_code == 200
    forgot = app.test_client().post("/mot-de-passe-oublie", data={"email": agent_email})
    assert forgot.status_code in (200, 302)
    run = cadence.daily_run(DAY)  # the 6:00 run, with its letter and email steps
    assert run.status == "done"
    kept = sorted(p.task for p in db.session.scalars(sa.select(PendingJob)))
    assert kept == ["app.jobs.tasks.perform_cadence_actions", "app.jobs.tasks.send_password_reset"]
    page = supervisor.get("/agence/automatisation")
    assert page.status_code == 200
    assert 'data-state="unavailable"' in page.get_data(as_text=True)
    assert 'data-testid="pending-count">2<' in page.get_data(as_text=True)
    assert mailbox == []

    private_redis.start()  # same port, empty: nothing of the jobs was ever in it

    result = app.test_cli_runner().invoke(args=["worker", "--burst"])
    assert result.exit_code == 0, result.output
    assert pending_jobs() == []
    assert {a.status for a in db.session.scalars(sa.select(CadenceAction))} == {"done"}
    assert db.session.scalar(sa.select(sa.func.count(Letter.id))) == 2  # the letter, the email
    assert len(mailbox) == 2 and agent_email in [m["To"] for m in mailbox]
    assert 'data-state="unavailable"' not in supervisor.get("/agence/automatisation").get_data(
        as_text=True
    )


def test_a_flush_during_the_outage_keeps_the_job_and_the_next_one_after_it_enqueues_once(
    app, people, private_redis
):
    from app.jobs import get_queue
    from app.jobs.pending import flush_pending_jobs
    from app.services import accounts

    private_redis.stop()
    accounts.request_password_reset(people.agent.email)
    assert flush_pending_jobs() == 0  # the scheduler's minute came while Redis was still down

    private_redis.start()
    assert flush_pending_jobs() == 1
    assert flush_pending_jobs() == 0
    assert get_queue("mail").count == 1
