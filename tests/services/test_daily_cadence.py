"""The daily cadence over simulated days: every step once, in order, under the contact cap.

Each test moves a case through days by calling the daily run for each date and then working off
the queued jobs with a burst worker (fakeredis locally, the real Redis in CI)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from app.domain import cadence as rules
from app.extensions import db
from app.models import ApprovalRequest, CadenceAction, CadenceRun, Letter, Task
from app.services import cadence, cadence_steps, casework, payments, plans
from tests import factories

PARIS = ZoneInfo("Europe/Paris")
START = date(2026, 11, 23)  # a Monday: the amicable stage starts that morning


def started_on(case, day: date) -> None:
    """The amicable stage began on `day` at 9:00 in Paris (tests control the clock this way)."""
    case.stage_changed_at = datetime.combine(day, time(9), PARIS)
    db.session.commit()


@pytest.fixture
def case(amicable_case):
    started_on(amicable_case, START)
    return amicable_case


@pytest.fixture
def run_day(run_jobs):
    def run(day: date, **kwargs):
        result = cadence.daily_run(day, **kwargs)
        run_jobs()
        db.session.expire_all()
        return result

    return run


def letters_of(case) -> list[tuple[str, date, str | None]]:
    return [
        (letter.template, letter.letter_date, letter.channel)
        for letter in db.session.scalars(
            sa.select(Letter).where(Letter.case_id == case.id).order_by(Letter.id)
        )
    ]


def tasks_of(case, kind: str = "call") -> list[date]:
    return list(
        db.session.scalars(
            sa.select(Task.due_on)
            .where(Task.case_id == case.id, Task.kind == kind)
            .order_by(Task.due_on)
        )
    )


def days(first: date, last: date):
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


def test_a_case_goes_through_the_whole_default_scenario_once(case, run_day, mailbox):
    for day in days(START, START + timedelta(days=40)):
        run_day(day)

    assert letters_of(case) == [
        ("relance_amiable", START, "post"),
        ("email_relance", START, "email"),
        ("relance_2", date(2026, 12, 3), "post"),
        ("mise_en_demeure", date(2026, 12, 14), "registered"),
    ]
    assert len(mailbox) == 1 and mailbox[0]["To"] == "compta@mauvais-payeur.example"
    assert tasks_of(case) == [date(2026, 11, 26), date(2026, 12, 8)]
    requests = db.session.scalars(
        sa.select(ApprovalRequest).where(ApprovalRequest.case_id == case.id)
    ).all()
    assert [(r.status, r.requested_on) for r in requests] == [("pending", date(2026, 12, 23))]
    actions = db.session.scalars(sa.select(CadenceAction).order_by(CadenceAction.id)).all()
    assert [(a.channel, a.status) for a in actions] == [
        (rules.LETTER, "done"),
        (rules.EMAIL, "done"),
        (rules.CALL, "done"),
        (rules.LETTER, "done"),
        (rules.CALL, "done"),
        (rules.REGISTERED, "done"),
        (rules.ESCALATION, "done"),
    ]
    last = db.session.scalars(sa.select(CadenceRun).order_by(CadenceRun.run_on.desc())).first()
    assert last.status == "done" and last.counts["reasons"] == {"finished": 1}


def test_the_same_day_run_twice_or_forced_does_nothing_twice(case, run_day, mailbox):
    first = run_day(START)
    assert first.counts["acted"] == 2
    assert run_day(START) is None  # the day is done: the second run does not even start
    again = run_day(START, force=True)  # forced: it decides again, and finds nothing new
    assert again.counts["acted"] == 0
    assert letters_of(case) == [
        ("relance_amiable", START, "post"),
        ("email_relance", START, "email"),
    ]
    assert len(mailbox) == 1


def test_a_paid_case_receives_nothing_more(case, run_day, people, mailbox):
    run_day(START)
    payments.record_payment(
        people.agent, case, amount_cents=129_792, received_on=START, method="transfer", today=START
    )
    assert not case.is_open
    for day in days(START + timedelta(days=1), START + timedelta(days=35)):
        run_day(day)

    assert [t for t, _d, _c in letters_of(case)] == ["relance_amiable", "email_relance"]
    assert tasks_of(case) == []
    assert db.session.scalar(sa.select(sa.func.count(CadenceAction.id))) == 2


def test_a_dispute_pauses_the_cadence_and_lifting_it_resumes_in_order(case, run_day, people):
    run_day(START)
    casework.set_hold(people.agent, case, "dispute", note="Le client conteste la livraison.")
    for day in days(START + timedelta(days=1), START + timedelta(days=11)):
        run_day(day)
    assert tasks_of(case) == []
    assert [t for t, _d, _c in letters_of(case)] == ["relance_amiable", "email_relance"]

    casework.set_hold(people.agent, case, None, note="Litige levé : livraison prouvée.")
    resumed = START + timedelta(days=12)  # Saturday 5 December
    run_day(resumed)
    # What fell due during the pause goes out now, in order; a call waits for Monday.
    assert [t for t, _d, _c in letters_of(case)][2:] == []
    run_day(resumed + timedelta(days=2))
    assert tasks_of(case) == [date(2026, 12, 7)]
    assert ("relance_2", date(2026, 12, 7), "post") in letters_of(case)


def test_a_broken_promise_puts_the_case_back_with_a_task(case, run_day, people):
    run_day(START)
    plans.add_promise(
        people.agent, case, amount_cents=50_000, promised_on=START + timedelta(days=2), today=START
    )
    db.session.commit()
    for day in days(START + timedelta(days=1), START + timedelta(days=4)):
        run_day(day)
    assert tasks_of(case) == []  # the promise is pending: no call on day 3

    for day in days(START + timedelta(days=5), START + timedelta(days=10)):
        run_day(day)
    assert tasks_of(case, "promise_broken") != []
    # Back in the cadence: the day-3 call comes the first business day after the promise broke.
    assert tasks_of(case)[0] > START + timedelta(days=3)
    assert ("relance_2", date(2026, 12, 3), "post") in letters_of(case)


def test_five_missed_days_then_a_run_performs_what_is_due_once_under_the_cap(case, run_day):
    saturday = START + timedelta(days=5)
    run_day(saturday)
    assert [(t, d) for t, d, _c in letters_of(case)] == [
        ("relance_amiable", saturday),
        ("email_relance", saturday),
    ]
    assert tasks_of(case) == []  # the day-3 call is due, but not on a Saturday

    for day in days(saturday + timedelta(days=1), START + timedelta(days=16)):
        run_day(day)
    assert tasks_of(case)[0] == date(2026, 11, 30)
    # Day 10 (3 December) would be the 4th contact in 7 days: the reminder waits two days.
    assert ("relance_2", date(2026, 12, 5), "post") in letters_of(case)
    assert_cap_held(case)


def assert_cap_held(case) -> None:
    contact_days = sorted(
        a.planned_on
        for a in db.session.scalars(
            sa.select(CadenceAction).where(
                CadenceAction.channel.in_(rules.CONTACT_CHANNELS),
                CadenceAction.status != "skipped",
            )
        )
    )
    for day in contact_days:
        window = [d for d in contact_days if day - timedelta(days=6) <= d <= day]
        assert len(window) <= rules.CONTACT_CAP, contact_days


def test_the_cap_counts_one_debtor_across_creditors(case, run_day, people, today):
    # The same company (same SIREN) owes the second creditor too.
    other = factories.make_case(
        people.other_creditor_user,
        invoices=[factories.invoice("G-7", 80_000, issued=date(2026, 7, 1), days=30)],
        today=today,
    )
    casework.accept_case(people.agent, other, today=today)
    started_on(other, START)
    run_day(START)

    contacts = db.session.scalars(
        sa.select(CadenceAction).where(CadenceAction.status != "skipped")
    ).all()
    assert len(contacts) == rules.CONTACT_CAP
    run = db.session.scalars(sa.select(CadenceRun)).one()
    assert run.counts["deferred"] == 1


def test_a_case_near_its_limitation_date_is_flagged_at_60_then_30_days(run_day, people, today):
    from app.services.intake import DebtorInput

    debtor = DebtorInput(
        kind="individual",
        name="Jeanne Martin",
        address_line1="3 rue des Lilas",
        postal_code="75011",
        city="Paris",
        emails=["jeanne.martin@example.org"],
    )
    case = factories.make_case(
        people.creditor_user,
        debtor=debtor,
        invoices=[factories.invoice("F-OLD", 30_000, issued=date(2024, 11, 30), days=40)],
        today=today,
    )
    # Due 2025-01-09: a consumer claim is prescribed two years later, on 2027-01-09.
    run_day(date(2026, 11, 9))
    assert tasks_of(case, "limitation") == []
    run_day(date(2026, 11, 10))
    run_day(date(2026, 11, 11))
    assert tasks_of(case, "limitation") == [date(2026, 11, 10)]
    run_day(date(2026, 12, 10))
    run_day(date(2026, 12, 11))
    assert tasks_of(case, "limitation") == [date(2026, 11, 10), date(2026, 12, 10)]


def test_a_job_killed_after_its_letter_runs_again_and_the_letter_exists_once(case, people):
    from app.services import letters

    cadence.daily_run(START)  # decided; the jobs are still in the queue
    action = db.session.scalars(
        sa.select(CadenceAction).where(CadenceAction.channel == rules.LETTER)
    ).one()
    # The first attempt generated the letter, then its worker died before marking the action.
    letters.generate_letter(
        cadence_steps.system_actor(), case, "relance_amiable", letter_date=action.planned_on
    )
    assert cadence_steps.perform_action(action.id) == "done"
    assert cadence_steps.perform_action(action.id) == "done"
    assert [t for t, _d, _c in letters_of(case)].count("relance_amiable") == 1
    assert db.session.get(CadenceAction, action.id).letter_id is not None


def test_a_step_that_cannot_go_out_becomes_a_task_for_the_agent(case, run_day):
    case.debtor.address_line1 = None
    db.session.commit()
    run_day(START)
    action = db.session.scalars(
        sa.select(CadenceAction).where(CadenceAction.channel == rules.LETTER)
    ).one()
    assert action.status == "failed"
    assert "adresse postale" in action.detail
    assert tasks_of(case, "follow_up") == [START]
    run = db.session.scalars(sa.select(CadenceRun)).one()
    assert run.counts["failed"] == 1


def test_the_scheduler_job_runs_the_day_once_after_six_in_paris(case, run_jobs):
    early = datetime.combine(START, time(5, 45), PARIS)
    assert cadence.run_if_due(early) is None
    assert db.session.scalar(sa.select(sa.func.count(CadenceRun.id))) == 0
    later = datetime.combine(START, time(6, 15), PARIS)
    assert cadence.run_if_due(later).counts["acted"] == 2
    assert cadence.run_if_due(later + timedelta(minutes=15)) is None


def test_the_scheduler_registers_the_cadence_check(app):
    from app.jobs import redis_connection
    from app.jobs.scheduler import CADENCE_CHECK_SECONDS, build_scheduler

    scheduler = build_scheduler(redis_connection())
    jobs = {job.func.__name__: job for job in scheduler.get_jobs()}
    assert jobs["run_cadence_if_due"].interval == CADENCE_CHECK_SECONDS
    assert jobs["flush_pending_jobs_task"].interval == 60


def test_a_letter_an_agent_already_sent_is_not_sent_again_by_the_cadence(case, run_day, people):
    from app.services import letters

    letters.generate_letter(people.agent, case, "relance_amiable", letter_date=START)
    run_day(START + timedelta(days=1))
    first = db.session.scalars(
        sa.select(CadenceAction).where(CadenceAction.channel == rules.LETTER)
    ).one()
    assert first.status == "skipped" and "Déjà envoyé par un agent" in first.detail
    assert [t for t, _d, _c in letters_of(case)] == ["relance_amiable", "email_relance"]


def test_an_action_whose_job_was_lost_is_enqueued_again_by_the_next_check(case, run_jobs):
    from app.jobs import redis_connection

    cadence.daily_run(START)
    redis_connection().flushdb()  # the jobs are gone (a Redis restarted without persistence)
    db.session.execute(
        sa.update(CadenceAction).values(created_at=datetime.now(PARIS) - timedelta(hours=1))
    )
    db.session.commit()
    # The scheduler's check of the afternoon: the day is done, the lost actions are not.
    assert cadence.run_if_due(datetime.combine(START, time(15), PARIS)) is None
    run_jobs()
    db.session.expire_all()
    assert {a.status for a in db.session.scalars(sa.select(CadenceAction))} == {"done"}


def test_the_daily_job_queued_twice_runs_the_day_once(case, run_jobs, mailbox):
    from app.jobs import enqueue
    from app.jobs.tasks import run_cadence

    enqueue(run_cadence, START.isoformat())
    enqueue(run_cadence, START.isoformat())
    run_jobs()
    assert db.session.scalar(sa.select(sa.func.count(CadenceRun.id))) == 1
    assert len(letters_of(case)) == 2 and len(mailbox) == 1


def test_flask_run_cadence_reports_the_day_and_is_safe_to_run_again(case, app, run_jobs):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["run-cadence", "--date", START.isoformat()])
    assert first.exit_code == 0, first.output
    assert "2 action(s)" in first.output
    again = runner.invoke(args=["run-cadence", "--date", START.isoformat()])
    assert "déjà faite" in again.output


def test_the_creditors_own_scenario_and_the_high_amount_one_are_chosen(
    case, run_day, people, today
):
    from app.services import scenarios

    big = factories.make_case(
        people.creditor_user,
        invoices=[factories.invoice("F-BIG", 1_500_000, issued=date(2026, 6, 1), days=30)],
        debtor=factories.debtor_input(name="Gros Client SA", siren=factories.VALID_SIRENS[2]),
        today=today,
    )
    casework.accept_case(people.agent, big, today=today)
    started_on(big, START)
    scenarios.save_scenario(
        people.supervisor,
        None,
        name="Dupont : appel d'abord",
        stage="amicable",
        profile=None,
        creditor_id=people.creditor.id,
        steps=[rules.Step(0, rules.CALL)],
    )
    scenarios.save_scenario(
        people.supervisor,
        None,
        name="Dupont, gros montants : mise en demeure",
        stage="amicable",
        profile=rules.HIGH_AMOUNT,
        creditor_id=people.creditor.id,
        steps=[rules.Step(0, rules.LETTER, "relance_amiable"), rules.Step(1, rules.CALL)],
    )
    run_day(START)

    assert letters_of(case) == [] and tasks_of(case) == [START]  # 1,200 EUR: the call first
    assert [t for t, _d, _c in letters_of(big)] == ["relance_amiable"]  # 15,000 EUR
    assert tasks_of(big) == []


def test_a_missing_rate_blocks_the_steps_without_a_task_per_case_until_it_is_entered(
    people, run_day, today, published_rates
):
    from app.domain import interest
    from app.services import operations, rates

    # LAW.md's table stops at 2026 S1: a balance in November needs the S2 rates.
    case = factories.make_case(
        people.creditor_user,
        invoices=[factories.invoice("F-1", 120_000, issued=date(2026, 6, 1), days=30)],
        today=today,
    )
    casework.accept_case(people.agent, case, today=today)
    started_on(case, START)
    run_day(START)

    statuses = db.session.scalars(sa.select(CadenceAction.status).order_by(CadenceAction.id))
    assert list(statuses) == ["blocked", "blocked"]  # the letter, and the email that quotes it
    assert tasks_of(case, "follow_up") == []
    (group,) = operations.blocked_steps()
    assert "Taux manquant" in group.reason and group.cases == 1
    run_day(START + timedelta(days=1))  # still missing: still blocked, nothing else decided
    assert db.session.scalar(sa.select(sa.func.count(CadenceAction.id))) == 2

    semester = date(2026, 7, 1)
    for kind, rate_bp in ((interest.ECB, 215), (interest.LEGAL_OTHER, 287)):
        rates.add_rate(None, kind, semester, rate_bp, "Test")
    run_day(START + timedelta(days=2))
    assert [(t, d) for t, d, _c in letters_of(case)] == [
        ("relance_amiable", START + timedelta(days=2)),
        ("email_relance", START + timedelta(days=2)),
    ]
    assert operations.blocked_steps() == []


def test_a_case_paid_in_full_leaves_no_open_task_or_question(case, run_day, people):
    from app.services import escalation, tasks

    tasks.raise_task(case, "call", due_on=START, source_key="t:paid")
    escalation.request_escalation(case, today=START, source_key="t:paid")
    db.session.commit()
    payments.record_payment(
        people.agent, case, amount_cents=129_792, received_on=START, method="transfer", today=START
    )
    assert db.session.scalars(sa.select(Task.status)).all() == ["cancelled"]
    assert escalation.pending_for_creditor(people.creditor_user) == []


def test_the_debtors_contact_preference_changes_the_channel(case, run_day, mailbox):
    case.debtor.contact_preference = "email"
    db.session.commit()
    run_day(START)
    # The first letter goes by email, as asked; the registered formal notice would stay posted.
    assert letters_of(case) == [
        ("relance_amiable", START, "email"),
        ("email_relance", START, "email"),
    ]
    assert len(mailbox) == 2


def test_a_debtor_who_asked_for_post_gets_no_email(case, run_day, mailbox):
    case.debtor.contact_preference = "post"
    db.session.commit()
    run_day(START)
    assert letters_of(case) == [("relance_amiable", START, "post")]
    email_step = db.session.scalars(
        sa.select(CadenceAction).where(CadenceAction.channel == rules.EMAIL)
    ).one()
    assert email_step.status == "skipped" and "par courrier" in email_step.detail
    assert mailbox == []


def test_a_prescribed_claim_is_proposed_for_closure_and_cannot_be_escalated(people, run_day, today):
    from app.services import escalation
    from app.services.errors import ValidationFailed
    from app.services.intake import DebtorInput

    consumer = DebtorInput(
        kind="individual",
        name="Paul Durand",
        address_line1="8 rue Haute",
        postal_code="33000",
        city="Bordeaux",
        emails=["paul.durand@example.org"],
    )
    case = factories.make_case(
        people.creditor_user,
        debtor=consumer,
        invoices=[factories.invoice("F-2024", 45_000, issued=date(2024, 10, 1), days=30)],
        today=today,
    )
    casework.accept_case(people.agent, case, today=today)
    # Due 31 October 2024: a consumer claim, prescribed after 31 October 2026.
    run_day(START)
    (task,) = db.session.scalars(sa.select(Task).where(Task.kind == "limitation")).all()
    assert task.data["prescribed"] is True
    with pytest.raises(ValidationFailed, match="prescrite"):
        escalation.propose_escalation(people.agent, case, today=START)
    assert escalation.request_escalation(case, today=START, source_key="t:presc") is None
