"""Remittances: what the agency owes each creditor, the statement that explains it, the transfer.

A statement reports every ledger transaction of the creditor not reported yet (payments, their
commission, reversals, held overpayments, minimum commissions) and stamps them with its id, so
each movement appears on exactly one statement. The amount transferred is the creditor's
`creditor_payable` balance as the books say; the statement's lines must add up to it, or the run
is refused. When fees on direct payments exceed what was collected, nothing is transferred and
the balance is carried forward to the next statement.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from app.domain import ledger
from app.domain.i18n import N_
from app.domain.schedule import add_months
from app.extensions import db
from app.models import (
    Case,
    CaseCost,
    Debtor,
    LedgerEntry,
    LedgerTransaction,
    Organisation,
    Payment,
    Remittance,
)
from app.services import ledger as books
from app.services import worklist
from app.services.access import require_agency, require_manager
from app.services.audit import record_audit
from app.services.errors import NotFound, ValidationFailed

# Transactions that only move money inside a payment's own effect on the creditor.
_FEE_KINDS = ("fee", "fee_reversal", "fee_minimum", "fee_minimum_reversal")
_CREDIT_KINDS = (
    "credit_held",
    "credit_released",
    "credit_held_reversal",
    "credit_released_reversal",
)


# What a line that is not a payment says (a charge on the creditor, or its cancellation).
_CHARGE_LABELS = {
    "fee_minimum": N_("Commission minimale du mandat"),
    "fee_minimum_reversal": N_("Commission minimale du mandat"),
    "cost_charged": N_("Frais de procédure avancés par l'agence"),
    "cost_charged_reversal": N_("Frais de procédure avancés par l'agence"),
}


class Unreconciled(RuntimeError):
    """The lines do not add up to the books: a bug, never papered over."""


@dataclass
class StatementLine:
    """One payment (or reversal, or charge) as the creditor reads it. Amounts in cents; `net` is
    what it adds to (or, negative, takes from) what the agency owes the creditor."""

    received_on: date | None
    case_reference: str | None
    debtor_name: str | None
    method: str | None
    paid_to_creditor: bool = False
    reversal: bool = False
    label: str = ""  # for charges that are not a payment (minimum commission, court costs)
    detail: str = ""  # what the charge was for, as recorded (a cost's description)
    gross_cents: int = 0
    commission_cents: int = 0
    vat_cents: int = 0
    credit_cents: int = 0  # overpayment held for the debtor (positive) or released (negative)
    net_cents: int = 0


@dataclass
class Statement:
    remittance: Remittance | None
    creditor: Organisation
    lines: list[StatementLine] = field(default_factory=list)
    brought_forward_cents: int = 0

    def _sum(self, name: str) -> int:
        return sum(getattr(line, name) for line in self.lines)

    @property
    def gross_cents(self) -> int:
        return sum(line.gross_cents for line in self.lines if not line.paid_to_creditor)

    @property
    def direct_cents(self) -> int:
        return sum(line.gross_cents for line in self.lines if line.paid_to_creditor)

    @property
    def commission_cents(self) -> int:
        return self._sum("commission_cents")

    @property
    def vat_cents(self) -> int:
        return self._sum("vat_cents")

    @property
    def credit_cents(self) -> int:
        return self._sum("credit_cents")

    @property
    def net_cents(self) -> int:
        return self._sum("net_cents")

    @property
    def due_cents(self) -> int:
        """Brought forward + this statement's lines: owed to the creditor (negative: by it)."""
        return self.brought_forward_cents + self.net_cents

    @property
    def transfer_cents(self) -> int:
        return max(self.due_cents, 0)

    @property
    def carried_forward_cents(self) -> int:
        return self.due_cents - self.transfer_cents


@dataclass(frozen=True)
class _Movement:
    """A ledger transaction as a statement reads it: plain values, no ORM object (a run reads
    hundreds of thousands of them, and every commit would expire each one)."""

    id: int
    kind: str
    case_id: int | None
    payment_id: int | None
    reverses_id: int | None
    created_at: datetime
    entries: tuple[tuple[str, str, int], ...]  # (account, side, cents)


