"""Redis configured but down: the action still succeeds, its job is kept in the database, the
pages still load, and once Redis is back the job is enqueued exactly once and performed."""

from __future__ import annotations

import pytest
import redis
import sqlalchemy as sa

from app.extensions import db
from app.jobs import get_queue, redis_connection
from app.jobs.pending import flush_pending_jobs, flush_pending_jobs_task, pending_jobs
from app.models import AuditEvent, Letter, PendingJob
from app.services import accounts, casework, letters
from tests import factories

from .test_letters import TODAY


@pytest.fixture
def dead_redis(app):
    """Port 1 refuses at once: the same code path as a Redis that went away."""
    alive = redis_connection()
    app.extensions["recouvra_redis"] = redis.Redis.from_url(
        "redis://127.0.0.1:1", socket_connect_timeout=0.2, socket_timeout=0.2
    )
    yield
    app.extensions["recouvra_redis"] = alive


@pytest.fixture
def revive(app):
    alive = redis_connection()

    def restore():
        app.extensions["recouvra_redis"] = alive

    return restore


def _pending() -> list[PendingJob]:
    return list(db.session.scalars(sa.select(PendingJob).order_by(PendingJob.id)))


def test_a_password_reset_succeeds_and_keeps_its_mail_job(people, dead_redis, mailbox):
    accounts.request_password_reset(people.agent.email)

    [job] = _pending()
    assert job.task == "app.jobs.tasks.send_password_reset"
    assert job.args == [people.agent.id]
    assert job.queue == "mail"
    assert job.retry_max is None and job.enqueued_at is None
    assert "Connection refused" in job.last_error or "connecting" in job.last_error
    db.session.rollback()  # what the service committed is there for good
    assert db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "user.password_reset_requested")
    )
    assert mailbox == []


def test_an_emailed_letter_keeps_its_retry_policy(people, rates_to_date, dead_redis):
    case = factories.make_case(
        people.creditor_user,
        invoices=[factories.invoice("F-1", 120_000)],
        today=TODAY,
    )
    casework.accept_case(people.agent, case, today=TODAY)
    letter = letters.generate_letter(people.agent, case, "relance_amiable", letter_date=TODAY)

    letters.send_by_email(people.agent, letter)

    assert db.session.get(Letter, letter.id).status == "sending"
    [job] = _pending()
    assert (job.task, job.args, job.queue) == (
        "app.jobs.tasks.send_letter_email",
        [letter.id],
        "mail",
    )
    assert job.retry_max == len(letters.MAIL_RETRY_INTERVALS)
    assert job.retry_intervals == list(letters.MAIL_RETRY_INTERVALS)


def test_pages_still_answer_and_the_operations_page_says_redis_is_down(people, login, dead_redis):
    client = login(people.supervisor)
    accounts.request_password_reset(people.agent.email)

    assert client.get("/agence/").status_code == 200
    response = client.get("/agence/automatisation")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'data-state="unavailable"' in page
    assert "Redis indisponible" in page
    assert 'data-testid="pending-count">1<' in page
    assert "send_password_reset" in page


def test_flushing_while_redis_is_still_down_keeps_the_job_and_its_error(people, dead_redis):
    accounts.request_password_reset(people.agent.email)
    assert flush_pending_jobs() == 0
    [job] = _pending()
    assert job.enqueued_at is None
    assert job.last_error


def test_once_redis_is_back_the_job_is_enqueued_once_and_performed(
    people, revive, dead_redis, mailbox, run_jobs
):
    accounts.request_password_reset(people.agent.email)
    revive()

    assert flush_pending_jobs() == 1
    assert flush_pending_jobs() == 0
    assert get_queue("mail").count == 1
    [job] = _pending()
    assert job.enqueued_at is not None
    assert pending_jobs() == []

    run_jobs()
    [message] = mailbox
    assert message["To"] == people.agent.email


def test_a_kept_job_is_enqueued_with_its_retry_policy(people, revive, dead_redis):
    accounts.request_password_reset(people.agent.email)
    db.session.execute(sa.update(PendingJob).values(retry_max=3, retry_intervals=[60, 300, 900]))
    db.session.commit()
    revive()

    flush_pending_jobs()
    [queued] = get_queue("mail").get_jobs()
    assert queued.retries_left == 3
    assert queued.retry_intervals == [60, 300, 900]


