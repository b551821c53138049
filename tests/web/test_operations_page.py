"""The automation page: managers see the queues, failed jobs and daily runs; agents do not;
the retry button puts a failed job back for a worker."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.jobs import get_queue
from app.models import AuditEvent, CadenceRun
from tests.services.test_operations import always_fails, fails_the_first_time

URL = "/agence/automatisation"


@pytest.mark.parametrize("persona", ["supervisor", "admin"])
def test_a_manager_sees_the_page_with_redis_available(people, login, persona):
    client = login(getattr(people, persona))
    response = client.get(URL)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Redis disponible" in page
    for queue in ("default", "letters", "mail"):
        assert f'data-queue="{queue}"' in page
    assert "Aucune tâche en échec." in page
    assert "Aucune tâche en attente de Redis." in page
    assert 'data-testid="nav-operations"' in page


@pytest.mark.parametrize("persona", ["agent", "creditor_user"])
def test_anyone_else_gets_403(people, login, persona):
    client = login(getattr(people, persona))
    assert client.get(URL).status_code == 403
    assert client.post("/agence/automatisation/en-attente/relancer").status_code == 403


def test_an_agent_has_no_link_to_the_page(people, login):
    page = login(people.agent).get("/agence/").get_data(as_text=True)
    assert 'data-testid="nav-operations"' not in page


def test_a_failed_job_is_listed_with_its_error_and_the_retry_button_works(people, login, run_jobs):
    job = get_queue("mail").enqueue(fails_the_first_time, "page")
    run_jobs()
    client = login(people.supervisor)

    page = client.get(URL).get_data(as_text=True)
    assert f'data-job-id="{job.id}"' in page
    assert "ConnectionRefusedError: SMTP injoignable" in page
    assert "<details" in page and "Traceback" in page

    response = client.post(f"/agence/automatisation/echecs/{job.id}/relancer")
    assert response.status_code == 302
    page = client.get(URL).get_data(as_text=True)
    assert "Tâche fails_the_first_time relancée" in page
    assert f'data-job-id="{job.id}"' not in page

    run_jobs()
    job.refresh()
    assert job.is_finished
    assert db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "job.retried"))


def test_retrying_a_job_already_retried_says_so(people, login, run_jobs):
    job = get_queue("default").enqueue(always_fails, 9)
    run_jobs()
    client = login(people.supervisor)
    client.post(f"/agence/automatisation/echecs/{job.id}/relancer")

    response = client.post(
        f"/agence/automatisation/echecs/{job.id}/relancer", follow_redirects=True
    )
    assert "plus en échec" in response.get_data(as_text=True)


def test_the_page_warns_when_the_daily_run_is_late(people, login, frozen_today, today):
    started = datetime(2026, 11, 20, 5, 0, tzinfo=UTC)
    db.session.add(
        CadenceRun(
            run_on=today - timedelta(days=3),
            status="done",
            started_at=started,
            heartbeat_at=started,
            finished_at=started + timedelta(seconds=42),
            counts={"acted": 5, "skipped": 1, "failed": 0, "cases": 12},
        )
    )
    db.session.commit()

    page = login(people.supervisor).get(URL).get_data(as_text=True)
    assert "La relance quotidienne n'a pas tourné depuis le 20/11/2026." in page
    assert 'data-testid="daily-run"' in page
    assert "06:00" in page  # started at 05:00 UTC, shown in Paris time
    assert "42" in page


def test_the_page_warns_when_no_daily_run_ever_finished(people, login):
    page = login(people.supervisor).get(URL).get_data(as_text=True)
    assert 'data-testid="daily-run-stale"' in page
    assert "Aucune relance quotidienne n'a encore tourné." in page


def test_the_flush_button_reports_that_nothing_was_kept(people, login):
    client = login(people.admin)
    response = client.post("/agence/automatisation/en-attente/relancer", follow_redirects=True)
    assert response.status_code == 200
    assert "alert-info" in response.get_data(as_text=True)
    assert "Aucune tâche en attente de Redis." in response.get_data(as_text=True)


def test_the_page_reads_in_english(people, login, run_jobs):
    from tests.web.test_english_locale import assert_english_page, read_catalog, staff_names

    get_queue("default").enqueue(always_fails, 5)
    run_jobs()
    client = login(people.supervisor)
    client.post("/langue/en")
    response = client.get(URL)
    assert_english_page(
        response,
        read_catalog(),
        "Automation",
        "Redis available",
        "Failed jobs",
        "Retry",
        "The daily run has not run since installation",
        data=staff_names(people) | {"default", "letters", "mail"},
    )
