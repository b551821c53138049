"""RQ tasks: thin wrappers that load ids and call a service. Each creates its own app context
when run by a worker (see `app.jobs.worker`)."""

from __future__ import annotations

from app.jobs.context import with_app_context


@with_app_context
def send_password_reset(user_id: int) -> None:
    from app.services import accounts

    accounts.send_password_reset_email(user_id)


@with_app_context
def generate_letter(actor_id: int, case_id: int, template: str, letter_date: str) -> int:
    """Safe to run twice: the same template, case and day gives back the same letter."""
    from datetime import date

    from app.extensions import db
    from app.models import Case, User
    from app.services import letters

    actor, case = db.session.get(User, actor_id), db.session.get(Case, case_id)
    letter = letters.generate_letter(
        actor, case, template, letter_date=date.fromisoformat(letter_date)
    )
    return letter.id


@with_app_context
def send_letter_email(letter_id: int) -> None:
    """Sends once; a failure is recorded on the letter and raised so that RQ retries it later.
    Run inline (no Redis), the failure stays on the letter for the agent to retry."""
    from rq import get_current_job

    from app.services import letters

    try:
        letters.deliver_email(letter_id)
    except Exception:
        if get_current_job() is not None:
            raise


@with_app_context
def generate_letter_batch(actor_id: int, case_ids: list[int], template: str, letter_date: str):
    """Progress goes into the job's meta for the progress page; each case's letter is
    idempotent, so a batch run twice generates nothing twice."""
    from datetime import date

    from rq import get_current_job

    from app.extensions import db
    from app.models import User
    from app.services import letters

    job = get_current_job()

    def report(progress) -> None:
        if job is not None:
            job.meta.update(progress.as_dict())
            job.save_meta()

    actor = db.session.get(User, actor_id)
    progress = letters.generate_batch(
        actor, case_ids, template, letter_date=date.fromisoformat(letter_date), report=report
    )
    return progress.as_dict()


@with_app_context
def process_stripe_event(event_row_id: int) -> str:
    """Safe to run twice: the event is claimed once, in the payment's transaction."""
    from app.services import stripe_events

    return stripe_events.process(event_row_id)


@with_app_context
def requeue_stripe_events() -> int:
    """What the scheduler runs every few minutes: events whose job was lost (a worker killed
    mid-payment) are queued again. Safe to run twice: each event is claimed once."""
    from app.services import stripe_events

    return stripe_events.requeue_stale_events()


@with_app_context
def send_payment_receipt(payment_id: int) -> None:
    """Safe to run twice: a receipt already sent (in the timeline) is not sent again."""
    from app.services import payments

    payments.email_receipt(payment_id)


@with_app_context
def charge_card_installments(day_iso: str) -> dict:
    """The daily charge of card plans for `day_iso`. Safe to run twice: an installment is tried
    once a day, and one whose charge was taken waits for its webhook instead of a second one."""
    from datetime import date

    from app.services import plans

    return plans.charge_due_card_installments(date.fromisoformat(day_iso))


@with_app_context
def perform_cadence_actions(action_ids: list[int]) -> list[str]:
    """A case's steps of the day, in order. Safe to run twice: a finished action is left alone,
    one being done by another job is skipped, and each effect (letter, email, task) is unique
    per case and cause."""
    from app.services import cadence_steps

    return cadence_steps.perform_actions(action_ids)


@with_app_context
def run_cadence(day_iso: str | None = None, force: bool = False) -> dict | None:
    """The daily run for `day_iso` (default: today in Paris). Safe to run twice and from two
    workers: the day's run row is claimed once, and every action has a unique natural key."""
    from datetime import date

    from app.clock import paris_today
    from app.services import cadence

    day = date.fromisoformat(day_iso) if day_iso else paris_today()
    run = cadence.daily_run(day, force=force)
    return run.counts if run else None


@with_app_context
def run_cadence_if_due() -> dict | None:
    """What the scheduler enqueues every 15 minutes: the day's run once it is 6:00 in Paris,
    if it has not happened yet; so a scheduler or worker down at 6:00 catches up on restart."""
    from flask import current_app

    from app.services import cadence

    run = cadence.run_if_due(hour=current_app.config.get("CADENCE_HOUR", 6))
    return run.counts if run else None


@with_app_context
def notify_message(message_id: int) -> int:
    """Safe to run twice: the message is claimed once (its notified_at), then emailed."""
    from app.services import notifications

    return notifications.send_message_notification(message_id)


@with_app_context
def notify_approval_request(request_id: int) -> int:
    """Safe to run twice: an audit event records that the request was emailed."""
    from app.services import notifications

    return notifications.send_approval_notification(request_id)


@with_app_context
def send_daily_digests(day_iso: str | None = None) -> int:
    """The digest of `day_iso` (default: yesterday in Paris) for users who chose one a day.
    The scheduler enqueues it every hour: each user's digest of a day is sent once, so the
    repeats do nothing, and a scheduler down overnight sends it when it comes back."""
    from datetime import date

    from app.services import notifications

    day = date.fromisoformat(day_iso) if day_iso else notifications.paris_yesterday()
    return notifications.send_daily_digests(day)
