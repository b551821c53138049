"""Money: payments received for a case, the double-entry ledger, remittances to creditors.

Nothing here is edited or deleted once written: a payment is reversed by reversing entries, a
remittance is a transaction of its own. Where each payment went inside the claim (costs,
indemnity, interest, principal) is derived by domain.balance from the payments, so a reversal
or a late-recorded earlier payment re-allocates what follows, as the Civil Code orders.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.domain import ledger, pipeline
from app.domain.i18n import N_
from app.models.base import Base, enum_column, utcnow
from app.models.case import Case, Invoice
from app.models.org import Organisation, User

# "dividend": what a mandataire judiciaire distributes on an admitted insolvency claim.
PAYMENT_METHODS = ("transfer", "cheque", "card", "sepa_debit", "cash", "dividend")
PAYMENT_METHOD_LABELS = {
    "transfer": N_("Virement"),
    "cheque": N_("Chèque"),
    "card": N_("Carte bancaire"),
    "sepa_debit": N_("Prélèvement SEPA"),
    "cash": N_("Espèces"),
    "dividend": N_("Dividende de la procédure collective"),
}
REVERSAL_REASONS = ("bounced_cheque", "chargeback", "refund", "entry_error")
REVERSAL_REASON_LABELS = {
    "bounced_cheque": N_("Chèque impayé"),
    "chargeback": N_("Contestation du paiement (rétrofacturation)"),
    "refund": N_("Remboursement au débiteur"),
    "entry_error": N_("Erreur de saisie"),
}
ENTRY_SIDES = (ledger.DEBIT, ledger.CREDIT)


class Remittance(Base):
    """One statement to a creditor and the transfer that settles it (R124-6)."""

    __tablename__ = "remittance"

    id: Mapped[int] = mapped_column(primary_key=True)
    # REM-<year>-<id, 6 digits>, set right after insert like a case reference.
    reference: Mapped[str | None] = mapped_column(sa.String(20), unique=True)
    creditor_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    # Totals of the statement's lines, kept so a statement reads back as it was issued.
    gross_cents: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    direct_cents: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    commission_cents: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    vat_cents: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    brought_forward_cents: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    # Paid out of the client-funds account; 0 when fees exceed what was collected.
    amount_cents: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    currency: Mapped[str] = mapped_column(sa.String(3), default="EUR")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    creditor: Mapped[Organisation] = relationship()
    created_by: Mapped[User | None] = relationship()


class Payment(Base):
    __tablename__ = "payment"
    __table_args__ = (
        sa.CheckConstraint("amount_cents > 0", name="amount_positive"),
        sa.Index("ix_payment_creditor_remittance", "creditor_id", "remittance_id"),
        # A creditor's payments that stand, with what its figures sum (index-only scans).
        sa.Index(
            "ix_payment_standing",
            "creditor_id",
            postgresql_include=["case_id", "received_on", "amount_cents"],
            postgresql_where=sa.text("reversed_at IS NULL"),
            sqlite_where=sa.text("reversed_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("case_file.id"), index=True)
    # Denormalised from the case: remittances and creditor figures read payments by creditor.
    creditor_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"))
    amount_cents: Mapped[int] = mapped_column(sa.BigInteger)
    currency: Mapped[str] = mapped_column(sa.String(3), default="EUR")
    received_on: Mapped[date]
    method: Mapped[str] = enum_column(PAYMENT_METHODS, "payment_method")
    # Paid straight to the creditor: it reduces the claim and earns commission, never remitted.
    paid_to_creditor: Mapped[bool] = mapped_column(default=False)
    designated_invoice_id: Mapped[int | None] = mapped_column(sa.ForeignKey("invoice.id"))
    reference: Mapped[str | None] = mapped_column(sa.String(100))
    note: Mapped[str | None] = mapped_column(sa.Text)
    # The stage the case was in when the money came: it sets the commission rate.
    stage_at_receipt: Mapped[str] = enum_column(pipeline.STAGES, "payment_stage")
    # One form submission or one API call records one payment, however often it is resent.
    idempotency_key: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    reversed_at: Mapped[datetime | None]
    reversed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    reversal_reason: Mapped[str | None] = enum_column(REVERSAL_REASONS, "reversal_reason")
    reversal_note: Mapped[str | None] = mapped_column(sa.Text)
    # The statements that reported the payment, and its reversal, to the creditor.
    remittance_id: Mapped[int | None] = mapped_column(sa.ForeignKey("remittance.id"))
    reversal_remittance_id: Mapped[int | None] = mapped_column(sa.ForeignKey("remittance.id"))

    case: Mapped[Case] = relationship()
    designated_invoice: Mapped[Invoice | None] = relationship()
    recorded_by: Mapped[User | None] = relationship(foreign_keys=[recorded_by_id])
    reversed_by: Mapped[User | None] = relationship(foreign_keys=[reversed_by_id])

    @property
    def is_reversed(self) -> bool:
        return self.reversed_at is not None

    def __repr__(self) -> str:
        return f"<Payment {self.id} {self.amount_cents} on {self.received_on}>"


class LedgerTransaction(Base):
    """A balanced set of entries: one movement of money (see domain.ledger)."""

    __tablename__ = "ledger_transaction"
    __table_args__ = (
        # A creditor's transactions with their kind: its money figures join them to its
        # entries from the two indexes alone.
        sa.Index(
            "ix_ledger_transaction_creditor_id", "creditor_id", postgresql_include=["id", "kind"]
        ),
        # The remittance run's question, per creditor: its transactions no statement reported yet.
        sa.Index(
            "ix_ledger_transaction_unreported",
            "creditor_id",
            postgresql_where=sa.text("remittance_id IS NULL"),
            sqlite_where=sa.text("remittance_id IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(40))
    creditor_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"))
    case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("case_file.id"), index=True)
    payment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("payment.id"), index=True)
    remittance_id: Mapped[int | None] = mapped_column(sa.ForeignKey("remittance.id"), index=True)
    # Unique: a transaction is reversed at most once, whoever tries at the same moment.
    reverses_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("ledger_transaction.id"), unique=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    entries: Mapped[list[LedgerEntry]] = relationship(
        back_populates="transaction", order_by="LedgerEntry.id"
    )


class LedgerEntry(Base):
    __tablename__ = "ledger_entry"
    __table_args__ = (
        sa.CheckConstraint("cents > 0", name="cents_positive"),
        # INCLUDE: a creditor's balances are summed from the index alone (index-only scan).
        sa.Index(
            "ix_ledger_entry_creditor_account",
            "creditor_id",
            "account",
            postgresql_include=["side", "cents", "transaction_id"],
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    transaction_id: Mapped[int] = mapped_column(sa.ForeignKey("ledger_transaction.id"), index=True)
    account: Mapped[str] = enum_column(ledger.ACCOUNTS, "ledger_account")
    side: Mapped[str] = enum_column(ENTRY_SIDES, "entry_side")
    cents: Mapped[int] = mapped_column(sa.BigInteger)
    # Copied from the transaction so that balances per creditor or case are one indexed sum.
    creditor_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"))
    case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("case_file.id"), index=True)

    transaction: Mapped[LedgerTransaction] = relationship(back_populates="entries")
