"""A creditor's dashboard: a handful of grouped queries, whatever its number of cases.

Every query is filtered on one creditor id; which creditor a user may look at is decided once,
in `for_user` (its own organisation) or `for_agency` (staff, any creditor).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa

from app.domain import dashboard as figures
from app.domain import pipeline
from app.domain.i18n import N_
from app.extensions import db
from app.models import Case, Invoice, Organisation, Payment
from app.services import access, remittance
from app.services.errors import NotFound

OPEN_STAGES = [s for s in pipeline.STAGES if s in pipeline.OPEN_STAGES]


@dataclass(frozen=True)
class StageFigure:
    stage: str
    cases: int
    outstanding_cents: int


@dataclass(frozen=True)
class Dashboard:
    creditor: Organisation
    total_cases: int
    stages: list[StageFigure]  # open stages, in pipeline order
    ageing: dict[str, int]  # bucket key -> still unpaid, in cents
    months: list[figures.MonthFigure]  # oldest first, the current month last
    handed_over_cents: int  # every case, as the invoices claimed at handover
    recovered_cents: int  # payments that stand, every case
    closed_paid_cases: int
    average_days_to_recover: Decimal | None
    money: remittance.MoneyFigures  # collected, commission, remitted, to remit (the books)

    @property
    def to_remit_cents(self) -> int:
        return self.money.to_remit_cents

    @property
    def remitted_cents(self) -> int:
        return self.money.remitted_cents

    @property
    def is_empty(self) -> bool:
        return self.total_cases == 0

    @property
    def outstanding_cents(self) -> int:
        return sum(s.outstanding_cents for s in self.stages)

    @property
    def recovery_rate(self) -> Decimal | None:
        return figures.rate_percent(self.recovered_cents, self.handed_over_cents)


def for_user(user, today: date) -> Dashboard:
    """The dashboard of the creditor a creditor user works for."""
    if not user.is_creditor_staff:
        raise NotFound(N_("Créancier introuvable."))
    return build(user.organisation, today)


def creditor_for_agency(user, creditor_id: int) -> Organisation:
    access.require_agency(user)
    creditor = db.session.get(Organisation, creditor_id)
    if creditor is None or creditor.kind != "creditor":
        raise NotFound(N_("Créancier introuvable."))
    return creditor


def for_agency(user, creditor_id: int, today: date) -> Dashboard:
    """Any creditor's dashboard, for agency staff."""
    return build(creditor_for_agency(user, creditor_id), today)


def _replica() -> dict | None:
    """Dashboards read from the read replica when one is configured (DATABASE_REPLICA_URL):
    their figures tolerate the replica's few seconds of lag, and their grouped reads are the
    heaviest a portal makes. Without one, the primary answers."""
    engines = db.engines
    return {"bind": engines["replica"]} if "replica" in engines else None


def _execute(statement):
    return db.session.execute(statement, bind_arguments=_replica())


def _scalar(statement):
    return db.session.scalar(statement, bind_arguments=_replica())


def _standing_payments(creditor_id: int):
    return sa.and_(Payment.creditor_id == creditor_id, Payment.reversed_at.is_(None))


def _paid_by_case(creditor_id: int):
    """Per case, what the creditor's standing payments add up to (a subquery: case_id, cents)."""
    return (
        sa.select(Payment.case_id, sa.func.sum(Payment.amount_cents).label("cents"))
        .where(_standing_payments(creditor_id))
        .group_by(Payment.case_id)
        .subquery()
    )


def _greatest(*values):
    name = "max" if _sqlite() else "greatest"
    return getattr(sa.func, name)(*values)


def _least(*values):
    name = "min" if _sqlite() else "least"
    return getattr(sa.func, name)(*values)


def _sqlite() -> bool:
    return db.session.get_bind().dialect.name == "sqlite"


def _month_key(day):
    """'YYYY-MM' of a date column, to group by month on either database."""
    if _sqlite():
        return sa.func.strftime("%Y-%m", day)
    return sa.func.to_char(day, "YYYY-MM")


def _first_day(key: str) -> date:
    year, month = key.split("-")
    return date(int(year), int(month), 1)


def _days_between(start, end):
    """Whole days from one date column to another, as an integer on either database."""
    if _sqlite():
        return sa.cast(sa.func.julianday(end) - sa.func.julianday(start), sa.Integer)
    return sa.type_coerce(end - start, sa.Integer)  # date - date is an integer in PostgreSQL


def _ageing_bucket(due_date, today: date):
    """The bucket key of figures.bucket_of as SQL: days past due <= last <=> due >= today - last
    (not yet due falls in the first bucket, as there)."""
    whens = [
        (due_date >= today - timedelta(days=last), key)
        for key, _label, _first, last in figures.AGEING_BUCKETS
        if last is not None
    ]
    return sa.case(*whens, else_=figures.AGEING_BUCKETS[-1][0])


