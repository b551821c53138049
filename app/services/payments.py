"""Recording and reversing a debtor's payments, and what follows: ledger, commission, closure.

Each payment (or reversal) locks its case row first, so two payments recorded at the same moment
are booked one after the other: each sees the other's effect on the allocation, the overpayment
credit and the closure, and nothing is counted twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from app.domain import commission, ledger, pipeline
from app.domain.balance import PARTS, Allocation, CaseBalance
from app.domain.i18n import N_
from app.domain.interest import MissingRate
from app.extensions import db
from app.models import Case, LedgerTransaction, Organisation, Payment, TimelineEntry
from app.models.base import utcnow
from app.models.money import PAYMENT_METHODS, REVERSAL_REASONS
from app.services import claims, plans
from app.services import ledger as books
from app.services.access import require_agency
from app.services.audit import add_timeline, record_audit
from app.services.errors import Forbidden, ValidationFailed

# Amounts above this are typing slips (a misplaced decimal), not payments of a debt.
MAX_PAYMENT_CENTS = 100_000_000_00


def _lock(case: Case) -> Case:
    """Hold the case row until commit (PostgreSQL; SQLite serialises writers anyway)."""
    db.session.execute(sa.select(Case.id).where(Case.id == case.id).with_for_update())
    db.session.refresh(case)
    return case


def _require_may_record(actor, case: Case, paid_to_creditor: bool) -> None:
    if actor is None or actor.is_agency_staff:
        return
    # A creditor may declare what its debtor paid it directly, on its own cases only.
    if not paid_to_creditor or actor.organisation_id != case.creditor_id:
        raise Forbidden(N_("Seule l'agence enregistre les paiements qu'elle reçoit."))


def _validate(
    case: Case,
    *,
    amount_cents: int | None,
    received_on: date | None,
    method: str | None,
    designated_invoice_id: int | None,
    today: date,
    closed_ok: bool = False,
) -> None:
    errors: dict[str, list[str]] = {}
    if not case.is_open and not closed_ok:
        errors["amount"] = [
            N_("Le dossier est clôturé : aucun paiement ne peut y être enregistré.")
        ]
    if amount_cents is None:
        errors.setdefault("amount", []).append(N_("Indiquez le montant."))
    elif amount_cents <= 0:
        errors.setdefault("amount", []).append(N_("Le montant doit être supérieur à zéro."))
    elif amount_cents > MAX_PAYMENT_CENTS:
        errors.setdefault("amount", []).append(
            N_("Ce montant est trop élevé : vérifiez la saisie.")
        )
    if received_on is None:
        errors["received_on"] = [N_("Indiquez la date de réception du paiement.")]
    elif received_on > today:
        errors["received_on"] = [N_("La date de réception ne peut pas être dans le futur.")]
    if method not in PAYMENT_METHODS:
        errors["method"] = [N_("Choisissez le moyen de paiement.")]
    if designated_invoice_id is not None and designated_invoice_id not in {
        invoice.id for invoice in case.invoices
    }:
        errors["designated_invoice_id"] = [N_("Cette facture n'appartient pas au dossier.")]
    if errors:
        raise ValidationFailed(errors)


def _costs_paid_by(balance, payment_id: int) -> int:
    if balance is None:
        return 0
    return sum(
        a.cents for a in balance.allocations if a.payment_key == payment_id and a.part == "costs"
    )


def commission_rate_bp(case: Case, stage: str) -> int:
    """The mandate's rate for money collected at this stage (none set: no commission)."""
    creditor = case.creditor
    judicial = stage in (pipeline.JUDICIAL, pipeline.INSOLVENCY)
    rate = creditor.commission_judicial_bp if judicial else creditor.commission_amicable_bp
    return rate or 0


def _balance_or_none(case: Case, today: date) -> CaseBalance | None:
    """The balance as of today; None when a rate the computation needs is not entered yet (the
    payment still counts: credit and closure wait until the rate is entered)."""
    try:
        return claims.case_balance(case, today)
    except MissingRate:
        return None