def test_kept_jobs_are_enqueued_oldest_first(people, revive, dead_redis):
    accounts.request_password_reset(people.agent.email)
    accounts.request_password_reset(people.supervisor.email)
    revive()

    assert flush_pending_jobs_task() == 2
    assert [list(j.args) for j in get_queue("mail").get_jobs()] == [
        [people.agent.id],
        [people.supervisor.id],
    ]


def test_a_row_naming_something_other_than_a_job_is_never_called(people, revive, dead_redis):
    db.session.add(PendingJob(task="os.system", args=["true"], queue="default"))
    db.session.commit()
    accounts.request_password_reset(people.agent.email)
    revive()

    assert flush_pending_jobs() == 1
    refused, sent = _pending()
    assert refused.enqueued_at is None and "not a job task" in refused.last_error
    assert sent.enqueued_at is not None
    assert get_queue("default").count == 0


def test_the_flush_button_enqueues_the_kept_jobs_once_redis_is_back(
    people, revive, dead_redis, login
):
    accounts.request_password_reset(people.agent.email)
    client = login(people.supervisor)

    page = client.post("/agence/automatisation/en-attente/relancer", follow_redirects=True)
    assert "1 tâche reste en attente" in page.get_data(as_text=True)

    revive()
    page = client.post("/agence/automatisation/en-attente/relancer", follow_redirects=True)
    text = page.get_data(as_text=True)
    assert "1 tâche mise en file." in text
    assert "Aucune tâche en attente de Redis." in text
    assert get_queue("mail").count == 1


def test_a_starting_worker_enqueues_the_kept_jobs_and_runs_them(
    app, people, revive, dead_redis, mailbox
):
    email = people.agent.email  # the command ends the session: people are detached after it
    accounts.request_password_reset(email)
    revive()

    result = app.test_cli_runner().invoke(args=["worker", "--burst"])

    assert result.exit_code == 0, result.output
    assert pending_jobs() == []
    [message] = mailbox
    assert message["To"] == email


# In another process: the limiter is one global object, and binding it to a dead Redis here
# would break every later test.
LOGIN_WITH_DEAD_REDIS = """
import sys
from app import create_app
from app.extensions import db

dead = "redis://127.0.0.1:1"
app = create_app({
    "TESTING": True, "SECRET_KEY": "x", "WTF_CSRF_ENABLED": False,
    "SQLALCHEMY_DATABASE_URI": "sqlite:///" + sys.argv[1],
    "REDIS_URL": dead, "RATELIMIT_STORAGE_URI": dead,
})
with app.app_context():
    db.create_all()
response = app.test_client().post("/connexion", data={"email": "x@y.example", "password": "x"})
print(response.status_code)
"""


def test_the_login_page_still_works_when_the_rate_limits_redis_is_down(tmp_path):
    import subprocess
    import sys

    from app.config import ROOT

    done = subprocess.run(  # noqa: S603 (our own interpreter and script)
        [sys.executable, "-c", LOGIN_WITH_DEAD_REDIS, str(tmp_path / "limits.sqlite")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.stdout.strip() == "422", done.stderr  # a refused password, not a 500


def test_the_daily_run_with_redis_down_keeps_its_jobs_and_they_run_once_it_is_back(
    people, amicable_case, revive, dead_redis, run_jobs, mailbox
):
    from datetime import date, datetime, time
    from zoneinfo import ZoneInfo

    from app.models import CadenceAction
    from app.services import cadence

    day = date(2026, 11, 23)
    amicable_case.stage_changed_at = datetime.combine(day, time(9), ZoneInfo("Europe/Paris"))
    db.session.commit()
    run = cadence.daily_run(day)
    assert run.status == "done" and run.counts["acted"] == 2
    assert [p.task for p in _pending()] == ["app.jobs.tasks.perform_cadence_actions"]

    revive()
    assert flush_pending_jobs() == 1
    run_jobs()
    db.session.expire_all()
    assert {a.status for a in db.session.scalars(sa.select(CadenceAction))} == {"done"}
    assert len(mailbox) == 1


def test_a_letter_batch_asked_while_redis_is_down_is_kept_and_said_so(
    people, amicable_case, login, dead_redis
):
    response = login(people.agent).post(
        "/agence/courriers/lot",
        data={"template": "relance_2", "letter_date": "2026-11-23"},
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "le lot est enregistré et partira à son retour" in response.get_data(as_text=True)
    assert [p.task for p in _pending()] == ["app.jobs.tasks.generate_letter_batch"]
