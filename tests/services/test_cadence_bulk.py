"""The daily run's set-based paths do what the one-case paths do (issue 9).

Twin groups of cases in the same situations: one group goes through the one-case code (the
reference), the other through the bulk code; each case must end with the same tasks, timeline,
statuses and next action as its twin. The bulk paths must also not send a query per case.
"""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from app.domain import limitation, pipeline
from app.extensions import db
from app.models import Case, PaymentPlan, Promise, Task, TimelineEntry
from app.models.base import utcnow
from app.services import bulk, cadence, payments, plans, prescription, tasks
from app.services.audit import add_timeline
from app.services.intake import DebtorInput
from tests import factories

TODAY = date(2026, 11, 23)


@pytest.fixture(autouse=True)
def _rates(rates_to_date):
    return rates_to_date


def _statements(action):
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        result = action()
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    return result, len(statements)


# --- Limitation alerts ------------------------------------------------------------------------

# Due dates of a consumer's invoices and what they give on TODAY (prescribed two years later).
DUE_DATES = (
    date(2025, 1, 9),  # 47 days left: the 60-day alert
    date(2024, 12, 10),  # 17 days left: the 60- and the 30-day alerts at once
    date(2024, 10, 31),  # past: prescribed, the closure is proposed
    date(2026, 1, 10),  # far: nothing
    date(2024, 12, 12),  # 19 days left, its 60-day alert raised on an earlier day
)


def _consumer_cases(people, group: str) -> list[Case]:
    cases = []
    for number, due in enumerate(DUE_DATES):
        debtor = DebtorInput(
            kind="individual",
            name=f"Jeanne Martin {group}{number}",
            address_line1="3 rue des Lilas",
            postal_code="75011",
            city="Paris",
            emails=[f"jeanne{group}{number}@example.org"],
        )
        invoice = factories.invoice(f"F-{group}{number}", 30_000, issued=due, days=0)
        cases.append(
            factories.make_case(
                people.creditor_user, debtor=debtor, invoices=[invoice], today=TODAY
            )
        )
    cases[1].next_action_on = date(2026, 11, 1)  # earlier than today: kept
    cases[0].next_action_on = date(2026, 12, 30)  # later: brought forward to today
    limitation_on = prescription.limitation_on(cases[4])
    tasks.raise_task(
        cases[4],
        "limitation",
        due_on=date(2026, 11, 1),
        source_key=f"limitation:60:{cases[4].id}:{limitation_on.isoformat()}",
        data={"days": 60},
    )
    db.session.commit()
    return cases


def _reference_flag_limitation(rows, today: date) -> int:
    """The one-alert-at-a-time code the bulk path replaced, kept as the reference."""
    candidates = [row for row in rows if row.stage != pipeline.INSOLVENCY]
    dates = prescription.limitation_dates([row.id for row in candidates])
    raised = 0
    for row in candidates:
        limitation_on = dates.get(row.id)
        alerts = [(days, limitation_on) for days in limitation.alerts_due(limitation_on, today)]
        if limitation_on is not None and today > limitation_on:
            alerts.append((0, limitation_on))
        for days, on in alerts:
            key = f"limitation:{days}:{row.id}:{on.isoformat()}"
            case = db.session.get(Case, row.id)
            data = {"days": days, "limitation_on": on, "prescribed": days == 0}
            if tasks.raise_task(case, "limitation", due_on=today, source_key=key, data=data):
                add_timeline(case, None, "limitation_near", data=data)
                raised += 1
    return raised


def _rows_of(cases):
    ids = {case.id for case in cases}
    return [row for chunk in cadence._open_case_chunks() for row in chunk if row.id in ids]


