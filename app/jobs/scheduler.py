"""The periodic jobs, registered by the single scheduler process (`flask scheduler`).

Every periodic job is safe to run twice and catches up by itself: the cadence job asks "has
today's run happened?" every 15 minutes rather than firing once at 6:00, so a scheduler that was
down at 6:00 runs the day when it comes back. Run exactly one scheduler: it enqueues, workers run.
"""

from __future__ import annotations

from rq.cron import CronScheduler

from app.jobs import tasks
from app.jobs.pending import flush_pending_jobs_task
from app.jobs.personal_data import purge_personal_data

CADENCE_CHECK_SECONDS = 15 * 60
PENDING_FLUSH_SECONDS = 60
DIGEST_CHECK_SECONDS = 60 * 60
STRIPE_EVENTS_CHECK_SECONDS = 5 * 60
# Debtors past retention (LAW.md section 8): by state, not by date, so any run catches up.
PURGE_CHECK_SECONDS = 6 * 60 * 60

PERIODIC_JOBS = (
    # (task, queue, interval in seconds, job timeout in seconds)
    (tasks.run_cadence_if_due, "default", CADENCE_CHECK_SECONDS, 3600),
    (flush_pending_jobs_task, "default", PENDING_FLUSH_SECONDS, 300),
    (tasks.send_daily_digests, "mail", DIGEST_CHECK_SECONDS, 900),
    (tasks.requeue_stripe_events, "default", STRIPE_EVENTS_CHECK_SECONDS, 300),
    (purge_personal_data, "default", PURGE_CHECK_SECONDS, 3600),
)


def build_scheduler(connection) -> CronScheduler:
    scheduler = CronScheduler(connection=connection, name="recouvra-scheduler")
    for task, queue, interval, timeout in PERIODIC_JOBS:
        scheduler.register(task, queue_name=queue, interval=interval, job_timeout=timeout)
    return scheduler