def _payable_effect(transaction: _Movement) -> int:
    """What a transaction adds to what the agency owes the creditor (credit-positive)."""
    return _account_cents(transaction, ledger.CREDITOR_PAYABLE)


def _account_cents(transaction: _Movement, account: str) -> int:
    return sum(
        cents if side == ledger.CREDIT else -cents
        for entry_account, side, cents in transaction.entries
        if entry_account == account
    )


def _payable_now(creditor_id: int):
    """The creditor's `creditor_payable` balance (credit-positive: what the agency owes it),
    as a scalar subquery, so that it is read in the same statement as the movements."""
    entry = aliased(LedgerEntry)
    return (
        sa.select(
            sa.func.coalesce(
                sa.func.sum(
                    sa.case((entry.side == ledger.CREDIT, entry.cents), else_=-entry.cents)
                ),
                0,
            )
        )
        .where(entry.creditor_id == creditor_id, entry.account == ledger.CREDITOR_PAYABLE)
        .correlate(None)
        .scalar_subquery()
    )


def _movements(condition, *, payable_of: int | None = None) -> tuple[list[_Movement], int | None]:
    """The transactions matching `condition` with their entries, oldest first, in one query;
    with `payable_of`, also that creditor's payable balance, read in the same statement (one
    snapshot: a payment committed meanwhile is either in both or in neither). The balance is
    None when no transaction matches."""
    columns = [
        LedgerTransaction.id,
        LedgerTransaction.kind,
        LedgerTransaction.case_id,
        LedgerTransaction.payment_id,
        LedgerTransaction.reverses_id,
        LedgerTransaction.created_at,
        LedgerEntry.account,
        LedgerEntry.side,
        LedgerEntry.cents,
    ]
    if payable_of is not None:
        columns.append(_payable_now(payable_of).label("payable"))
    rows = db.session.execute(
        sa.select(*columns)
        .outerjoin(LedgerEntry, LedgerEntry.transaction_id == LedgerTransaction.id)
        .where(condition)
        .order_by(LedgerTransaction.id, LedgerEntry.id)
    ).all()
    movements: list[_Movement] = []
    payable = None
    entries: list[tuple[str, str, int]] = []
    for position, row in enumerate(rows):
        if row.account is not None:
            entries.append((row.account, row.side, row.cents))
        if position + 1 == len(rows) or rows[position + 1].id != row.id:
            movements.append(
                _Movement(
                    row.id,
                    row.kind,
                    row.case_id,
                    row.payment_id,
                    row.reverses_id,
                    row.created_at,
                    tuple(entries),
                )
            )
            entries = []
        if payable_of is not None:
            payable = int(row.payable)
    return movements, payable