def _limitation_state(cases, since: dict[int, object]) -> list:
    db.session.expire_all()
    state = []
    for case in cases:
        found = db.session.scalars(
            sa.select(Task).where(Task.case_id == case.id).order_by(Task.id)
        ).all()
        entries = db.session.scalars(
            sa.select(TimelineEntry)
            .where(TimelineEntry.case_id == case.id, TimelineEntry.kind == "limitation_near")
            .order_by(TimelineEntry.id)
        ).all()
        case = db.session.get(Case, case.id)
        state.append(
            (
                [
                    (
                        t.kind,
                        t.due_on,
                        t.status,
                        t.source_key.replace(f":{case.id}:", ":#:"),
                        t.data,
                    )
                    for t in found
                ],
                [(e.actor_id, e.kind, e.text, e.data, e.visible_to_creditor) for e in entries],
                case.next_action_on,
                case.updated_at != since[case.id],
            )
        )
    return state


def test_limitation_alerts_raised_together_match_those_raised_one_by_one(people):
    reference, grouped = _consumer_cases(people, "a"), _consumer_cases(people, "b")
    since = {c.id: c.updated_at for c in reference + grouped}

    assert _reference_flag_limitation(_rows_of(reference), TODAY) == 5
    db.session.commit()
    assert cadence._flag_limitation(_rows_of(grouped), TODAY) == 5
    db.session.commit()

    expected = _limitation_state(reference, since)
    assert _limitation_state(grouped, since) == expected
    assert [len(tasks_raised) for tasks_raised, *_ in expected] == [1, 2, 1, 0, 2]
    assert [next_on for *_, next_on, _changed in expected] == [
        TODAY,
        date(2026, 11, 1),
        TODAY,
        TODAY,  # as intake set it
        date(2026, 11, 1),
    ]
    # Run again: nothing new, either way.
    assert cadence._flag_limitation(_rows_of(reference + grouped), TODAY) == 0


def test_limitation_alerts_cost_the_same_queries_for_one_case_as_for_many(people):
    few, many = _consumer_cases(people, "a")[:2], _consumer_cases(people, "b")
    rows_few, rows_many = _rows_of(few), _rows_of(many)
    db.session.expire_all()

    _, for_few = _statements(lambda: cadence._flag_limitation(rows_few, TODAY))
    _, for_many = _statements(lambda: cadence._flag_limitation(rows_many, TODAY))

    assert for_few == for_many


# --- Promises and plans -------------------------------------------------------------------------

REVIEWED_ON = date(2026, 12, 9)


def _promise_and_plan_cases(people, group: str) -> list[Case]:
    """Five accepted cases: a promise broken, one still pending, one half paid; a plan
    breached, one on track."""
    from app.services import casework

    cases = []
    for number in range(5):
        case = factories.make_case(
            people.creditor_user,
            debtor=factories.debtor_input(name=f"Débiteur {group}{number}"),
            invoices=[factories.invoice(f"F-{group}{number}", 120_000, issued=date(2026, 6, 1))],
            today=TODAY,
        )
        casework.accept_case(people.agent, case, today=TODAY)
        cases.append(case)
    plans.add_promise(
        people.agent, cases[0], amount_cents=50_000, promised_on=date(2026, 11, 30), today=TODAY
    )
    plans.add_promise(
        people.agent, cases[1], amount_cents=50_000, promised_on=date(2026, 12, 20), today=TODAY
    )
    plans.add_promise(
        people.agent, cases[2], amount_cents=50_000, promised_on=date(2026, 11, 30), today=TODAY
    )
    db.session.commit()
    payments.record_payment(
        None, cases[2], amount_cents=20_000, received_on=TODAY, method="transfer", today=TODAY
    )
    factories.monthly_plan(cases[3], TODAY)
    plan = factories.monthly_plan(cases[4], TODAY)
    first = plan.installments[0]
    payments.record_payment(
        None,
        cases[4],
        amount_cents=first.amount_cents,
        received_on=TODAY,
        method="transfer",
        today=TODAY,
    )
    db.session.commit()
    return cases


