"""Background jobs. Tasks receive ids, never ORM objects, and are safe to run twice.

With REDIS_URL set, `enqueue` puts the task on an RQ queue; without it the task runs inline, so
the app works with no Redis. Services call `enqueue` only after their commit.
"""

from __future__ import annotations

from flask import current_app
from redis import Redis
from redis.exceptions import RedisError
from rq import Queue

QUEUES = ("default", "letters", "mail")


def redis_connection() -> Redis | None:
    url = current_app.config.get("REDIS_URL")
    if not url:
        return None
    connection = current_app.extensions.get("recouvra_redis")
    if connection is None:
        connection = Redis.from_url(url)
        current_app.extensions["recouvra_redis"] = connection
    return connection


def get_queue(name: str = "default") -> Queue | None:
    connection = redis_connection()
    if connection is None:
        return None
    return Queue(name, connection=connection)


def enqueue(task, *args, queue: str = "default", retry=None, job_timeout=None, **kwargs):
    """Run `task(*args)` in a worker, or now if no Redis is configured. `retry` (an rq.Retry)
    and `job_timeout` only apply to a worker: run inline, a failure is the task's to record."""
    rq_queue = get_queue(queue)
    if rq_queue is None:
        return task(*args, **kwargs)
    return rq_queue.enqueue(task, *args, retry=retry, job_timeout=job_timeout, **kwargs)


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
    except RedisError:
        # Redis went away: one by one, so that `enqueue` keeps each job for later.
        for args in args_list:
            enqueue(task, *args, queue=queue, retry=retry)
