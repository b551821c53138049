"""Costs of the court route: recorded against a case, settled with the creditor, owed by the
debtor once a title makes them recoverable.

- Advanced by the creditor: the creditor paid the court or the commissaire de justice itself;
  nothing moves in the agency's books until the debtor pays them back.
- Advanced by the agency: charged on the creditor's next statement (a `cost_charged` transaction,
  like a fee), and cancelled by its mirror.
- Recoverable ones enter the debtor's balance as costs from the day a title exists (or the day
  they are incurred, if later), settled before indemnity, interest and principal (LAW.md
  section 4). Whatever the debtor pays on costs goes to the creditor, without commission: the
  agency was paid back on the statement, or the creditor advanced them.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from app.domain import ledger
from app.domain.i18n import N_
from app.extensions import db
from app.models import Case, CaseCost, JudicialProcedure
from app.models.base import utcnow
from app.models.judicial import COST_ADVANCERS, COST_KINDS
from app.services import access
from app.services import ledger as books
from app.services.audit import add_timeline, record_audit
from app.services.errors import ValidationFailed

MAX_COST_CENTS = 100_000_000  # 1 million euros: above that, a typing error


def case_costs(case: Case) -> list[CaseCost]:
    """The case's costs, cancelled ones included (shown struck through), oldest first."""
    query = (
        sa.select(CaseCost)
        .where(CaseCost.case_id == case.id)
        .order_by(CaseCost.incurred_on, CaseCost.id)
    )
    return list(db.session.scalars(query))


def owed_costs(costs: list[CaseCost], title_on: date | None) -> list[tuple[date, int]]:
    """(from when, cents) the debtor owes of these costs: recoverable, standing, and only once a
    title exists."""
    if title_on is None:
        return []
    return [
        (max(title_on, cost.incurred_on), cost.amount_cents)
        for cost in costs
        if cost.recoverable and cost.cancelled_at is None
    ]


def _check(case, *, kind, label, amount_cents, incurred_on, advanced_by, procedure_id, today):
    errors: dict[str, list[str]] = {}
    if case.judicial_approved_at is None:
        errors["kind"] = [
            N_("Des frais de procédure ne s'engagent qu'après l'accord du créancier.")
        ]
    if kind not in COST_KINDS:
        errors["kind"] = [N_("Choisissez la nature des frais.")]
    if advanced_by not in COST_ADVANCERS:
        errors["advanced_by"] = [N_("Indiquez qui a avancé les frais.")]
    if not label.strip():
        errors["label"] = [N_("Décrivez les frais (acte, juridiction…).")]
    elif len(label) > 200:
        errors["label"] = [N_("200 caractères au plus.")]
    if amount_cents is None or amount_cents <= 0:
        errors["amount"] = [N_("Le montant doit être positif.")]
    elif amount_cents > MAX_COST_CENTS:
        errors["amount"] = [N_("Montant trop élevé : vérifiez la saisie.")]
    if incurred_on is None:
        errors["incurred_on"] = [N_("Indiquez la date.")]
    elif incurred_on > today:
        errors["incurred_on"] = [N_("La date ne peut pas être dans le futur.")]
    if procedure_id is not None:
        procedure = db.session.get(JudicialProcedure, procedure_id)
        if procedure is None or procedure.case_id != case.id:
            errors["procedure_id"] = [N_("Cette procédure n'est pas celle du dossier.")]
    if errors:
        raise ValidationFailed(errors)


def record_cost(
    actor,
    case: Case,
    *,
    kind: str,
    label: str,
    amount_cents: int | None,
    incurred_on: date | None,
    advanced_by: str,
    recoverable: bool,
    today: date,
    procedure_id: int | None = None,
) -> CaseCost:
    access.require_agency(actor)
    label = (label or "").strip()
    _check(
        case,
        kind=kind,
        label=label,
        amount_cents=amount_cents,
        incurred_on=incurred_on,
        advanced_by=advanced_by,
        procedure_id=procedure_id,
        today=today,
    )
    cost = CaseCost(
        case_id=case.id,
        procedure_id=procedure_id,
        kind=kind,
        label=label,
        amount_cents=amount_cents,
        incurred_on=incurred_on,
        advanced_by=advanced_by,
        recoverable=recoverable,
        recorded_by_id=actor.id,
    )
    db.session.add(cost)
    db.session.flush()
    if advanced_by == "agency":
        (charge,) = books.post(
            ledger.cost_charged(amount_cents),
            creditor_id=case.creditor_id,
            case_id=case.id,
            actor=actor,
        )
        cost.ledger_transaction_id = charge.id
    add_timeline(
        case,
        actor,
        "cost_recorded",
        label,
        data={
            "cost_id": cost.id,
            "kind": kind,
            "amount_cents": amount_cents,
            "advanced_by": advanced_by,
            "recoverable": recoverable,
        },
        visible_to_creditor=True,
    )
    record_audit(
        actor,
        "cost.recorded",
        "case_cost",
        cost.id,
        case_id=case.id,
        changes={
            "kind": kind,
            "label": label,
            "amount_cents": amount_cents,
            "incurred_on": incurred_on,
            "advanced_by": advanced_by,
            "recoverable": recoverable,
            "procedure_id": procedure_id,
        },
    )
    db.session.commit()
    return cost


def cancel_cost(actor, cost: CaseCost, *, today: date) -> CaseCost:
    """A cost recorded by mistake. Refused once the debtor has paid costs on the case: the
    payment's allocation would change behind it."""
    from app.services import claims  # claims reads this module's costs

    access.require_agency(actor)
    if cost.cancelled_at is not None:
        raise ValidationFailed({"cost": [N_("Ces frais sont déjà annulés.")]})
    case = cost.case
    if cost.recoverable:
        balance = claims.case_balance(case, today)
        if any(invoice.paid["costs"] for invoice in balance.invoices):
            raise ValidationFailed(
                {"cost": [N_("Le débiteur a déjà réglé des frais : annulation impossible.")]}
            )
    cost.cancelled_at = utcnow()
    if cost.ledger_transaction_id is not None:
        charge = db.session.get(books.LedgerTransaction, cost.ledger_transaction_id)
        books.reverse(charge, actor=actor)
    add_timeline(
        case,
        actor,
        "cost_cancelled",
        cost.label,
        data={"cost_id": cost.id, "amount_cents": cost.amount_cents},
        visible_to_creditor=True,
    )
    record_audit(actor, "cost.cancelled", "case_cost", cost.id, case_id=case.id, changes={})
    db.session.commit()
    return cost