def record_payment(
    actor,
    case: Case,
    *,
    amount_cents: int | None,
    received_on: date | None,
    method: str | None,
    paid_to_creditor: bool = False,
    designated_invoice_id: int | None = None,
    reference: str = "",
    note: str = "",
    idempotency_key: str | None = None,
    already_taken: bool = False,
    today: date,
) -> Payment:
    """Book a payment the debtor made (actor None: a verified webhook or job).

    The same idempotency key twice returns the payment first recorded with it. `already_taken`
    is money a processor has already collected (a card payment): it is recorded even on a case
    closed in the meantime, where it becomes an overpayment to refund, never lost.
    """
    _require_may_record(actor, case, paid_to_creditor)
    if idempotency_key:
        existing = _by_key(idempotency_key)
        if existing is not None:
            return _same_case(existing, case)
    _lock(case)
    _validate(
        case,
        amount_cents=amount_cents,
        received_on=received_on,
        method=method,
        designated_invoice_id=designated_invoice_id,
        today=today,
        closed_ok=already_taken,
    )
    payment = Payment(
        case_id=case.id,
        creditor_id=case.creditor_id,
        amount_cents=amount_cents,
        currency=case.currency,
        received_on=received_on,
        method=method,
        paid_to_creditor=paid_to_creditor,
        designated_invoice_id=designated_invoice_id,
        reference=(reference or "").strip() or None,
        note=(note or "").strip() or None,
        stage_at_receipt=case.stage,
        idempotency_key=idempotency_key,
        recorded_by_id=getattr(actor, "id", None),
    )
    db.session.add(payment)
    try:
        db.session.flush()
    except IntegrityError:
        # The same submission, recorded a moment ago by a concurrent request.
        db.session.rollback()
        existing = _by_key(idempotency_key) if idempotency_key else None
        if existing is None:
            raise
        return _same_case(existing, case)

    credit_before = books.case_credit_cents(case.id)
    balance = _balance_or_none(case, today)
    credit_now = balance.credit_cents if balance else credit_before
    excess = min(max(credit_now - credit_before, 0), amount_cents)
    rate_bp = commission_rate_bp(case, case.stage)
    # Court costs paid back go to whoever advanced them, without commission (see costs.py).
    costs_paid = _costs_paid_by(balance, payment.id)
    fee = commission.fee_on(amount_cents - excess - costs_paid, rate_bp)
    context = {"creditor_id": case.creditor_id, "case_id": case.id, "payment_id": payment.id}
    books.post(
        ledger.payment_received(amount_cents, direct_to_creditor=paid_to_creditor)
        + ledger.fee_charged(fee)
        + ledger.credit_adjusted(credit_now - credit_before),
        actor=actor,
        **context,
    )
    add_timeline(
        case,
        actor,
        "payment_received",
        data={
            "payment_id": payment.id,
            "amount_cents": amount_cents,
            "received_on": received_on,
            "method": method,
            "paid_to_creditor": paid_to_creditor,
            "credit_cents": excess,
        },
        # The creditor is told of every payment, even partial (R124-5).
        visible_to_creditor=True,
    )
    record_audit(
        actor,
        "payment.recorded",
        "payment",
        payment.id,
        case_id=case.id,
        changes={
            "amount_cents": amount_cents,
            "received_on": received_on,
            "method": method,
            "paid_to_creditor": paid_to_creditor,
            "designated_invoice_id": designated_invoice_id,
            "commission_cents": fee.commission_cents,
            "vat_cents": fee.vat_cents,
            "credit_cents": excess,
        },
    )
    plans.after_payment(case, today, actor)
    if balance is not None and balance.outstanding_cents <= 0 and case.is_open:
        _close_as_paid(actor, case, today)
    db.session.commit()
    if case.debtor.emails and not paid_to_creditor:
        # Every payment gets a receipt (R124-6); sent after the commit, by a job.
        from app.jobs import enqueue
        from app.jobs.tasks import send_payment_receipt

        enqueue(send_payment_receipt, payment.id, queue="mail")
    return payment


def email_receipt(payment_id: int) -> bool:
    """Send the debtor the receipt of a payment (the job's work); once per payment."""
    from flask import render_template

    from app.integrations import mail

    payment = db.session.get(Payment, payment_id)
    if payment is None or payment.is_reversed or not payment.case.debtor.emails:
        return False
    already = db.session.scalar(
        sa.select(TimelineEntry.id).where(
            TimelineEntry.case_id == payment.case_id,
            TimelineEntry.kind == "receipt_sent",
            TimelineEntry.data["payment_id"].as_integer() == payment.id,
        )
    )
    if already is not None:
        return False
    document = receipt(payment)
    to = payment.case.debtor.emails[0]
    context = {"receipt": document, "payment": payment, "case": payment.case}
    message = mail.send_mail(
        to,
        f"Reçu de paiement — dossier {payment.case.reference}",
        render_template("emails/receipt.txt", **context),
        html=render_template("emails/receipt.html", **context),
    )
    add_timeline(
        payment.case,
        None,
        "receipt_sent",
        data={"payment_id": payment.id, "to": to, "message_id": message["Message-ID"]},
        visible_to_creditor=True,
    )
    db.session.commit()
    return True


