"""Agent tasks: what an agent must do on a case, on which day, and in which order.

A task is raised once per cause (`source_key` is unique), so the daily run, a retried job or a
second worker cannot raise it twice. The case's `next_action_on` follows its earliest open task,
so the existing queue and due counts stay right.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import joinedload

from app.domain import cadence, pipeline, scoring
from app.domain.i18n import N_
from app.extensions import db
from app.models import CallLog, Case, Letter, Payment, Promise, Task
from app.models.base import utcnow
from app.services import access
from app.services.audit import _jsonable, add_timeline, record_audit
from app.services.errors import ValidationFailed


def insert_for_dialect(table):
    """An INSERT that can say ON CONFLICT DO NOTHING, on PostgreSQL and SQLite alike."""
    insert = pg_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
    return insert(table)


def insert_if_new(table, values: dict) -> int | None:
    """INSERT ... ON CONFLICT DO NOTHING on the natural key; the new row's id, or None when the
    row existed (RETURNING says so reliably; rowcount does not on every driver)."""
    statement = (
        insert_for_dialect(table).values(**values).on_conflict_do_nothing().returning(table.c.id)
    )
    return db.session.execute(statement).scalar()


def raise_task(
    case: Case, kind: str, *, due_on: date, source_key: str, data: dict | None = None
) -> Task | None:
    """Add the task unless its cause already raised one; returns it, or None if it existed.
    Does not commit (the caller's transaction holds the cause and the task together)."""
    new_id = insert_if_new(
        Task.__table__,
        {
            "case_id": case.id,
            "kind": kind,
            "due_on": due_on,
            "status": "open",
            "source_key": source_key,
            "data": _jsonable(data or {}),
            "created_at": utcnow(),
        },
    )
    if new_id is None:
        return None
    task = db.session.get(Task, new_id)
    if case.is_open and (case.next_action_on is None or due_on < case.next_action_on):
        case.next_action_on = due_on
    return task


def open_tasks(case: Case) -> list[Task]:
    return list(
        db.session.scalars(
            sa.select(Task)
            .where(Task.case_id == case.id, Task.status == "open")
            .order_by(Task.due_on, Task.id)
        )
    )


def _refresh_next_action(case: Case) -> None:
    earliest = db.session.scalar(
        sa.select(sa.func.min(Task.due_on)).where(Task.case_id == case.id, Task.status == "open")
    )
    if earliest is not None:
        case.next_action_on = earliest


def complete_task(actor, task: Task, *, note: str = "") -> Task:
    access.require_agency(actor)
    if task.status != "open":
        raise ValidationFailed({"task": [N_("Cette tâche est déjà terminée.")]})
    task.status, task.done_at, task.done_by_id = "done", utcnow(), actor.id
    add_timeline(
        task.case,
        actor,
        "task_done",
        note,
        data={"task_id": task.id, "kind": task.kind},
    )
    record_audit(actor, "task.done", "task", task.id, case_id=task.case_id, changes={"note": note})
    db.session.flush()
    _refresh_next_action(task.case)
    db.session.commit()
    return task


def _close(tasks, status: str, actor) -> int:
    for task in tasks:
        task.status, task.done_at = status, utcnow()
        task.done_by_id = actor.id if actor else None
    return len(tasks)


def complete_call_tasks(actor, case: Case, today: date) -> int:
    """An outbound call logged on the case answers its call tasks due by today. Does not
    commit (the call's transaction does)."""
    tasks = db.session.scalars(
        sa.select(Task).where(
            Task.case_id == case.id,
            Task.status == "open",
            Task.kind.in_(("call", "callback", "follow_up", "promise_broken", "plan_breached")),
            Task.due_on <= today,
        )
    ).all()
    return _close(tasks, "done", actor)


def cancel_open_tasks(case: Case, actor=None) -> int:
    """A case that closes or goes back to its creditor leaves nothing to do. Does not commit."""
    tasks = db.session.scalars(
        sa.select(Task).where(Task.case_id == case.id, Task.status == "open")
    ).all()
    return _close(tasks, "cancelled", actor)


# --- The queue of tasks, by priority --------------------------------------------------------


@dataclass(frozen=True)
class QueuedTask:
    task: Task
    score: scoring.Score


def _facts_by_case(case_ids: list[int], today: date) -> dict[int, dict]:
    """What the score needs, for every case at once (a handful of grouped queries)."""
    facts: dict[int, dict] = {cid: {} for cid in case_ids}
    if not case_ids:
        return facts
    for cid, paid in db.session.execute(
        sa.select(Payment.case_id, sa.func.coalesce(sa.func.sum(Payment.amount_cents), 0))
        .where(Payment.case_id.in_(case_ids), Payment.reversed_at.is_(None))
        .group_by(Payment.case_id)
    ):
        facts[cid]["paid"] = int(paid)
    from app.models import Invoice

    for cid, oldest in db.session.execute(
        sa.select(Invoice.case_id, sa.func.min(Invoice.due_date))
        .where(Invoice.case_id.in_(case_ids))
        .group_by(Invoice.case_id)
    ):
        facts[cid]["oldest_due_on"] = oldest
    for cid, last_letter in db.session.execute(
        sa.select(Letter.case_id, sa.func.max(Letter.letter_date))
        .where(Letter.case_id.in_(case_ids))
        .group_by(Letter.case_id)
    ):
        facts[cid]["last_letter"] = last_letter
    for cid, last_call in db.session.execute(
        sa.select(CallLog.case_id, sa.func.max(CallLog.called_at))
        .where(CallLog.case_id.in_(case_ids), CallLog.direction == "outbound")
        .group_by(CallLog.case_id)
    ):
        facts[cid]["last_call"] = last_call.date() if last_call else None
    for cid, status in db.session.execute(
        sa.select(Promise.case_id, Promise.status)
        .where(Promise.case_id.in_(case_ids), Promise.status.in_(("kept", "broken")))
        .order_by(Promise.case_id, Promise.id)
    ):
        entry = facts[cid]
        entry["broken"] = entry.get("broken", 0) + (status == "broken")
        entry["last_kept"] = status == "kept"
    return facts


def score_of(task: Task, facts: dict, today: date) -> scoring.Score:
    contacts = [d for d in (facts.get("last_letter"), facts.get("last_call")) if d]
    return scoring.score(
        scoring.ScoreFacts(
            outstanding_cents=max(0, task.case.claim_cents - facts.get("paid", 0)),
            oldest_due_on=facts.get("oldest_due_on"),
            last_contact_on=max(contacts) if contacts else None,
            broken_promises=facts.get("broken", 0),
            last_promise_kept=facts.get("last_kept", False),
            task_kind=task.kind,
        ),
        today,
    )


def _due_in_queue(user, today: date):
    """The condition: open, due by today, on a case in this user's queue."""
    visible = access.visible_cases(user).where(Case.stage.in_(pipeline.OPEN_STAGES))
    if not user.is_manager:
        visible = visible.where(
            sa.or_(Case.assigned_agent_id == user.id, Case.assigned_agent_id.is_(None))
        )
    return sa.and_(
        Task.status == "open",
        Task.due_on <= today,
        Task.case_id.in_(visible.with_only_columns(Case.id)),
    )


def count_due_tasks(user, today: date) -> int:
    return db.session.scalar(sa.select(sa.func.count(Task.id)).where(_due_in_queue(user, today)))


def due_tasks(user, today: date, *, limit: int = 50) -> list[QueuedTask]:
    """Open tasks due by today on the cases in this user's queue, highest score first (the
    500 oldest are scored: an agent works through a day's tasks long before that)."""
    rows = list(
        db.session.scalars(
            sa.select(Task)
            .where(_due_in_queue(user, today))
            .options(joinedload(Task.case).joinedload(Case.debtor))
            .order_by(Task.due_on, Task.id)
            .limit(500)
        ).unique()
    )
    facts = _facts_by_case(sorted({t.case_id for t in rows}), today)
    queued = [QueuedTask(t, score_of(t, facts[t.case_id], today)) for t in rows]
    queued.sort(key=lambda q: (-q.score.total, q.task.due_on, q.task.id))
    return queued[:limit]


def case_tasks(case: Case, today: date) -> list[QueuedTask]:
    """The open tasks of one case with their score, soonest first (for the case page)."""
    tasks = open_tasks(case)
    facts = _facts_by_case([case.id], today)[case.id]
    return [QueuedTask(t, score_of(t, facts, today)) for t in tasks]


@dataclass(frozen=True)
class CallingNow:
    allowed: bool
    next_opening: datetime


def calling_now(now: datetime | None = None) -> CallingNow:
    """Whether the agency's calling hours allow a call now (Paris time), and when they next do."""
    from app.clock import PARIS, paris_now

    now = (now or paris_now()).astimezone(PARIS)
    return CallingNow(
        allowed=cadence.CALLING_HOURS.allows(now),
        next_opening=cadence.CALLING_HOURS.next_opening(now),
    )


def complete_open_tasks(case: Case, actor, *, source_key: str) -> int:
    """The task a cause raised is done once the cause is dealt with. Does not commit."""
    tasks = db.session.scalars(
        sa.select(Task).where(
            Task.case_id == case.id, Task.status == "open", Task.source_key == source_key
        )
    ).all()
    return _close(tasks, "done", actor)