def _lines(transactions: list[_Movement]) -> list[StatementLine]:
    """Group a statement's transactions by payment (and by reversal of it), oldest first.
    A fixed number of queries, however many payments and cases the statement holds."""
    payment_ids = {t.payment_id for t in transactions if t.payment_id}
    payments = (
        {
            row.id: row
            for row in db.session.execute(
                sa.select(
                    Payment.id, Payment.received_on, Payment.method, Payment.paid_to_creditor
                ).where(Payment.id.in_(payment_ids))
            )
        }
        if payment_ids
        else {}
    )
    case_ids = {t.case_id for t in transactions if t.case_id}
    cases = (
        {
            row.id: row
            for row in db.session.execute(
                sa.select(Case.id, Case.reference, Debtor.name)
                .join(Debtor, Debtor.id == Case.debtor_id)
                .where(Case.id.in_(case_ids))
            )
        }
        if case_ids
        else {}
    )
    charged = {t.reverses_id or t.id for t in transactions if t.kind.startswith("cost_charged")}
    cost_labels = (
        dict(
            db.session.execute(
                sa.select(CaseCost.ledger_transaction_id, CaseCost.label).where(
                    CaseCost.ledger_transaction_id.in_(charged)
                )
            ).all()
        )
        if charged
        else {}
    )
    # A reversal re-adjusts the debtor's credit right after its mirror entries: that adjustment
    # belongs on the reversal's line.
    reversed_from = {}
    for transaction in transactions:
        if transaction.kind == "payment_reversal":
            reversed_from.setdefault(transaction.payment_id, transaction.id)
    groups: OrderedDict[tuple, StatementLine] = OrderedDict()
    for transaction in sorted(transactions, key=lambda t: t.id):
        if transaction.kind in ("remittance", "remittance_reversal"):
            continue
        reversal = transaction.reverses_id is not None or (
            transaction.id > reversed_from.get(transaction.payment_id, transaction.id)
        )
        payment = payments.get(transaction.payment_id)
        case = cases.get(transaction.case_id)
        if payment is not None:
            key = ("payment", payment.id, reversal)
        else:
            key = ("charge", transaction.id)
        line = groups.get(key)
        if line is None:
            line = groups[key] = StatementLine(
                received_on=payment.received_on if payment else transaction.created_at.date(),
                case_reference=case.reference if case else None,
                debtor_name=case.name if case else None,
                method=payment.method if payment else None,
                paid_to_creditor=bool(payment and payment.paid_to_creditor),
                reversal=reversal,
                label="" if payment else _CHARGE_LABELS.get(transaction.kind, ""),
                detail=cost_labels.get(transaction.reverses_id or transaction.id, ""),
            )
        if transaction.kind in ("payment", "payment_reversal"):
            line.gross_cents += _account_cents(transaction, ledger.CREDITOR_PAYABLE)
        elif transaction.kind in _FEE_KINDS:
            line.commission_cents += _account_cents(transaction, ledger.COMMISSION_INCOME)
            line.vat_cents += _account_cents(transaction, ledger.VAT_PAYABLE)
        elif transaction.kind in _CREDIT_KINDS:
            line.credit_cents += _account_cents(transaction, ledger.DEBTOR_CREDIT)
        line.net_cents += _payable_effect(transaction)
    return list(groups.values())


def _unreported(creditor_id: int) -> tuple[list[_Movement], int]:
    """The creditor's transactions not reported yet, and its payable balance, as one read."""
    transactions, payable = _movements(
        sa.and_(
            LedgerTransaction.creditor_id == creditor_id,
            LedgerTransaction.remittance_id.is_(None),
        ),
        payable_of=creditor_id,
    )
    if payable is None:  # nothing unreported: the balance alone
        payable = -books.balances(creditor_id=creditor_id)[ledger.CREDITOR_PAYABLE]
    return transactions, payable


def _pending(creditor: Organisation) -> tuple[Statement, list[_Movement], int]:
    transactions, payable = _unreported(creditor.id)
    statement = Statement(remittance=None, creditor=creditor, lines=_lines(transactions))
    statement.brought_forward_cents = payable - sum(
        _payable_effect(t) for t in transactions if t.kind != "remittance"
    )
    return statement, transactions, payable


def pending_statement(creditor: Organisation) -> Statement:
    """What the next statement of this creditor would say, were it issued now."""
    return _pending(creditor)[0]


def run_remittance(actor, creditor: Organisation, *, today: date) -> Remittance | None:
    """Issue the creditor's statement and transfer what is owed; None when there is nothing
    new to report (running twice is harmless)."""
    if actor is not None:
        require_manager(actor)
    # One run per creditor at a time: the second waits, then finds nothing left to report.
    db.session.execute(
        sa.select(Organisation.id).where(Organisation.id == creditor.id).with_for_update()
    )
    # Read once: the statement reports, and stamps, exactly the transactions it was built from.
    statement, transactions, payable = _pending(creditor)
    if not statement.lines:
        db.session.rollback()
        return None
    if statement.due_cents != payable:
        raise Unreconciled(
            f"creditor {creditor.id}: statement {statement.due_cents} != books {payable}"
        )
    if statement.transfer_cents > 0 and not creditor.iban:
        raise ValidationFailed(
            {
                "creditor": [
                    N_("Ce créancier n'a pas d'IBAN : impossible de lui reverser les fonds.")
                ]
            }
        )
    remittance = Remittance(
        creditor_id=creditor.id,
        gross_cents=statement.gross_cents,
        direct_cents=statement.direct_cents,
        commission_cents=statement.commission_cents,
        vat_cents=statement.vat_cents,
        brought_forward_cents=statement.brought_forward_cents,
        amount_cents=statement.transfer_cents,
        created_by_id=getattr(actor, "id", None),
    )
    db.session.add(remittance)
    db.session.flush()
    remittance.reference = f"REM-{today.year}-{remittance.id:06d}"
    reported = [t.id for t in transactions]
    db.session.execute(
        sa.update(LedgerTransaction)
        .where(LedgerTransaction.id.in_(reported))
        .values(remittance_id=remittance.id)
        .execution_options(synchronize_session=False)
    )
    if statement.transfer_cents:
        books.post(
            ledger.remitted(statement.transfer_cents),
            creditor_id=creditor.id,
            remittance_id=remittance.id,
            actor=actor,
        )
    _stamp_payments(remittance, transactions)
    record_audit(
        actor,
        "remittance.issued",
        "remittance",
        remittance.id,
        changes={
            "creditor_id": creditor.id,
            "amount_cents": remittance.amount_cents,
            "brought_forward_cents": remittance.brought_forward_cents,
            "lines": len(statement.lines),
        },
    )
    db.session.commit()
    return remittance