def _by_key(key: str) -> Payment | None:
    return db.session.scalar(sa.select(Payment).where(Payment.idempotency_key == key))


def _same_case(payment: Payment, case: Case) -> Payment:
    if payment.case_id != case.id:
        raise ValidationFailed({"amount": [N_("Cette saisie a déjà servi pour un autre dossier.")]})
    return payment


def _case_fees_cents(case: Case) -> int:
    """Commission (excluding VAT) charged on the case so far, net of reversals."""
    return -books.balances(case_id=case.id)[ledger.COMMISSION_INCOME]


def _close_as_paid(actor, case: Case, today: date) -> None:
    """The claim is settled in full: the case closes as paid, and the mandate's minimum
    commission per case, if any, is charged now."""
    minimum = case.creditor.commission_minimum_cents or 0
    top_up = commission.minimum_top_up(_case_fees_cents(case), minimum)
    books.post(
        ledger.fee_charged(top_up, kind="fee_minimum"),
        creditor_id=case.creditor_id,
        case_id=case.id,
        actor=actor,
    )
    source = case.stage
    case.stage = pipeline.CLOSED
    case.outcome = "paid"
    case.closed_on = today
    case.next_action_on = None
    case.hold_reason = None
    case.stage_changed_at = utcnow()
    from app.services import escalation, tasks

    tasks.cancel_open_tasks(case, actor)
    escalation.withdraw_pending(case, actor, reason="Le dossier est soldé.")
    add_timeline(
        case,
        actor,
        "stage_changed",
        "Solde réglé : dossier clôturé comme payé.",
        data={"from": source, "to": pipeline.CLOSED, "outcome": "paid", "automatic": True},
        visible_to_creditor=True,
    )
    record_audit(
        actor,
        "case.stage_changed",
        "case",
        case.id,
        case_id=case.id,
        changes={"stage": [source, pipeline.CLOSED], "outcome": "paid", "automatic": True},
    )