def _review_state(cases, since: int) -> list:
    db.session.expire_all()
    state = []
    for case in cases:
        case = db.session.get(Case, case.id)
        promised = db.session.scalars(
            sa.select(Promise).where(Promise.case_id == case.id).order_by(Promise.id)
        ).all()
        planned = db.session.scalars(
            sa.select(PaymentPlan).where(PaymentPlan.case_id == case.id).order_by(PaymentPlan.id)
        ).all()
        found = db.session.scalars(
            sa.select(Task).where(Task.case_id == case.id).order_by(Task.id)
        ).all()
        entries = db.session.scalars(
            sa.select(TimelineEntry)
            .where(TimelineEntry.case_id == case.id, TimelineEntry.id > since)
            .order_by(TimelineEntry.id)
        ).all()
        state.append(
            (
                case.hold_reason,
                case.next_action_on,
                [(p.status, p.resolved_on) for p in promised],
                [(p.status, p.ended_on) for p in planned],
                [(t.kind, t.due_on, t.status) for t in found],
                [
                    (
                        e.kind,
                        e.visible_to_creditor,
                        {k: v for k, v in e.data.items() if k != "plan_id"},
                    )
                    for e in entries
                ],
            )
        )
    return state


def test_the_daily_review_of_many_cases_matches_reviewing_each_alone(people):
    reference = _promise_and_plan_cases(people, "a")
    grouped = _promise_and_plan_cases(people, "b")
    since = db.session.scalar(sa.select(sa.func.max(TimelineEntry.id)))

    for case in reference:
        plans.review_case(case, REVIEWED_ON)
    db.session.commit()
    expected = _review_state(reference, since)
    reviewed = plans.review_all(REVIEWED_ON)  # the reference group again, and the other

    # The other group's five, and the reference's pending promise and plan on track again.
    assert reviewed == 7
    assert _review_state(reference, since) == expected  # a second review changes nothing
    assert _review_state(grouped, since) == expected
    hold, next_on, promised, *_ = expected[0]
    assert promised == [("broken", REVIEWED_ON)] and next_on == REVIEWED_ON
    assert expected[3][3] == [("breached", REVIEWED_ON)]
    assert expected[4][3] == [("active", None)]


def test_the_daily_review_costs_the_same_queries_for_few_cases_as_for_many(people):
    _promise_and_plan_cases(people, "a")
    db.session.commit()
    db.session.expire_all()
    _, for_few = _statements(lambda: plans.review_all(TODAY))
    _promise_and_plan_cases(people, "b")
    _promise_and_plan_cases(people, "c")
    db.session.commit()
    db.session.expire_all()

    _, for_many = _statements(lambda: plans.review_all(TODAY))

    assert for_many == for_few


# --- The bulk helpers -----------------------------------------------------------------------------


def test_insert_new_returns_only_the_rows_it_inserted(people):
    case = factories.make_case(people.creditor_user, today=TODAY)
    rows = [
        {
            "case_id": case.id,
            "kind": "limitation",
            "due_on": TODAY,
            "status": "open",
            "source_key": f"test:{number}",
            "data": {"days": number, "on": "2026-11-23", "prescribed": number == 0},
            "created_at": utcnow(),
        }
        for number in (0, 1, 0)  # the last is the first again
    ]

    first = bulk.insert_new(Task.__table__, rows, [Task.source_key])
    again = bulk.insert_new(Task.__table__, rows[:1], [Task.source_key])

    assert sorted(key for (key,) in first) == ["test:0", "test:1"]
    assert again == []
    stored = db.session.scalars(sa.select(Task).order_by(Task.source_key)).all()
    assert [(t.source_key, t.data) for t in stored] == [
        ("test:0", {"days": 0, "on": "2026-11-23", "prescribed": True}),
        ("test:1", {"days": 1, "on": "2026-11-23", "prescribed": False}),
    ]
    ids = [t.case_id for t in stored]
    assert db.session.scalars(sa.select(Task.id).where(bulk.among(Task.case_id, ids))).all()
    assert db.session.scalars(sa.select(Task.id).where(bulk.among(Task.case_id, []))).all() == []