def _stamp_payments(remittance: Remittance, reported: list[_Movement]) -> None:
    """Payments (and reversals) reported by this statement point to it, for the R124-6 watch."""
    for column, kind in (
        (Payment.remittance_id, "payment"),
        (Payment.reversal_remittance_id, "payment_reversal"),
    ):
        ids = {t.payment_id for t in reported if t.kind == kind and t.payment_id}
        if not ids:
            continue
        db.session.execute(
            sa.update(Payment)
            .where(Payment.id.in_(ids), column.is_(None))
            .values({column.key: remittance.id})
            .execution_options(synchronize_session=False)
        )


def _with_movements():
    return Organisation.id.in_(
        sa.select(LedgerTransaction.creditor_id).where(LedgerTransaction.remittance_id.is_(None))
    )


def creditors_with_movements_query() -> sa.Select:
    """Creditors with something not reported yet, by name (the remittances page pages it:
    each row builds that creditor's pending statement)."""
    return (
        sa.select(Organisation)
        .where(_with_movements())
        .order_by(Organisation.legal_name, Organisation.id)
    )


def creditors_with_movements() -> list[Organisation]:
    return list(db.session.scalars(creditors_with_movements_query()))


def run_all(actor, *, today: date) -> list[Remittance]:
    """The monthly run: a statement for every creditor with something new (safe to rerun)."""
    # Ids, not objects: every creditor's commit would expire every object still held, which
    # made the run quadratic in the number of creditors.
    creditor_ids = db.session.scalars(
        sa.select(Organisation.id).where(_with_movements()).order_by(Organisation.legal_name)
    ).all()
    issued = []
    for creditor_id in creditor_ids:
        creditor = db.session.get(Organisation, creditor_id)
        remittance = run_remittance(actor, creditor, today=today)
        if remittance is not None:
            issued.append(sa.inspect(remittance).identity[0])
    if not issued:
        return []
    by_id = {
        r.id: r for r in db.session.scalars(sa.select(Remittance).where(Remittance.id.in_(issued)))
    }
    return [by_id[i] for i in issued]


def statement_of(remittance: Remittance) -> Statement:
    """An issued statement, read back from the transactions it stamped."""
    transactions, _ = _movements(LedgerTransaction.remittance_id == remittance.id)
    return Statement(
        remittance=remittance,
        creditor=remittance.creditor,
        lines=_lines(transactions),
        brought_forward_cents=remittance.brought_forward_cents,
    )


def get_remittance(user, remittance_id: int) -> Remittance:
    """A statement this user may read: agency staff all, a creditor its own (else NotFound)."""
    remittance = db.session.get(Remittance, remittance_id)
    if remittance is None:
        raise NotFound(N_("Relevé introuvable."))
    if user.is_agency_staff:
        return remittance
    if user.is_creditor_staff and remittance.creditor_id == user.organisation_id:
        return remittance
    raise NotFound(N_("Relevé introuvable."))


