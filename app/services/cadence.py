"""The daily run: every open case, its due step, performed once.

`daily_run(today)` reviews promises and plans, then reads the open cases in chunks with a few
grouped queries, asks `domain.cadence.decide` what is due, inserts one `CadenceAction` per step
with its natural key (case, step, due date; a duplicate insert does nothing), commits, and only
then queues one job per case for its new steps; `services.cadence_steps` does the work (a
letter, an email, a call task, an escalation request), each effect unique per case and cause.

Missed days need no special case: due dates are counted from the stage start, so the next run
finds every step still due, in order, and the contact cap spreads them out.
"""

from __future__ import annotations

import logging
import time as clock
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa

from app.clock import PARIS, paris_date, paris_now
from app.domain import cadence, limitation, pipeline
from app.domain import letters as letter_rules
from app.extensions import db
from app.models import (
    CadenceAction,
    CadenceRun,
    CallLog,
    Case,
    Debtor,
    Invoice,
    Letter,
    Organisation,
    PaymentPlan,
    Promise,
    Task,
    TimelineEntry,
)
from app.models.base import utcnow
from app.services import bulk, cadence_steps, judicial, plans, prescription, tasks
from app.services.audit import _jsonable
from app.services.scenarios import active_scenarios

log = logging.getLogger(__name__)

CHUNK = 2_000
STALE_RUN_MINUTES = 30  # a run whose heartbeat is older than this died: another may take over
STALE_ACTION_MINUTES = 30  # a pending action this old, unclaimed, lost its job: enqueue it again
# Letters that reach the debtor count as contacts; court drafts and creditor statements do not.
DEBTOR_TEMPLATES = tuple(
    [name for name, t in letter_rules.TEMPLATES.items() if t.to_debtor]
    + list(letter_rules.EMAIL_TEMPLATES)
)


def debtor_key(identity_id: int | None, debtor_id: int) -> str:
    """One person across creditors when a SIREN links them, else the debtor record."""
    return f"i{identity_id}" if identity_id else f"d{debtor_id}"


# --- The run --------------------------------------------------------------------------------


@dataclass
class RunCounts:
    cases: int = 0
    acted: int = 0  # actions decided (and enqueued) today
    skipped: int = 0  # cases with nothing to do today
    deferred: int = 0  # contacts held back by the cap
    failed: int = 0  # actions whose job failed
    reviewed: int = 0  # cases whose promise or plan was reviewed
    flagged: int = 0  # limitation alerts raised
    requeued: int = 0  # pending actions from earlier runs enqueued again
    blocked: int = 0  # steps waiting for the agency (a missing rate), every day together
    deadlines: int = 0  # judicial deadlines within 15 days that raised a task
    reasons: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def as_dict(self) -> dict:
        data = {k: v for k, v in vars(self).items() if k != "reasons"}
        data["reasons"] = dict(self.reasons)
        return data


