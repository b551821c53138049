"""Jobs kept in the database while Redis was unreachable, put on their queue once it answers.

Each row is claimed with one conditional UPDATE, so two flushes (the scheduler's and a manager's
button) never enqueue the same job twice. The claim is committed only after Redis took the job:
a crash in between enqueues it again later, which the tasks tolerate (they are idempotent),
rather than losing it.
"""

from __future__ import annotations

import importlib
import logging

import sqlalchemy as sa
from rq import Retry

from app.extensions import db
from app.jobs import REDIS_ERRORS, get_queue
from app.jobs.context import with_app_context
from app.models import PendingJob
from app.models.base import utcnow

log = logging.getLogger(__name__)

# Rows name the function to call: only our own job modules may be named.
_ALLOWED_PREFIX = "app.jobs."


def resolve_task(path: str):
    module_name, _, name = path.rpartition(".")
    if not module_name.startswith(_ALLOWED_PREFIX) and module_name != "app.jobs":
        raise ValueError(f"not a job task: {path}")
    return getattr(importlib.import_module(module_name), name)


def pending_jobs() -> list[PendingJob]:
    """Jobs still waiting for Redis, oldest first."""
    return list(
        db.session.scalars(
            sa.select(PendingJob)
            .where(PendingJob.enqueued_at.is_(None))
            .order_by(PendingJob.created_at, PendingJob.id)
        )
    )


def _claim(job_id: int) -> bool:
    result = db.session.execute(
        sa.update(PendingJob)
        .where(PendingJob.id == job_id, PendingJob.enqueued_at.is_(None))
        .values(enqueued_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def _retry_of(row: PendingJob) -> Retry | None:
    if not row.retry_max:
        return None
    return Retry(max=row.retry_max, interval=row.retry_intervals or 0)


def flush_pending_jobs() -> int:
    """Enqueue every kept job, oldest first; stop at the first Redis failure (it is still down).
    Returns how many were enqueued. Without Redis configured, nothing moves."""
    ids = [row.id for row in pending_jobs()]
    db.session.commit()  # end the read, so each claim is its own short transaction
    enqueued = 0
    for job_id in ids:
        if not _claim(job_id):
            db.session.rollback()
            break  # another flush is at work
        row = db.session.get(PendingJob, job_id)
        queue = get_queue(row.queue)
        if queue is None:
            db.session.rollback()
            break
        try:
            task = resolve_task(row.task)
        except (ValueError, ImportError, AttributeError) as exc:
            # A task renamed since: leave it on the page, with why, and go on with the others.
            db.session.rollback()
            row.last_error = f"{type(exc).__name__}: {exc}"
            db.session.commit()
            continue
        try:
            queue.enqueue(task, *row.args, retry=_retry_of(row))
        except REDIS_ERRORS as exc:
            db.session.rollback()  # puts enqueued_at back to NULL
            db.session.execute(
                sa.update(PendingJob)
                .where(PendingJob.id == job_id)
                .values(enqueued_at=None, last_error=str(exc))
                .execution_options(synchronize_session=False)
            )
            db.session.commit()
            log.warning("Redis still unreachable (%s): %d pending job(s) wait", exc, len(ids))
            break
        db.session.commit()
        enqueued += 1
    db.session.expire_all()
    return enqueued


@with_app_context
def flush_pending_jobs_task() -> int:
    return flush_pending_jobs()
