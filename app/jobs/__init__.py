"""Background jobs. Tasks receive ids, never ORM objects, and are safe to run twice.

With REDIS_URL set, `enqueue` puts the task on an RQ queue; without it the task runs inline, so
the app works with no Redis. Services call `enqueue` only after their commit. When Redis is set
but unreachable, the job is kept as a PendingJob row and enqueued later (`app.jobs.pending`).
"""

from __future__ import annotations

import logging

from flask import current_app
from redis import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from rq import Queue

QUEUES = ("default", "letters", "mail")
REDIS_ERRORS = (RedisConnectionError, RedisTimeoutError)
# A page that enqueues must not hang on a dead Redis: fail fast and keep the job in the database.
REDIS_TIMEOUT_SECONDS = 2

log = logging.getLogger(__name__)


def redis_connection() -> Redis | None:
    url = current_app.config.get("REDIS_URL")
    if not url:
        return None
    connection = current_app.extensions.get("recouvra_redis")
    if connection is None:
        connection = Redis.from_url(
            url,
            socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
            socket_timeout=REDIS_TIMEOUT_SECONDS,
        )
        current_app.extensions["recouvra_redis"] = connection
    return connection


def get_queue(name: str = "default") -> Queue | None:
    connection = redis_connection()
    if connection is None:
        return None
    return Queue(name, connection=connection)


def task_path(task) -> str:
    return f"{task.__module__}.{task.__name__}"


def enqueue(task, *args, queue: str = "default", retry=None, job_timeout=None, **kwargs):
    """Run `task(*args)` in a worker, or now if no Redis is configured. `retry` (an rq.Retry)
    and `job_timeout` only apply to a worker: run inline, a failure is the task's to record.

    Redis configured but unreachable: the job is stored as a PendingJob and None is returned;
    the caller's work is already committed, so nothing is lost."""
    rq_queue = get_queue(queue)
    if rq_queue is None:
        return task(*args, **kwargs)
    try:
        return rq_queue.enqueue(task, *args, retry=retry, job_timeout=job_timeout, **kwargs)
    except REDIS_ERRORS as exc:
        if kwargs:
            raise  # a PendingJob keeps positional arguments only
        keep_pending(task, args, queue=queue, retry=retry, error=exc)
        return None


def keep_pending(task, args, *, queue: str, retry=None, error: Exception | None = None):
    from app.extensions import db
    from app.models import PendingJob

    row = PendingJob(
        task=task_path(task),
        args=list(args),
        queue=queue,
        retry_max=retry.max if retry is not None else None,
        retry_intervals=list(retry.intervals) if retry is not None else None,
        last_error=str(error) if error is not None else None,
    )
    db.session.add(row)
    db.session.commit()
    log.warning("Redis unreachable (%s): %s kept as pending job %s", error, row.task, row.id)
    return row


def enqueue_many(task, args_list: list[tuple], *, queue: str = "default", retry=None) -> None:
    """`enqueue` for many jobs of one task in one Redis round trip (the daily run queues
    thousands). Without Redis each runs inline, in order."""
    rq_queue = get_queue(queue)
    if rq_queue is None:
        for args in args_list:
            task(*args)
        return
    try:
        rq_queue.enqueue_many(
            [Queue.prepare_data(task, args=args, retry=retry) for args in args_list]
        )
    except REDIS_ERRORS:
        # Redis went away: one by one, so that `enqueue` keeps each job for later.
        for args in args_list:
            enqueue(task, *args, queue=queue, retry=retry)