def remittances_query(user, creditor_id: int | None = None, creditor_text: str = "") -> sa.Select:
    """Statements issued, newest first; the agency may filter on one creditor (its id, or
    what was typed in the creditor search field: see worklist.creditors_matching)."""
    query = sa.select(Remittance).order_by(Remittance.id.desc())
    if user.is_creditor_staff:
        return query.where(Remittance.creditor_id == user.organisation_id)
    require_agency(user)
    if creditor_id is not None:
        query = query.where(Remittance.creditor_id == creditor_id)
    if creditor_text.strip():
        query = query.where(Remittance.creditor_id.in_(worklist.creditors_matching(creditor_text)))
    return query


@dataclass(frozen=True)
class OverdueFunds:
    """Money the agency encashed more than a month ago and has not remitted (R124-6)."""

    creditor: Organisation
    payments: int
    amount_cents: int
    oldest: date


def overdue_funds(today: date) -> list[OverdueFunds]:
    limit = add_months(today, -1)
    rows = db.session.execute(
        sa.select(
            Payment.creditor_id,
            sa.func.count(Payment.id),
            sa.func.sum(Payment.amount_cents),
            sa.func.min(Payment.received_on),
        )
        .where(
            Payment.remittance_id.is_(None),
            Payment.reversed_at.is_(None),
            Payment.paid_to_creditor.is_(False),
            Payment.received_on < limit,
        )
        .group_by(Payment.creditor_id)
    ).all()
    creditors = {
        o.id: o
        for o in db.session.scalars(
            sa.select(Organisation).where(Organisation.id.in_([r[0] for r in rows]))
        )
    }
    return sorted(
        (
            OverdueFunds(creditors[cid], count, int(total), oldest)
            for cid, count, total, oldest in rows
        ),
        key=lambda o: o.oldest,
    )


@dataclass(frozen=True)
class MoneyFigures:
    """A creditor's money at a glance, from its ledger entries (all in cents, positive)."""

    collected_cents: int  # paid to the agency, net of reversals
    collected_direct_cents: int  # paid to the creditor directly, net of reversals
    commission_cents: int  # excluding VAT
    vat_cents: int
    remitted_cents: int
    to_remit_cents: int  # what the agency owes now (negative: the creditor owes fees)
    held_for_debtors_cents: int  # overpayments to refund
    costs_charged_cents: int = 0  # court costs the agency advanced, charged on statements


def money_figures(creditor_id: int) -> MoneyFigures:
    def signed():
        return sa.case(
            (LedgerEntry.side == ledger.CREDIT, LedgerEntry.cents), else_=-LedgerEntry.cents
        )

    rows = db.session.execute(
        sa.select(LedgerTransaction.kind, LedgerEntry.account, sa.func.sum(signed()))
        .join(LedgerEntry, LedgerEntry.transaction_id == LedgerTransaction.id)
        .where(LedgerTransaction.creditor_id == creditor_id)
        # The same creditor on the entries (ledger.verify checks it): read through their index.
        .where(LedgerEntry.creditor_id == creditor_id)
        .group_by(LedgerTransaction.kind, LedgerEntry.account)
    ).all()
    total: dict[tuple[str, str], int] = {(k, a): int(v or 0) for k, a, v in rows}

    def of(kinds, account):
        return sum(total.get((k, account), 0) for k in kinds)

    payment_kinds = ("payment", "payment_reversal")
    return MoneyFigures(
        collected_cents=-of(payment_kinds, ledger.CLIENT_FUNDS),
        collected_direct_cents=-of(payment_kinds, ledger.CREDITOR_DIRECT),
        commission_cents=of(_FEE_KINDS, ledger.COMMISSION_INCOME),
        vat_cents=of(_FEE_KINDS, ledger.VAT_PAYABLE),
        remitted_cents=of(("remittance", "remittance_reversal"), ledger.CLIENT_FUNDS),
        to_remit_cents=sum(v for (_k, a), v in total.items() if a == ledger.CREDITOR_PAYABLE),
        held_for_debtors_cents=sum(v for (_k, a), v in total.items() if a == ledger.DEBTOR_CREDIT),
        costs_charged_cents=of(("cost_charged", "cost_charged_reversal"), ledger.AGENCY_COSTS),
    )
