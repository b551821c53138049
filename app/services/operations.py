"""What the automation is doing, for the agency's managers: Redis, the queues, failed jobs, jobs
kept while Redis was down, the daily runs and the workers. Plus the two repairs: retry a failed
job, enqueue the kept ones now.

Every Redis read goes through one ping first: with Redis down the page still loads, quickly,
and says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from app.extensions import db
from app.jobs import QUEUES, REDIS_ERRORS, redis_connection
from app.jobs import pending as pending_jobs_module
from app.models import CadenceAction, CadenceRun, PendingJob
from app.services.audit import record_audit
from app.services.errors import NotFound

REDIS_AVAILABLE = "available"
REDIS_UNAVAILABLE = "unavailable"
REDIS_NOT_CONFIGURED = "not_configured"

RUNS_SHOWN = 14
FAILED_JOBS_SHOWN = 50
COUNT_KEYS = ("acted", "skipped", "failed", "cases")


@dataclass(frozen=True)
class RedisState:
    status: str
    error: str | None = None

    @property
    def available(self) -> bool:
        return self.status == REDIS_AVAILABLE


@dataclass(frozen=True)
class QueueStats:
    name: str
    queued: int
    started: int
    scheduled: int
    failed: int


@dataclass(frozen=True)
class FailedJob:
    id: str
    queue: str
    task: str
    args: list
    failed_at: datetime | None
    error: str
    traceback: str


@dataclass(frozen=True)
class WorkerState:
    name: str
    state: str
    queues: list[str]
    current_job_id: str | None


@dataclass(frozen=True)
class DailyRun:
    run_on: date
    status: str
    started_at: datetime
    duration_seconds: float | None
    counts: dict
    error: str | None


@dataclass(frozen=True)
class DailyRunsSummary:
    runs: list[DailyRun]
    last_done_on: date | None
    # True when no run finished yesterday or today: the daily reminders did not go out.
    stale: bool


@dataclass
class Overview:
    redis: RedisState
    queues: list[QueueStats] = field(default_factory=list)
    failed: list[FailedJob] = field(default_factory=list)
    workers: list[WorkerState] = field(default_factory=list)
    pending: list[PendingJob] = field(default_factory=list)
    daily: DailyRunsSummary | None = None
    blocked: list[BlockedSteps] = field(default_factory=list)


@dataclass(frozen=True)
class BlockedSteps:
    reason: str
    steps: int
    cases: int


def blocked_steps() -> list[BlockedSteps]:
    """Cadence steps waiting for the agency to fix something (a missing rate), by reason; the
    steps that only wait for the one before them are not listed (they go with it)."""
    from app.services.cadence_steps import AFTER_BLOCKED

    rows = db.session.execute(
        sa.select(
            CadenceAction.detail,
            sa.func.count(CadenceAction.id),
            sa.func.count(sa.distinct(CadenceAction.case_id)),
        )
        .where(CadenceAction.status == "blocked", CadenceAction.detail != AFTER_BLOCKED)
        .group_by(CadenceAction.detail)
        .order_by(sa.func.count(CadenceAction.id).desc())
    ).all()
    return [BlockedSteps(reason or "", steps, cases) for reason, steps, cases in rows]


def redis_state() -> RedisState:
    connection = redis_connection()
    if connection is None:
        return RedisState(REDIS_NOT_CONFIGURED)
    try:
        connection.ping()
    except REDIS_ERRORS as exc:
        return RedisState(REDIS_UNAVAILABLE, str(exc))
    return RedisState(REDIS_AVAILABLE)


def _registries(name: str, connection):
    from rq import Queue
    from rq.registry import FailedJobRegistry, ScheduledJobRegistry, StartedJobRegistry

    queue = Queue(name, connection=connection)
    return (
        queue,
        StartedJobRegistry(queue=queue),
        ScheduledJobRegistry(queue=queue),
        FailedJobRegistry(queue=queue),
    )


def queue_stats() -> list[QueueStats]:
    connection = redis_connection()
    stats = []
    for name in QUEUES:
        queue, started, scheduled, failed = _registries(name, connection)
        stats.append(QueueStats(name, queue.count, started.count, scheduled.count, failed.count))
    return stats


def _error_lines(exc_string: str | None) -> tuple[str, str]:
    text = (exc_string or "").strip()
    lines = [line for line in text.splitlines() if line.strip()]
    return (lines[-1] if lines else ""), text


def failed_jobs(limit: int = FAILED_JOBS_SHOWN) -> list[FailedJob]:
    """The failed jobs of every queue, most recent first."""
    from rq.job import Job
    from rq.results import Result

    connection = redis_connection()
    found = []
    for name in QUEUES:
        *_, registry = _registries(name, connection)
        ids = registry.get_job_ids(0, limit - 1)
        for job in Job.fetch_many(ids, connection=connection):
            if job is None:  # expired between the two reads
                continue
            result = job.latest_result()
            exc_string = result.exc_string if result and result.type == Result.Type.FAILED else None
            error, traceback = _error_lines(exc_string)
            found.append(
                FailedJob(
                    id=job.id,
                    queue=name,
                    task=(job.func_name or "").rpartition(".")[2],
                    args=list(job.args or []),
                    failed_at=job.ended_at or (result.created_at if result else None),
                    error=error,
                    traceback=traceback,
                )
            )
    found.sort(key=lambda j: j.failed_at or datetime.min, reverse=True)
    return found[:limit]


def workers() -> list[WorkerState]:
    from rq import Worker

    return [
        WorkerState(w.name, str(w.get_state()), w.queue_names(), w.get_current_job_id())
        for w in Worker.all(connection=redis_connection())
    ]


def waiting_jobs() -> list[PendingJob]:
    """Jobs kept while Redis was down, not yet on a queue."""
    return pending_jobs_module.pending_jobs()


def daily_runs(today: date, limit: int = RUNS_SHOWN) -> DailyRunsSummary:
    rows = db.session.scalars(
        sa.select(CadenceRun).order_by(CadenceRun.run_on.desc()).limit(limit)
    ).all()
    last_done_on = db.session.scalar(
        sa.select(sa.func.max(CadenceRun.run_on)).where(CadenceRun.status == "done")
    )
    runs = [
        DailyRun(
            run_on=row.run_on,
            status=row.status,
            started_at=row.started_at,
            duration_seconds=row.duration_seconds,
            counts={key: (row.counts or {}).get(key, 0) for key in COUNT_KEYS},
            error=row.error,
        )
        for row in rows
    ]
    stale = last_done_on is None or last_done_on < today - timedelta(days=1)
    return DailyRunsSummary(runs=runs, last_done_on=last_done_on, stale=stale)


def overview(today: date) -> Overview:
    """Everything the operations page shows. Redis is asked only if it answered the ping."""
    state = redis_state()
    result = Overview(
        redis=state, pending=waiting_jobs(), daily=daily_runs(today), blocked=blocked_steps()
    )
    if state.available:
        try:
            result.queues = queue_stats()
            result.failed = failed_jobs()
            result.workers = workers()
        except REDIS_ERRORS as exc:  # went down between the ping and the reads
            result.redis = RedisState(REDIS_UNAVAILABLE, str(exc))
    return result


def retry_failed_job(actor, job_id: str) -> str:
    """Put a failed job back on its queue, for a worker to run again; returns the task's name.
    NotFound if it is in no failed registry (already retried, expired, or never failed)."""
    from rq.exceptions import InvalidJobOperation, NoSuchJobError
    from rq.job import Job

    connection = redis_connection()
    if connection is None:
        raise NotFound(job_id)
    for name in QUEUES:
        *_, registry = _registries(name, connection)
        if job_id in registry:
            break
    else:
        raise NotFound(job_id)
    try:
        job = Job.fetch(job_id, connection=connection)
        task = (job.func_name or "").rpartition(".")[2]
        registry.requeue(job)
    except (InvalidJobOperation, NoSuchJobError) as exc:
        raise NotFound(job_id) from exc  # another manager retried it first, or it expired
    record_audit(
        actor,
        "job.retried",
        "job",
        None,
        changes={"job_id": job_id, "queue": name, "task": task},
    )
    db.session.commit()
    return task


@dataclass(frozen=True)
class FlushResult:
    enqueued: int
    still_waiting: int


def flush_now(actor) -> FlushResult:
    """Enqueue the jobs kept while Redis was down, now rather than at the scheduler's minute."""
    enqueued = pending_jobs_module.flush_pending_jobs()
    still_waiting = len(waiting_jobs())
    record_audit(
        actor,
        "job.pending_flushed",
        "pending_job",
        None,
        changes={"enqueued": enqueued, "still_waiting": still_waiting},
    )
    db.session.commit()
    return FlushResult(enqueued, still_waiting)
