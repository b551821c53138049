"""A case's limitation date (LAW.md section 5), from its unpaid invoices and its interruptions.

The daily run computes it in bulk (services.cadence); this is the one-case version the case page
and the escalation check use. Interruptions: partial payments that stand, a court claim (a
procedure's request or invitation) and enforcement acts; an enforceable title starts 10 years.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from app.domain import limitation
from app.extensions import db
from app.models import Case, JudicialProcedure, Payment, ProcedureStep

INTERRUPTING_STEPS = ("filed", "invitation_sent", "garnishment_bank", "garnishment_wages")
TITLE_STEPS = ("title_obtained", "accepted", "decision")


def court_dates(case_ids: list[int]) -> dict[int, tuple[date | None, date | None]]:
    """Per case: the latest interrupting court act and the first enforceable title."""
    result: dict[int, list] = {}
    for case_id, kind, occurred_on in db.session.execute(
        sa.select(JudicialProcedure.case_id, ProcedureStep.kind, ProcedureStep.occurred_on)
        .join(ProcedureStep, ProcedureStep.procedure_id == JudicialProcedure.id)
        .where(
            JudicialProcedure.case_id.in_(case_ids),
            ProcedureStep.kind.in_(INTERRUPTING_STEPS + TITLE_STEPS),
        )
    ):
        act, title = result.setdefault(case_id, [None, None])
        if kind in INTERRUPTING_STEPS and (act is None or occurred_on > act):
            result[case_id][0] = occurred_on
        if kind in TITLE_STEPS and (title is None or occurred_on < title):
            result[case_id][1] = occurred_on
    return {k: (v[0], v[1]) for k, v in result.items()}


def facts_of(case: Case) -> limitation.LimitationFacts:
    last_payment = db.session.scalar(
        sa.select(sa.func.max(Payment.received_on)).where(
            Payment.case_id == case.id, Payment.reversed_at.is_(None)
        )
    )
    act, title = court_dates([case.id]).get(case.id, (None, None))
    return limitation.LimitationFacts(
        years=limitation.period_years(
            case.debtor.kind == "individual", case.creditor.creditor_is_individual
        ),
        unpaid_due_dates=tuple(i.due_date for i in case.invoices if i.paid_cents < i.amount_cents),
        last_interruption=max((d for d in (last_payment, act) if d), default=None),
        title_on=title,
    )


def limitation_on(case: Case) -> date | None:
    return limitation.limitation_date(facts_of(case))


def is_prescribed(case: Case, today: date) -> bool:
    """Past its limitation date: it cannot be escalated, and is proposed for closure."""
    on = limitation_on(case)
    return on is not None and today > on