def _claim_run(today: date, force: bool) -> CadenceRun | None:
    """The run row for `today`, claimed by this process; None if another has it or it is done."""
    run = db.session.scalars(sa.select(CadenceRun).where(CadenceRun.run_on == today)).first()
    if run is None:
        new_id = tasks.insert_if_new(
            CadenceRun.__table__,
            {
                "run_on": today,
                "status": "running",
                "started_at": utcnow(),
                "heartbeat_at": utcnow(),
                "counts": {},
            },
        )
        db.session.commit()
        run = db.session.scalars(sa.select(CadenceRun).where(CadenceRun.run_on == today)).one()
        if new_id is not None or force:
            return run
        return None
    if force:
        run.status, run.started_at, run.heartbeat_at, run.finished_at = (
            "running",
            utcnow(),
            utcnow(),
            None,
        )
        db.session.commit()
        return run
    stale = utcnow() - timedelta(minutes=STALE_RUN_MINUTES)
    if run.status == "done" or (run.status == "running" and run.heartbeat_at > stale):
        return None
    # A failed run, or one whose worker died: take it over, unless someone just did.
    taken = db.session.execute(
        sa.update(CadenceRun)
        .where(CadenceRun.id == run.id, CadenceRun.heartbeat_at == run.heartbeat_at)
        .values(status="running", started_at=utcnow(), heartbeat_at=utcnow(), finished_at=None)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    if taken.rowcount != 1:
        return None
    db.session.refresh(run)
    return run


def _beat(run: CadenceRun, counts: RunCounts) -> None:
    run.heartbeat_at, run.counts = utcnow(), counts.as_dict()
    db.session.commit()


def daily_run(today: date, *, force: bool = False) -> CadenceRun | None:
    """The whole day's automation, once a day. `force` runs again a day already done (its
    actions still happen once: the natural keys hold). Returns the run, or None when another
    process has it or it is already done."""
    run = _claim_run(today, force)
    if run is None:
        return None
    counts = RunCounts()
    started, run_started = clock.monotonic(), utcnow()
    try:
        counts.reviewed = plans.review_all(today)
        _enqueue_card_charges(today)
        counts.requeued = _requeue_lost_actions() + _retry_blocked_actions(today)
        scenarios = active_scenarios()
        pressure = _pressure_before(today)
        for chunk in _open_case_chunks():
            new_actions = _decide_chunk(chunk, scenarios, pressure, today, counts, run_started)
            counts.flagged += _flag_limitation(chunk, today)
            db.session.commit()
            cadence_steps.enqueue_actions(new_actions)
            _beat(run, counts)
        counts.deadlines = judicial.raise_deadline_tasks(today)
        db.session.commit()
        counts.failed = cadence_steps.failed_on(today)
        counts.blocked = db.session.scalar(
            sa.select(sa.func.count(CadenceAction.id)).where(CadenceAction.status == "blocked")
        )
        run.status, run.finished_at = "done", utcnow()
        run.counts = counts.as_dict() | {"seconds": round(clock.monotonic() - started, 2)}
        db.session.commit()
    except Exception as exc:
        db.session.rollback()
        run.status, run.finished_at = "failed", utcnow()
        run.error = f"{type(exc).__name__}: {exc}"[:2000]
        run.counts = counts.as_dict()
        db.session.commit()
        raise
    return run


def run_if_due(now_local=None, *, hour: int = 6) -> CadenceRun | None:
    """What the scheduler calls every few minutes: the day's run once it is `hour` o'clock in
    Paris, if it has not happened yet. After an outage the first call catches up."""
    now_local = now_local or paris_now()
    # Between runs too: an action whose job was lost (a worker killed, Redis flushed) is not
    # left waiting for tomorrow.
    _requeue_lost_actions()
    if now_local.hour < hour:
        return None
    return daily_run(now_local.date())


def _enqueue_card_charges(today: date) -> None:
    from app.jobs import enqueue
    from app.jobs.tasks import charge_card_installments

    if db.session.scalar(
        sa.select(sa.func.count(PaymentPlan.id)).where(
            PaymentPlan.status == "active", PaymentPlan.card_payment_method.is_not(None)
        )
    ):
        enqueue(charge_card_installments, today.isoformat(), job_timeout=1800)


def _requeue_lost_actions() -> int:
    """Pending actions whose job never ran (lost with a Redis flush, or the run died between
    its commit and its enqueue): enqueue them again. A duplicate job does nothing."""
    now = utcnow()
    rows = db.session.execute(
        sa.select(CadenceAction.id, CadenceAction.case_id, CadenceAction.channel).where(
            CadenceAction.status == "pending",
            CadenceAction.created_at < now - timedelta(minutes=STALE_ACTION_MINUTES),
            sa.or_(
                CadenceAction.claimed_at.is_(None),
                CadenceAction.claimed_at < now - cadence_steps.ACTION_LEASE,
            ),
        )
    ).all()
    cadence_steps.enqueue_actions(rows)
    return len(rows)


def _retry_blocked_actions(today: date) -> int:
    """Once a day, steps blocked by something the agency had to fix (a missing rate) are tried
    again, each case's in order, dated today (a letter carries the day it is written); still
    blocked, they wait for the next day."""
    rows = db.session.execute(
        sa.select(CadenceAction.id, CadenceAction.case_id, CadenceAction.channel).where(
            CadenceAction.status == "blocked"
        )
    ).all()
    if rows:
        db.session.execute(
            sa.update(CadenceAction)
            .where(CadenceAction.status == "blocked")
            .values(status="pending", claimed_at=None, planned_on=today)
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
        cadence_steps.enqueue_actions(rows)
    return len(rows)


def _open_case_chunks():
    """Open cases in id order, CHUNK at a time, as light rows (no ORM objects)."""
    last_id = 0
    while True:
        rows = db.session.execute(
            sa.select(
                Case.id,
                Case.stage,
                Case.hold_reason,
                Case.creditor_id,
                Case.claim_cents,
                Case.stage_changed_at,
                Case.debtor_id,
                Debtor.identity_id,
                Debtor.kind,
                Organisation.creditor_is_individual,
            )
            .join(Debtor, Debtor.id == Case.debtor_id)
            .join(Organisation, Organisation.id == Case.creditor_id)
            .where(Case.stage.in_(pipeline.OPEN_STAGES), Case.id > last_id)
            .order_by(Case.id)
            .limit(CHUNK)
        ).all()
        if not rows:
            return
        yield rows
        last_id = rows[-1].id


# --- Contact pressure -----------------------------------------------------------------------


def _pressure_before(today: date) -> cadence.ContactPressure:
    """Contacts already made or planned in the cap's window, per debtor: the cadence's own
    steps, letters an agent sent by hand, and outbound calls that answered no call step."""
    from flask import current_app

    pressure = cadence.ContactPressure(
        cap=current_app.config.get("CADENCE_CONTACT_CAP", cadence.CONTACT_CAP),
        window_days=current_app.config.get("CADENCE_CAP_WINDOW_DAYS", cadence.CAP_WINDOW_DAYS),
    )
    first = today - timedelta(days=pressure.window_days - 1)
    since = datetime.combine(first, time(0), PARIS).astimezone(UTC)
    key_of_case = (
        sa.select(Case.id, Case.debtor_id, Debtor.identity_id)
        .join(Debtor, Debtor.id == Case.debtor_id)
        .subquery()
    )
    steps = db.session.execute(
        sa.select(
            key_of_case.c.identity_id,
            key_of_case.c.debtor_id,
            CadenceAction.case_id,
            CadenceAction.planned_on,
            CadenceAction.channel,
            CadenceAction.letter_id,
        )
        .join(key_of_case, key_of_case.c.id == CadenceAction.case_id)
        .where(
            CadenceAction.planned_on >= first,
            CadenceAction.planned_on <= today,
            CadenceAction.channel.in_(cadence.CONTACT_CHANNELS),
            CadenceAction.status != "skipped",
        )
    ).all()
    cadence_letters = {row.letter_id for row in steps if row.letter_id}
    called_on = {(row.case_id, row.planned_on) for row in steps if row.channel == cadence.CALL}
    for row in steps:
        pressure.record(debtor_key(row.identity_id, row.debtor_id), row.planned_on)
    for row in db.session.execute(
        sa.select(key_of_case.c.identity_id, key_of_case.c.debtor_id, Letter.id, Letter.letter_date)
        .join(key_of_case, key_of_case.c.id == Letter.case_id)
        .where(
            Letter.letter_date >= first,
            Letter.letter_date <= today,
            Letter.template.in_(DEBTOR_TEMPLATES),
        )
    ):
        if row.id not in cadence_letters:
            pressure.record(debtor_key(row.identity_id, row.debtor_id), row.letter_date)
    for row in db.session.execute(
        sa.select(
            key_of_case.c.identity_id, key_of_case.c.debtor_id, CallLog.case_id, CallLog.called_at
        )
        .join(key_of_case, key_of_case.c.id == CallLog.case_id)
        .where(CallLog.direction == "outbound", CallLog.called_at >= since)
    ):
        day = paris_date(row.called_at)
        if first <= day <= today and (row.case_id, day) not in called_on:
            pressure.record(debtor_key(row.identity_id, row.debtor_id), day)
    return pressure


# --- Deciding a chunk -----------------------------------------------------------------------


def _grouped(query) -> dict:
    return {row[0]: row[1] for row in db.session.execute(query)}


def _decide_chunk(
    rows, scenarios, pressure, today: date, counts: RunCounts, run_started: datetime
) -> list:
    """Decide every case of the chunk and insert the new actions; returns (id, case, channel)
    of the actions this call inserted (not those another run or worker inserted first)."""
    ids = [row.id for row in rows]
    with_plan = set(
        db.session.scalars(
            sa.select(PaymentPlan.case_id).where(
                bulk.among(PaymentPlan.case_id, ids), PaymentPlan.status == "active"
            )
        )
    )
    with_promise = set(
        db.session.scalars(
            sa.select(Promise.case_id).where(
                bulk.among(Promise.case_id, ids), Promise.status == "pending"
            )
        )
    )
    done: dict[int, list] = defaultdict(list)
    for row in db.session.execute(
        sa.select(
            CadenceAction.case_id,
            CadenceAction.stage,
            CadenceAction.stage_started_on,
            CadenceAction.step_key,
            CadenceAction.planned_on,
            CadenceAction.status,
            CadenceAction.created_at,
        ).where(bulk.among(CadenceAction.case_id, ids))
    ):
        done[row.case_id].append(row)
    needs_last_contact = any(
        step.anchor == cadence.LAST_CONTACT for s in scenarios for step in s.steps
    )
    last_contact = _last_contacts(ids) if needs_last_contact else {}
    profiles = _profiles(rows) if any(s.profile for s in scenarios) else {}

    planned: list[dict] = []
    for row in rows:
        counts.cases += 1
        started_on = paris_date(row.stage_changed_at)
        episode = [
            a
            for a in done.get(row.id, ())
            if a.stage == row.stage and a.stage_started_on == started_on
        ]
        scenario = cadence.choose_scenario(
            scenarios, row.stage, row.creditor_id, profiles.get(row.id, cadence.NEW)
        )
        state = cadence.CaseState(
            case_id=row.id,
            debtor_key=debtor_key(row.identity_id, row.debtor_id),
            stage=row.stage,
            stage_started_on=started_on,
            hold_reason=row.hold_reason,
            plan_in_good_standing=row.id in with_plan,
            pending_promise=row.id in with_promise,
            done={a.step_key: a.planned_on for a in episode},
            last_contact_on=last_contact.get(row.id),
            # Steps from before this run still to do: this case waits for them (those this run
            # inserts a moment ago, in another chunk pass or a concurrent run, do not count).
            unfinished=any(
                a.status in ("pending", "blocked") and a.created_at < run_started for a in episode
            ),
        )
        decision = cadence.decide(state, scenario, today, pressure)
        if decision.skipped == "cap":
            counts.deferred += 1
        if not decision.actions:
            counts.skipped += 1
            counts.reasons[decision.skipped or "finished"] += 1
        for action in decision.actions:
            planned.append(
                {
                    "case_id": row.id,
                    "scenario_id": scenario.id,
                    "stage": row.stage,
                    "stage_started_on": started_on,
                    "step_index": action.step_index,
                    "step_key": action.step_key,
                    "channel": action.channel,
                    "template": action.template,
                    "due_on": action.due_on,
                    "planned_on": today,
                    "status": "pending",
                    "attempts": 0,
                    "created_at": utcnow(),
                }
            )
    if not planned:
        return []
    inserted = _insert_actions(planned)
    counts.acted += len(inserted)
    return inserted


def _insert_actions(planned: list[dict]) -> list:
    """One executemany of INSERT ... ON CONFLICT DO NOTHING RETURNING (SQLAlchemy batches it
    into multi-row statements): a row another run or worker already inserted is silently not
    inserted again, and not returned."""
    return bulk.insert_new(
        CadenceAction.__table__,
        planned,
        [CadenceAction.id, CadenceAction.case_id, CadenceAction.channel],
    )


def _last_contacts(ids: list[int]) -> dict[int, date]:
    letters = _grouped(
        sa.select(Letter.case_id, sa.func.max(Letter.letter_date))
        .where(bulk.among(Letter.case_id, ids), Letter.template.in_(DEBTOR_TEMPLATES))
        .group_by(Letter.case_id)
    )
    calls = _grouped(
        sa.select(CallLog.case_id, sa.func.max(CallLog.called_at))
        .where(bulk.among(CallLog.case_id, ids), CallLog.direction == "outbound")
        .group_by(CallLog.case_id)
    )
    result = dict(letters)
    for case_id, moment in calls.items():
        day = paris_date(moment)
        if case_id not in result or day > result[case_id]:
            result[case_id] = day
    return result


def _profiles(rows) -> dict[int, str]:
    """Each case's payer profile, from the debtor's other cases at the agency."""
    ids = [row.id for row in rows]
    disputed = set(
        db.session.scalars(
            sa.select(Invoice.case_id).where(
                bulk.among(Invoice.case_id, ids), Invoice.disputed.is_(True)
            )
        )
    )
    broken = _grouped(
        sa.select(Promise.case_id, sa.func.count(Promise.id))
        .where(bulk.among(Promise.case_id, ids), Promise.status == "broken")
        .group_by(Promise.case_id)
    )
    identities = {row.identity_id for row in rows if row.identity_id}
    debtors = {row.debtor_id for row in rows if not row.identity_id}
    history: dict[str, list[int]] = defaultdict(lambda: [0, 0])  # key -> [cases, paid]
    for identity_id, debtor_id, outcome in db.session.execute(
        sa.select(Debtor.identity_id, Case.debtor_id, Case.outcome)
        .join(Debtor, Debtor.id == Case.debtor_id)
        .where(
            sa.or_(bulk.among(Debtor.identity_id, identities), bulk.among(Case.debtor_id, debtors))
        )
    ):
        entry = history[debtor_key(identity_id, debtor_id)]
        entry[0] += 1
        entry[1] += outcome == "paid"
    profiles = {}
    for row in rows:
        total, paid = history[debtor_key(row.identity_id, row.debtor_id)]
        profiles[row.id] = cadence.payer_profile(
            cadence.ProfileFacts(
                claim_cents=row.claim_cents,
                any_invoice_disputed=row.id in disputed,
                earlier_cases=max(0, total - 1),
                earlier_cases_paid=paid,
                broken_promises=broken.get(row.id, 0),
            )
        )
    return profiles


# --- Limitation alerts ----------------------------------------------------------------------


def _flag_limitation(rows, today: date) -> int:
    """A task when an open case comes within 60, then 30, days of its limitation date."""
    candidates = [row for row in rows if row.stage != pipeline.INSOLVENCY]
    ids = [row.id for row in candidates]
    if not ids:
        return 0
    dates = prescription.limitation_dates(ids)
    alerts = []
    for row in candidates:
        limitation_on = dates.get(row.id)
        for days in limitation.alerts_due(limitation_on, today):
            alerts.append((row.id, days, limitation_on))
        if limitation_on is not None and today > limitation_on:
            alerts.append((row.id, 0, limitation_on))  # prescribed: propose the closure
    if not alerts:
        return 0
    keys = {f"limitation:{days}:{case_id}:{on.isoformat()}" for case_id, days, on in alerts}
    existing = bulk.present(Task.source_key, keys)
    # What tasks.raise_task and add_timeline do for one alert, for all of them in three
    # statements: the first run on a portfolio raises tens of thousands.
    rows, seen = [], set()
    for case_id, days, limitation_on in alerts:
        key = f"limitation:{days}:{case_id}:{limitation_on.isoformat()}"
        if key in existing or key in seen:
            continue
        seen.add(key)
        data = {"days": days, "limitation_on": limitation_on, "prescribed": days == 0}
        rows.append(
            {
                "case_id": case_id,
                "kind": "limitation",
                "due_on": today,
                "status": "open",
                "source_key": key,
                "data": _jsonable(data),
                "created_at": utcnow(),
            }
        )
    raised = {row.source_key for row in bulk.insert_new(Task.__table__, rows, [Task.source_key])}
    rows = [row for row in rows if row["source_key"] in raised]  # not one another run raised
    if not rows:
        return 0
    db.session.execute(
        sa.insert(TimelineEntry.__table__),
        [
            {
                "case_id": row["case_id"],
                "actor_id": None,
                "occurred_at": utcnow(),
                "kind": "limitation_near",
                "text": "",
                "data": row["data"],
                "visible_to_creditor": False,
            }
            for row in rows
        ],
    )
    case_ids = {row["case_id"] for row in rows}
    db.session.execute(
        sa.update(Case)
        .where(bulk.among(Case.id, case_ids))
        .values(
            next_action_on=sa.case(
                (
                    sa.and_(
                        Case.stage.in_(pipeline.OPEN_STAGES),
                        sa.or_(Case.next_action_on.is_(None), Case.next_action_on > today),
                    ),
                    today,
                ),
                else_=Case.next_action_on,
            ),
            updated_at=utcnow(),
        )
        .execution_options(synchronize_session="fetch")
    )
    return len(rows)


# --- One case, for its page -------------------------------------------------------------------


@dataclass(frozen=True)
class CasePlan:
    scenario: cadence.Scenario | None
    steps: list  # cadence.StepView
    actions: dict  # step key -> CadenceAction of this stage
    paused: str | None  # a SKIP_REASONS key when the cadence is paused for this case


def case_plan(case: Case) -> CasePlan:
    """The scenario that applies to the case, its steps with their days, and what became of
    each: the agent sees what the automation did and will do, and why it waits."""
    row = db.session.execute(
        sa.select(
            Case.id,
            Case.stage,
            Case.hold_reason,
            Case.creditor_id,
            Case.claim_cents,
            Case.stage_changed_at,
            Case.debtor_id,
            Debtor.identity_id,
        )
        .join(Debtor, Debtor.id == Case.debtor_id)
        .where(Case.id == case.id)
    ).one()
    scenarios = active_scenarios()
    profiles = _profiles([row]) if any(s.profile for s in scenarios) else {}
    scenario = cadence.choose_scenario(
        scenarios, row.stage, row.creditor_id, profiles.get(row.id, cadence.NEW)
    )
    started_on = paris_date(row.stage_changed_at)
    actions = {
        a.step_key: a
        for a in db.session.scalars(
            sa.select(CadenceAction).where(
                CadenceAction.case_id == case.id,
                CadenceAction.stage == row.stage,
                CadenceAction.stage_started_on == started_on,
            )
        )
    }
    if scenario is None or not case.is_open:
        return CasePlan(scenario, [], actions, "not_open" if not case.is_open else "no_scenario")
    state = cadence.CaseState(
        case_id=case.id,
        debtor_key=debtor_key(row.identity_id, row.debtor_id),
        stage=row.stage,
        stage_started_on=started_on,
        hold_reason=row.hold_reason,
        plan_in_good_standing=db.session.scalar(
            sa.select(sa.func.count(PaymentPlan.id)).where(
                PaymentPlan.case_id == case.id, PaymentPlan.status == "active"
            )
        )
        > 0,
        pending_promise=db.session.scalar(
            sa.select(sa.func.count(Promise.id)).where(
                Promise.case_id == case.id, Promise.status == "pending"
            )
        )
        > 0,
        done={key: a.planned_on for key, a in actions.items()},
        last_contact_on=_last_contacts([case.id]).get(case.id),
    )
    steps = cadence.projected_steps(state, scenario)
    return CasePlan(scenario, steps, actions, cadence.pause_reason(state))