def reverse_payment(actor, payment: Payment, *, reason: str | None, note: str = "", today: date):
    """Cancel a payment that did not stand (bounced cheque, chargeback...): mirror entries for
    everything it booked; a case it had closed as paid reopens."""
    if actor is not None:
        require_agency(actor)
    case = _lock(payment.case)
    if reason not in REVERSAL_REASONS:
        raise ValidationFailed({"reason": [N_("Choisissez le motif de l'annulation.")]})
    # Claim the payment: only one reversal wins, however many arrive at once.
    claimed = db.session.execute(
        sa.update(Payment)
        .where(Payment.id == payment.id, Payment.reversed_at.is_(None))
        .values(
            reversed_at=utcnow(),
            reversed_by_id=getattr(actor, "id", None),
            reversal_reason=reason,
            reversal_note=(note or "").strip() or None,
        )
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        db.session.rollback()
        raise ValidationFailed({"reason": [N_("Ce paiement a déjà été annulé.")]})
    db.session.refresh(payment)

    originals = _standing_transactions(LedgerTransaction.payment_id == payment.id)
    for row in originals:
        books.reverse(row, actor=actor)

    credit_before = books.case_credit_cents(case.id)
    balance = _balance_or_none(case, today)
    if balance is not None:
        books.post(
            ledger.credit_adjusted(balance.credit_cents - credit_before),
            creditor_id=case.creditor_id,
            case_id=case.id,
            payment_id=payment.id,
            actor=actor,
        )
    add_timeline(
        case,
        actor,
        "payment_reversed",
        (note or "").strip(),
        data={
            "payment_id": payment.id,
            "amount_cents": payment.amount_cents,
            "received_on": payment.received_on,
            "reason": reason,
        },
        visible_to_creditor=True,
    )
    record_audit(
        actor,
        "payment.reversed",
        "payment",
        payment.id,
        case_id=case.id,
        changes={"reason": reason, "note": note, "amount_cents": payment.amount_cents},
    )
    plans.after_payment(case, today, actor)
    closed_as_paid = case.stage == pipeline.CLOSED and case.outcome == "paid"
    if closed_as_paid and (balance is None or balance.outstanding_cents > 0):
        _reopen(actor, case)
    db.session.commit()
    return payment


def _standing_transactions(*criteria) -> list[LedgerTransaction]:
    """Transactions matching `criteria` that are neither reversals nor already reversed."""
    mirror = aliased(LedgerTransaction)
    query = sa.select(LedgerTransaction).where(
        *criteria,
        LedgerTransaction.reverses_id.is_(None),
        ~sa.exists().where(mirror.reverses_id == LedgerTransaction.id),
    )
    return list(db.session.scalars(query.order_by(LedgerTransaction.id)))


def _reopen(actor, case: Case) -> None:
    """Money that closed the case did not stand: back to the stage it was closed from, and the
    minimum-commission top-up charged at closure is cancelled."""
    closing = db.session.scalar(
        sa.select(TimelineEntry)
        .where(TimelineEntry.case_id == case.id, TimelineEntry.kind == "stage_changed")
        .order_by(TimelineEntry.id.desc())
        .limit(1)
    )
    previous = (closing.data or {}).get("from") if closing else None
    target = previous if previous in pipeline.OPEN_STAGES else pipeline.AMICABLE
    top_ups = _standing_transactions(
        LedgerTransaction.case_id == case.id, LedgerTransaction.kind == "fee_minimum"
    )
    for row in top_ups:
        books.reverse(row, actor=actor)
    case.stage = target
    case.outcome = None
    case.closed_on = None
    case.stage_changed_at = utcnow()
    add_timeline(
        case,
        actor,
        "stage_changed",
        "Paiement annulé : le dossier est rouvert.",
        data={"from": pipeline.CLOSED, "to": target, "automatic": True},
        visible_to_creditor=True,
    )
    record_audit(
        actor,
        "case.stage_changed",
        "case",
        case.id,
        case_id=case.id,
        changes={"stage": [pipeline.CLOSED, target], "automatic": True},
    )


@dataclass(frozen=True)
class PaymentLine:
    """A payment as the case page shows it: where each cent went, per invoice and part."""

    payment: Payment
    allocations: dict[str, dict[str, int]]  # invoice number -> part -> cents
    credit_cents: int


def case_payments(case: Case) -> list[Payment]:
    """Every payment of the case, reversed ones included, newest first."""
    return list(
        db.session.scalars(
            sa.select(Payment)
            .where(Payment.case_id == case.id)
            .order_by(Payment.received_on.desc(), Payment.id.desc())
        )
    )


def payment_lines(
    case: Case, balance: CaseBalance | None, payments: list[Payment] | None = None
) -> list[PaymentLine]:
    """Every payment of the case (`payments`, from case_payments, when already loaded), newest
    first, with its allocation from `balance` (reversed payments and those after the balance
    date have none)."""
    numbers = {invoice.id: invoice.number for invoice in case.invoices}
    by_payment: dict[int, list[Allocation]] = {}
    for allocation in balance.allocations if balance else []:
        by_payment.setdefault(allocation.payment_key, []).append(allocation)
    if payments is None:
        payments = case_payments(case)
    lines = []
    for payment in payments:
        parts: dict[str, dict[str, int]] = {}
        for allocation in by_payment.get(payment.id, []):
            row = parts.setdefault(numbers[allocation.invoice_key], dict.fromkeys(PARTS, 0))
            row[allocation.part] += allocation.cents
        allocated = sum(sum(row.values()) for row in parts.values())
        counted = balance is not None and not payment.is_reversed
        counted = counted and payment.received_on <= balance.as_of
        credit = payment.amount_cents - allocated if counted else 0
        lines.append(PaymentLine(payment, parts, credit))
    return lines


@dataclass(frozen=True)
class Receipt:
    """What a receipt (quittance, R124-6) states: who received what, for whom, where it went,
    and what the debtor still owed once it was applied."""

    payment: Payment
    agency: Organisation | None
    line: PaymentLine | None
    outstanding_after_cents: int | None  # None: a rate is missing, the balance waits


def receipt(payment: Payment) -> Receipt:
    case = payment.case
    agency = db.session.scalars(sa.select(Organisation).where(Organisation.kind == "agency"))
    try:
        balance = claims.case_balance(case, payment.received_on)
    except MissingRate:
        balance = None
    line = next((x for x in payment_lines(case, balance) if x.payment.id == payment.id), None)
    return Receipt(
        payment=payment,
        agency=agency.first(),
        line=line,
        outstanding_after_cents=balance.outstanding_cents if balance else None,
    )
