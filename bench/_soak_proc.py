"""The processes bench/soak.py starts, each with the job count the soak checks at the end.

    python bench/_soak_proc.py setup       # schema (migrations), demo portfolio, debtor links
    python bench/_soak_proc.py worker      # `flask worker`, counting each job that finishes
    python bench/_soak_proc.py scheduler   # `flask scheduler`
    gunicorn bench._soak_proc:app          # the web app

Every process records the id of each job it puts on a queue (any path: enqueue, enqueue_many,
a dependent, a scheduled job) in the Redis set `soak:enqueued`; the worker records each job
that finished in `soak:finished`. A job in the first set and not in the second is then either
still waiting, failed (RQ keeps failed jobs), or lost. The app itself is unchanged.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from rq import Queue, Worker  # noqa: E402

ENQUEUED = "soak:enqueued"
FINISHED = "soak:finished"

_enqueue_job = Queue.enqueue_job
_enqueue_job_inner = Queue._enqueue_job
_schedule_job = Queue.schedule_job


def _note(queue: Queue, job) -> None:
    # After the call, on the connection: a pipeline may be between WATCH and MULTI.
    queue.connection.sadd(ENQUEUED, job.id)


def _counted_enqueue_job(self, job, pipeline=None, at_front=False, unique=False):
    job = _enqueue_job(self, job, pipeline=pipeline, at_front=at_front, unique=unique)
    _note(self, job)
    return job


def _counted_enqueue_job_inner(self, job, pipeline=None, at_front=False, unique=False):
    job = _enqueue_job_inner(self, job, pipeline=pipeline, at_front=at_front, unique=unique)
    _note(self, job)
    return job


def _counted_schedule_job(self, job, datetime, pipeline=None, unique=False):
    job = _schedule_job(self, job, datetime, pipeline=pipeline, unique=unique)
    _note(self, job)
    return job


Queue.enqueue_job = _counted_enqueue_job
Queue._enqueue_job = _counted_enqueue_job_inner
Queue.schedule_job = _counted_schedule_job


class CountingWorker(Worker):
    def handle_job_success(self, job, queue, started_job_registry):
        super().handle_job_success(job, queue, started_job_registry)
        self.connection.sadd(FINISHED, job.id)


def _create_app():
    from app import create_app

    return create_app()


def setup(links: int) -> None:
    """Schema, demo portfolio, `links` debtor links; prints what the traffic needs as JSON."""
    import sqlalchemy as sa
    from flask_migrate import upgrade

    from app import demo
    from app.domain import pipeline, roles
    from app.extensions import db
    from app.models import Case
    from app.services import debtor_access

    application = _create_app()
    with application.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        demo.seed_demo()
        accounts = demo.demo_accounts()
        agent = next(u for u in accounts if u.role == roles.AGENT)
        open_cases = [
            case
            for case in db.session.scalars(sa.select(Case).order_by(Case.id))
            if case.stage == pipeline.AMICABLE
        ]
        pages = []
        for case in open_cases[:links]:
            token = debtor_access.create_link(agent, case)
            link = debtor_access.find_link(token)
            pages.append({"token": token, "answer": debtor_access._expected(link)})
        db.session.commit()
        print(
            json.dumps(
                {
                    "password": demo.DEMO_PASSWORD,
                    "agents": [u.email for u in accounts if u.role == roles.AGENT],
                    "creditors": [
                        u.email
                        for u in accounts
                        if not u.organisation.is_agency and u.role == roles.CREDITOR_USER
                    ],
                    "pages": pages,
                    "case_ids": [case.id for case in open_cases],
                }
            )
        )


def worker() -> None:
    from app.extensions import db
    from app.jobs import QUEUES, redis_connection
    from app.jobs.pending import flush_pending_jobs

    application = _create_app()
    with application.app_context():
        flush_pending_jobs()
        db.session.remove()
        db.engine.dispose()
        CountingWorker(list(QUEUES), connection=redis_connection()).work(with_scheduler=True)


def scheduler() -> None:
    from app.jobs import redis_connection
    from app.jobs.scheduler import build_scheduler

    application = _create_app()
    with application.app_context():
        build_scheduler(redis_connection()).start()


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "setup":
        setup(int(sys.argv[2]) if len(sys.argv) > 2 else 20)
    elif command == "worker":
        worker()
    elif command == "scheduler":
        scheduler()
    else:
        raise SystemExit(f"unknown command {command}")
else:
    app = _create_app()
