"""A case's limitation date (LAW.md section 5), from its unpaid invoices and its interruptions.

One rule for many cases at once (the daily run's alerts) and for one (the case page, the
escalation check). Interruptions: the debtor's written acknowledgment, partial payments that
stand, a court claim (a procedure's request or invitation) and enforcement acts; an enforceable
title starts 10 years.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from app.domain import limitation
from app.domain.i18n import N_
from app.domain.judicial import TITLE_STEPS
from app.extensions import db
from app.models import (
    Case,
    Debtor,
    Invoice,
    JudicialProcedure,
    Organisation,
    Payment,
    ProcedureStep,
)
from app.services import access, bulk
from app.services.audit import add_timeline, record_audit
from app.services.errors import ValidationFailed

INTERRUPTING_STEPS = ("filed", "invitation_sent", "garnishment_bank", "garnishment_wages")


def court_dates(case_ids: list[int]) -> dict[int, tuple[date | None, date | None]]:
    """Per case: the latest interrupting court act and the first enforceable title."""
    result: dict[int, list] = {}
    for case_id, kind, occurred_on in db.session.execute(
        sa.select(JudicialProcedure.case_id, ProcedureStep.kind, ProcedureStep.occurred_on)
        .join(ProcedureStep, ProcedureStep.procedure_id == JudicialProcedure.id)
        .where(
            bulk.among(JudicialProcedure.case_id, case_ids),
            ProcedureStep.kind.in_(INTERRUPTING_STEPS + TITLE_STEPS),
        )
    ):
        act, title = result.setdefault(case_id, [None, None])
        if kind in INTERRUPTING_STEPS and (act is None or occurred_on > act):
            result[case_id][0] = occurred_on
        if kind in TITLE_STEPS and (title is None or occurred_on < title):
            result[case_id][1] = occurred_on
    return {k: (v[0], v[1]) for k, v in result.items()}


def limitation_dates(case_ids: list[int]) -> dict[int, date | None]:
    """Each case's limitation date, for many cases at once (five grouped queries): the daily
    run's alerts and the one-case page read the same rule."""
    if not case_ids:
        return {}
    parties = {
        row.id: row
        for row in db.session.execute(
            sa.select(
                Case.id, Case.acknowledged_on, Debtor.kind, Organisation.creditor_is_individual
            )
            .join(Debtor, Debtor.id == Case.debtor_id)
            .join(Organisation, Organisation.id == Case.creditor_id)
            .where(bulk.among(Case.id, case_ids))
        )
    }
    unpaid: dict[int, list[date]] = {}
    for case_id, due_date in db.session.execute(
        sa.select(Invoice.case_id, Invoice.due_date).where(
            bulk.among(Invoice.case_id, case_ids), Invoice.paid_cents < Invoice.amount_cents
        )
    ):
        unpaid.setdefault(case_id, []).append(due_date)
    last_payment = dict(
        db.session.execute(
            sa.select(Payment.case_id, sa.func.max(Payment.received_on))
            .where(bulk.among(Payment.case_id, case_ids), Payment.reversed_at.is_(None))
            .group_by(Payment.case_id)
        ).all()
    )
    court = court_dates(case_ids)
    dates = {}
    for case_id, row in parties.items():
        act, title = court.get(case_id, (None, None))
        interruptions = [d for d in (last_payment.get(case_id), act, row.acknowledged_on) if d]
        dates[case_id] = limitation.limitation_date(
            limitation.LimitationFacts(
                years=limitation.period_years(row.kind == "individual", row.creditor_is_individual),
                unpaid_due_dates=tuple(unpaid.get(case_id, ())),
                last_interruption=max(interruptions, default=None),
                title_on=title,
            )
        )
    return dates


def limitation_on(case: Case) -> date | None:
    return limitation_dates([case.id]).get(case.id)


def is_prescribed(case: Case, today: date) -> bool:
    """Past its limitation date: it cannot be escalated, and is proposed for closure."""
    on = limitation_on(case)
    return on is not None and today > on


def record_acknowledgment(actor, case: Case, *, acknowledged_on: date | None, note: str, today):
    """The debtor acknowledged the debt in writing (a signed letter, a plan agreement): a new full
    limitation period starts that day (C. civ. 2240). Only the latest one counts."""
    access.require_agency(actor)
    if acknowledged_on is None:
        raise ValidationFailed({"acknowledged_on": [N_("Indiquez la date.")]})
    if acknowledged_on > today:
        raise ValidationFailed({"acknowledged_on": [N_("La date ne peut pas être dans le futur.")]})
    before = case.acknowledged_on
    if before is None or acknowledged_on > before:
        case.acknowledged_on = acknowledged_on
    add_timeline(
        case,
        actor,
        "debt_acknowledged",
        note.strip(),
        data={"acknowledged_on": acknowledged_on},
        visible_to_creditor=True,
    )
    record_audit(
        actor,
        "case.acknowledgment",
        "case",
        case.id,
        case_id=case.id,
        changes={"acknowledged_on": [before, case.acknowledged_on]},
    )
    db.session.commit()
