"""Performing the cadence's steps: the job's work, one case's steps of the day in order.

Each step is claimed with a lease (a second job for it leaves it alone), then done through the
letters, tasks and escalation services, whose effects are unique per case and cause: a job
killed half-way and run again does each thing once. A step that cannot go out for this case
(no address, no first letter) becomes a task for the agent; one blocked by the agency's rate
table waits for the next daily run.
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from datetime import date, timedelta

import sqlalchemy as sa
from rq import Retry
from sqlalchemy.exc import IntegrityError

from app.domain import cadence
from app.domain import letters as letter_rules
from app.domain.interest import MissingRate
from app.extensions import db
from app.models import CadenceAction, CadenceRun, Case, Letter, Organisation, User
from app.models.base import utcnow
from app.services import tasks
from app.services.audit import add_timeline
from app.services.errors import ValidationFailed

ACTION_LEASE = timedelta(minutes=10)  # a job holds its action this long (a letter takes seconds)
ACTION_RETRY = (60, 300, 900)  # seconds between a job's attempts after an error
QUEUE_OF_CHANNEL = {
    cadence.LETTER: "letters",
    cadence.REGISTERED: "letters",
    cadence.EMAIL: "mail",
}
SYSTEM_EMAIL = "automatique@recouvra.invalid"


def enqueue_actions(rows) -> None:
    """One job per case, its actions in step order: a case's email must not overtake the first
    letter it quotes, which separate jobs on separate queues could do."""
    from app.jobs import enqueue_many
    from app.jobs.tasks import perform_cadence_actions

    by_case: dict[int, list] = defaultdict(list)
    for row in rows:
        by_case[row.case_id].append(row)
    by_queue: dict[str, list] = defaultdict(list)
    for case_rows in by_case.values():
        case_rows.sort(key=lambda r: r.id)
        channels = {r.channel for r in case_rows}
        queue = next(
            (
                QUEUE_OF_CHANNEL[c]
                for c in (cadence.LETTER, cadence.REGISTERED, cadence.EMAIL)
                if c in channels
            ),
            "default",
        )
        by_queue[queue].append(([r.id for r in case_rows],))
    retry = Retry(max=len(ACTION_RETRY), interval=list(ACTION_RETRY))
    for queue, args_list in by_queue.items():
        enqueue_many(perform_cadence_actions, args_list, queue=queue, retry=retry)


AFTER_FAILURE = "L'étape précédente n'a pas pu être faite."
AFTER_BLOCKED = "En attente de l'étape précédente."


def perform_actions(action_ids: list[int]) -> list[str]:
    """A case's actions of the day, in order. Stops at one another job is doing (that job
    goes on with the rest); after a failed step the rest of the day is not done (the email that
    quotes a letter that did not go); after a blocked one the rest waits with it."""
    results = []
    for position, action_id in enumerate(action_ids):
        result = perform_action(action_id)
        results.append(result)
        if result in ("failed", "blocked"):
            _hold_back(action_ids[position + 1 :], result)
            break
        if result == "busy":
            break
    return results


def _hold_back(action_ids: list[int], cause: str) -> None:
    for action in db.session.scalars(
        sa.select(CadenceAction).where(
            CadenceAction.id.in_(action_ids), CadenceAction.status == "pending"
        )
    ):
        if cause == "blocked":
            action.status, action.detail = "blocked", AFTER_BLOCKED
        else:
            _finish(action, "skipped", AFTER_FAILURE)
    db.session.commit()


def system_actor() -> User:
    """The agency's automation account: it signs what the cadence does on unassigned cases.
    Inactive, so nobody can log in with it."""
    user = db.session.scalars(sa.select(User).where(User.email == SYSTEM_EMAIL)).first()
    if user is not None:
        return user
    agency = db.session.scalars(
        sa.select(Organisation).where(Organisation.kind == "agency").order_by(Organisation.id)
    ).first()
    if agency is None:
        raise RuntimeError("no agency organisation: create it before running the cadence")
    from werkzeug.security import generate_password_hash

    user = User(
        email=SYSTEM_EMAIL,
        full_name="Service de recouvrement",
        password_hash=generate_password_hash(secrets.token_urlsafe(32)),
        role="agent",
        organisation_id=agency.id,
        active=False,
    )
    db.session.add(user)
    try:
        db.session.commit()
    except IntegrityError:  # another worker created it at the same moment
        db.session.rollback()
        user = db.session.scalars(sa.select(User).where(User.email == SYSTEM_EMAIL)).one()
    return user


def _actor_for(case: Case) -> User:
    agent = case.assigned_agent
    return agent if agent is not None and agent.active else system_actor()


def perform_action(action_id: int) -> str:
    """Do the step once and say what became of it ("done", "skipped", "failed"). Called by the
    job; safe to call again: a finished action is left alone, and each effect is idempotent."""
    action = db.session.get(CadenceAction, action_id)
    if action is None or action.status in ("done", "skipped", "failed"):
        return action.status if action else "missing"
    # One job at a time per action: a duplicate job finds the lease taken and leaves it.
    now = utcnow()
    claimed = db.session.execute(
        sa.update(CadenceAction)
        .where(
            CadenceAction.id == action_id,
            CadenceAction.status == "pending",
            sa.or_(
                CadenceAction.claimed_at.is_(None),
                CadenceAction.claimed_at < now - ACTION_LEASE,
            ),
        )
        .values(claimed_at=now, attempts=CadenceAction.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    if claimed.rowcount != 1:
        return "busy"
    db.session.refresh(action)
    case = action.case
    # The case may have changed between the decision and the job.
    if not case.is_open or case.stage != action.stage:
        return _finish(action, "skipped", "Le dossier a changé d'étape.")
    if case.hold_reason in cadence.HELD and action.channel != cadence.ESCALATION:
        return _finish(action, "skipped", "Le dossier est suspendu.")
    actor = _actor_for(case)
    try:
        detail = _perform(action, case, actor)
    except ValidationFailed as exc:
        db.session.rollback()
        reasons = " ".join(m for messages in exc.errors.values() for m in messages)
        if isinstance(exc.__cause__, MissingRate):
            # The agency's rate table, not this case: no task per case; tried again tomorrow.
            action.status, action.detail, action.claimed_at = "blocked", reasons, None
            db.session.commit()
            return "blocked"
        # Not worth retrying (a missing address or mention): the agent is told instead.
        tasks.raise_task(
            case,
            "follow_up",
            due_on=cadence.next_business_day(action.planned_on),
            source_key=f"cadence-failed:{action.id}",
            data={"reason": reasons, "channel": action.channel, "template": action.template},
        )
        return _finish(action, "failed", reasons)
    if detail == "skipped":
        return action.status
    return _finish(action, "done", detail)


def failed_on(day: date) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(CadenceAction.id)).where(
            CadenceAction.planned_on == day, CadenceAction.status == "failed"
        )
    )


def _count_failure(day: date) -> None:
    """The day's run shows its failures, counted again (not incremented) so that concurrent
    jobs cannot lose one."""
    run = db.session.scalars(sa.select(CadenceRun).where(CadenceRun.run_on == day)).first()
    if run is not None:
        run.counts = {**(run.counts or {}), "failed": failed_on(day)}


def _finish(action: CadenceAction, status: str, detail: str | None) -> str:
    action.status, action.detail, action.performed_at = status, detail, utcnow()
    if status == "failed":
        db.session.flush()
        _count_failure(action.planned_on)
    add_timeline(
        action.case,
        None,
        f"cadence_{status}",
        detail or "",
        data={
            "action_id": action.id,
            "channel": action.channel,
            "template": action.template,
            "step": action.step_index + 1,
        },
    )
    db.session.commit()
    return status


def _perform(action: CadenceAction, case: Case, actor: User) -> str | None:
    from app.services import letters

    day = action.planned_on
    by_hand = _sent_by_hand(action, case)
    if by_hand is not None:
        _finish(action, "skipped", f"Déjà envoyé par un agent : {by_hand.reference}.")
        return "skipped"
    preference = case.debtor.contact_preference
    if action.channel in (cadence.LETTER, cadence.REGISTERED):
        letter = letters.generate_letter(actor, case, action.template, letter_date=day)
        action.letter_id = letter.id
        if letter.status == "generated":
            # The debtor asked for email: an ordinary letter goes by email (a registered one
            # keeps its proof of receipt and goes by post).
            if action.channel == cadence.LETTER and preference == "email" and case.debtor.emails:
                letters.send_by_email(actor, letter)
            else:
                letters.mark_to_post(actor, letter, registered=action.channel == cadence.REGISTERED)
        db.session.commit()
        return letter.reference
    if action.channel == cadence.EMAIL:
        if not case.debtor.emails:
            _finish(action, "skipped", "Le débiteur n'a pas d'adresse e-mail.")
            return "skipped"
        if preference == "post":
            _finish(action, "skipped", "Le débiteur a demandé à être contacté par courrier.")
            return "skipped"
        if action.template in letter_rules.EMAIL_TEMPLATES:
            letter = letters.send_email_reminder(actor, case, today=day)
        else:
            letter = letters.generate_letter(actor, case, action.template, letter_date=day)
            if letter.status == "generated":
                letters.send_by_email(actor, letter)
        action.letter_id = letter.id
        db.session.commit()
        _resend_if_stuck(letter, rerun=action.attempts > 1)
        return letter.reference
    if action.channel == cadence.CALL:
        tasks.raise_task(
            case,
            "call",
            due_on=cadence.next_business_day(day),
            source_key=f"cadence:{action.id}",
            data={"step": action.step_index + 1},
        )
        return None
    if action.channel == cadence.SMS:
        _finish(action, "skipped", "SMS : aucun fournisseur configuré.")
        return "skipped"
    if action.channel == cadence.ESCALATION:
        from app.services import escalation

        escalation.request_escalation(case, today=day, source_key=f"cadence:{action.id}")
        return None
    raise ValueError(f"unknown channel {action.channel}")


def _sent_by_hand(action: CadenceAction, case: Case) -> Letter | None:
    """The same letter an agent already sent in this stage (not this step's own, which a rerun
    finds on the step's day): the step is not repeated."""
    if not action.template:
        return None
    query = sa.select(Letter).where(
        Letter.case_id == case.id,
        Letter.letter_date >= action.stage_started_on,
        Letter.letter_date != action.planned_on,
    )
    template = letter_rules.TEMPLATES.get(action.template)
    if template is not None and template.kind == letter_rules.AMICABLE_FIRST:
        # Any first letter counts: the law allows one (R124-4), whichever template it used.
        first = [n for n, t in letter_rules.TEMPLATES.items() if t.kind == template.kind]
        query = query.where(Letter.template.in_(first))
    else:
        query = query.where(Letter.template == action.template)
    return db.session.scalars(query.order_by(Letter.id)).first()


def _resend_if_stuck(letter: Letter, *, rerun: bool) -> None:
    """A job killed between the letter's commit and its email's enqueue left it "sending" with
    no job: enqueue the email again (delivery claims the letter, so it is sent once)."""
    from app.jobs import enqueue
    from app.jobs.tasks import send_letter_email

    if letter.status == "sending" and letter.attempts == 0 and rerun:
        enqueue(
            send_letter_email,
            letter.id,
            queue="mail",
            retry=Retry(max=len(ACTION_RETRY), interval=list(ACTION_RETRY)),
        )