def _by_stage_and_bucket(cid: int, today: date) -> list[tuple[str, str, int, int, int]]:
    """(stage, ageing bucket, cases, still unpaid, handed over) over every case's invoices,
    computed by the database in one pass: figures.remaining_by_invoice as a window function.
    Imputing a case's standing payments P oldest due date first leaves on each invoice
    clamp(cumulative unpaid up to it - P, 0, its unpaid); a case counts once, on its first
    invoice's row. Closed stages come back too: they count in what was handed over."""
    unpaid = Invoice.amount_cents - Invoice.paid_cents
    in_order = {"partition_by": Invoice.case_id, "order_by": (Invoice.due_date, Invoice.id)}
    rows = (
        sa.select(
            Invoice.case_id,
            Case.stage,
            Invoice.due_date,
            unpaid.label("unpaid"),
            sa.func.sum(unpaid).over(**in_order).label("cumulative"),
            sa.func.row_number().over(**in_order).label("position"),
        )
        .join(Case, Case.id == Invoice.case_id)
        .where(Case.creditor_id == cid)
        .subquery()
    )
    paid = _paid_by_case(cid)
    standing = _greatest(sa.func.coalesce(paid.c.cents, 0), 0)
    remaining = _greatest(_least(rows.c.unpaid, rows.c.cumulative - standing), 0)
    bucket = _ageing_bucket(rows.c.due_date, today).label("bucket")
    first_invoice = sa.case((rows.c.position == 1, 1), else_=0)
    query = (
        sa.select(
            rows.c.stage,
            bucket,
            sa.func.sum(first_invoice),
            sa.func.sum(remaining),
            sa.func.sum(rows.c.unpaid),
        )
        .select_from(rows.outerjoin(paid, paid.c.case_id == rows.c.case_id))
        .group_by(rows.c.stage, bucket)
    )
    return [
        (stage, key, int(cases), int(left), int(handed))
        for stage, key, cases, left, handed in _execute(query)
    ]


def outstanding_cents(creditor_id: int) -> int:
    """What the creditor's open cases still owe, as the dashboard counts it: per case, its
    invoices' principal less the payments that stand, never below zero (the sum over a case's
    invoices of figures.remaining_by_invoice), added up by the database in one query."""
    unpaid = (
        sa.select(
            Case.id.label("case_id"),
            sa.func.sum(Invoice.amount_cents - Invoice.paid_cents).label("cents"),
        )
        .join(Invoice, Invoice.case_id == Case.id)
        .where(Case.creditor_id == creditor_id, Case.stage.in_(OPEN_STAGES))
        .group_by(Case.id)
        .subquery()
    )
    paid = _paid_by_case(creditor_id)
    owed = _greatest(unpaid.c.cents - sa.func.coalesce(paid.c.cents, 0), 0)
    total = _scalar(
        sa.select(sa.func.coalesce(sa.func.sum(owed), 0)).select_from(
            unpaid.outerjoin(paid, paid.c.case_id == unpaid.c.case_id)
        )
    )
    return int(total or 0)


def build(creditor: Organisation, today: date) -> Dashboard:
    cid = creditor.id
    total_cases = int(
        _scalar(sa.select(sa.func.count(Case.id)).where(Case.creditor_id == cid)) or 0
    )
    grouped = _by_stage_and_bucket(cid, today)
    open_rows = [row for row in grouped if row[0] in OPEN_STAGES]
    stages = [
        StageFigure(
            stage,
            sum(cases for s, _key, cases, _left, _handed in open_rows if s == stage),
            sum(left for s, _key, _cases, left, _handed in open_rows if s == stage),
        )
        for stage in OPEN_STAGES
    ]
    ageing = {key: 0 for key, *_ in figures.AGEING_BUCKETS}
    for _stage, key, _cases, left, _handed in open_rows:
        ageing[key] += left
    recovered = int(
        _scalar(
            sa.select(sa.func.coalesce(sa.func.sum(Payment.amount_cents), 0)).where(
                _standing_payments(cid)
            )
        )
        or 0
    )

    first_month = figures.last_months(today)[0]
    paid_month = _month_key(Payment.received_on)
    recovered_by_month = {
        _first_day(key): (int(cents), int(cases))
        for key, cents, cases in _execute(
            sa.select(
                paid_month,
                sa.func.sum(Payment.amount_cents),
                sa.func.count(sa.distinct(Payment.case_id)),
            )
            .where(_standing_payments(cid), Payment.received_on >= first_month)
            .group_by(paid_month)
        )
    }
    closed_month = _month_key(Case.closed_on)
    closed_by_month = _execute(
        sa.select(
            closed_month,
            sa.func.count(),
            sa.func.sum(_days_between(Case.opened_on, Case.closed_on)),
        )
        .where(
            Case.creditor_id == cid,
            Case.stage == pipeline.CLOSED,
            Case.outcome == "paid",
            Case.closed_on.is_not(None),
        )
        .group_by(closed_month)
    ).all()
    closed_paid = sum(int(count) for _key, count, _days in closed_by_month)
    money = remittance.money_figures(cid)
    return Dashboard(
        creditor=creditor,
        total_cases=total_cases,
        stages=stages,
        ageing=ageing,
        months=figures.monthly_from_totals(
            recovered_by_month,
            {_first_day(key): int(count) for key, count, _days in closed_by_month},
            today,
        ),
        handed_over_cents=sum(handed for *_rest, handed in grouped),
        recovered_cents=recovered,
        closed_paid_cases=closed_paid,
        average_days_to_recover=figures.mean_days(
            sum(int(days) for _key, _count, days in closed_by_month), closed_paid
        ),
        money=money,
    )
