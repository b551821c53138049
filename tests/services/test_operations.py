"""The automation overview: failed jobs with their error, retrying one, queue counts, and the
warning when the daily run has not gone through."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from rq import get_current_job

from app.extensions import db
from app.jobs import get_queue
from app.models import AuditEvent, CadenceRun
from app.services import operations
from app.services.errors import NotFound

TODAY = datetime(2026, 11, 23).date()


def always_fails(invoice_id: int) -> None:
    raise RuntimeError(f"le serveur PDF ne répond pas pour {invoice_id}")


def fails_the_first_time(key: str) -> str:
    """Fails once, then succeeds: what a retry is for. The count lives in Redis, so it is the
    same whichever worker runs the job."""
    attempts = get_current_job().connection.incr(f"test:attempts:{key}")
    if attempts == 1:
        raise ConnectionRefusedError("SMTP injoignable")
    return f"ok after {attempts}"


def noop(*_args) -> None:
    return None


def test_a_job_that_raises_ends_in_the_failed_list_with_its_error(run_jobs):
    get_queue("letters").enqueue(always_fails, 42)
    run_jobs()

    [failed] = operations.failed_jobs()
    assert failed.task == "always_fails"
    assert failed.queue == "letters"
    assert failed.args == [42]
    assert failed.error == "RuntimeError: le serveur PDF ne répond pas pour 42"
    assert "Traceback" in failed.traceback and "always_fails" in failed.traceback
    assert failed.failed_at is not None


def test_retrying_a_failed_job_requeues_it_and_a_worker_runs_it(people, run_jobs):
    job = get_queue("mail").enqueue(fails_the_first_time, "retry")
    run_jobs()
    assert [f.id for f in operations.failed_jobs()] == [job.id]

    assert operations.retry_failed_job(people.supervisor, job.id) == "fails_the_first_time"
    assert operations.failed_jobs() == []
    assert {q.name: q.queued for q in operations.queue_stats()}["mail"] == 1

    run_jobs()
    job.refresh()
    assert job.is_finished
    assert job.return_value() == "ok after 2"
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "job.retried"))
    assert event.actor_id == people.supervisor.id
    assert event.changes == {"job_id": job.id, "queue": "mail", "task": "fails_the_first_time"}


def test_a_job_retried_twice_runs_once_and_the_second_retry_is_refused(people, run_jobs):
    job = get_queue("default").enqueue(always_fails, 1)
    run_jobs()
    operations.retry_failed_job(people.supervisor, job.id)
    with pytest.raises(NotFound):
        operations.retry_failed_job(people.admin, job.id)
    assert {q.name: q.queued for q in operations.queue_stats()}["default"] == 1


def test_retrying_an_unknown_job_is_not_found(people):
    with pytest.raises(NotFound):
        operations.retry_failed_job(people.supervisor, "no-such-job")


def test_queue_counts_show_queued_scheduled_and_failed_jobs_per_queue(run_jobs):
    get_queue("default").enqueue(always_fails, 1)
    run_jobs()
    get_queue("default").enqueue(noop)
    get_queue("letters").enqueue(noop)
    get_queue("letters").enqueue(noop)
    get_queue("mail").enqueue_in(timedelta(hours=1), noop)

    stats = {q.name: q for q in operations.queue_stats()}
    assert list(stats) == ["default", "letters", "mail"]
    assert (stats["default"].queued, stats["default"].failed) == (1, 1)
    assert (stats["letters"].queued, stats["letters"].failed) == (2, 0)
    assert (stats["mail"].queued, stats["mail"].scheduled) == (0, 1)
    assert all(q.started == 0 for q in stats.values())


def test_the_overview_reports_redis_available_with_its_queues(run_jobs):
    get_queue("default").enqueue(always_fails, 3)
    run_jobs()
    overview = operations.overview(TODAY)
    assert overview.redis.status == operations.REDIS_AVAILABLE
    assert [q.name for q in overview.queues] == ["default", "letters", "mail"]
    assert [f.args for f in overview.failed] == [[3]]
    assert overview.pending == []


def test_without_redis_the_overview_says_jobs_run_immediately(app, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", None)
    overview = operations.overview(TODAY)
    assert overview.redis.status == operations.REDIS_NOT_CONFIGURED
    assert overview.queues == [] and overview.failed == []


def _run(day, status, *, minutes=3, counts=None):
    started = datetime.combine(day, datetime.min.time(), tzinfo=UTC).replace(hour=5)
    db.session.add(
        CadenceRun(
            run_on=day,
            status=status,
            started_at=started,
            heartbeat_at=started,
            finished_at=started + timedelta(minutes=minutes) if status != "running" else None,
            counts=counts or {},
        )
    )
    db.session.commit()


def test_no_daily_run_at_all_is_stale():
    summary = operations.daily_runs(TODAY)
    assert summary.runs == []
    assert summary.last_done_on is None
    assert summary.stale


def test_a_run_done_yesterday_is_not_stale():
    _run(TODAY - timedelta(days=1), "done", counts={"acted": 4, "cases": 10})
    summary = operations.daily_runs(TODAY)
    assert not summary.stale
    [run] = summary.runs
    assert run.counts == {"acted": 4, "skipped": 0, "failed": 0, "cases": 10}
    assert run.duration_seconds == 180


def test_a_failed_run_yesterday_after_a_done_one_before_is_stale_since_that_day():
    _run(TODAY - timedelta(days=3), "done")
    _run(TODAY - timedelta(days=2), "done")
    _run(TODAY - timedelta(days=1), "failed")
    summary = operations.daily_runs(TODAY)
    assert summary.stale
    assert summary.last_done_on == TODAY - timedelta(days=2)
    assert [r.run_on for r in summary.runs] == [TODAY - timedelta(days=n) for n in (1, 2, 3)]


def test_only_the_last_14_runs_are_listed():
    for n in range(20):
        _run(TODAY - timedelta(days=n), "done")
    summary = operations.daily_runs(TODAY)
    assert len(summary.runs) == 14
    assert summary.runs[0].run_on == TODAY
    assert not summary.stale
