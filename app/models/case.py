"""A case (dossier): one creditor, one debtor, its invoices and supporting documents."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.domain import pipeline
from app.models.base import Base, TimestampMixin, enum_column, utcnow
from app.models.debtor import Debtor
from app.models.org import Organisation, User

DOCUMENT_KINDS = (
    "invoice",
    "contract",
    "terms_of_sale",
    "purchase_order",
    "delivery_note",
    "correspondence",
    "other",
)


class Case(TimestampMixin, Base):
    __tablename__ = "case_file"
    __table_args__ = (
        sa.UniqueConstraint(
            "creditor_id", "external_ref", name="uq_case_file_creditor_external_ref"
        ),
        sa.Index("ix_case_file_queue", "stage", "assigned_agent_id", "next_action_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Set from the id right after insert: REC-<year>-<id, 6 digits>. Unique without a counter.
    reference: Mapped[str | None] = mapped_column(sa.String(20), unique=True)
    external_ref: Mapped[str | None] = mapped_column(sa.String(100))
    creditor_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    debtor_id: Mapped[int] = mapped_column(sa.ForeignKey("debtor.id"), index=True)
    stage: Mapped[str] = enum_column(pipeline.STAGES, "case_stage", default=pipeline.INTAKE)
    hold_reason: Mapped[str | None] = enum_column(pipeline.HOLD_REASONS, "hold_reason")
    assigned_agent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    opened_on: Mapped[date]
    next_action_on: Mapped[date | None]
    outcome: Mapped[str | None] = enum_column(pipeline.OUTCOMES, "case_outcome")
    closed_on: Mapped[date | None]
    return_reason: Mapped[str | None] = enum_column(pipeline.RETURN_REASONS, "return_reason")
    return_note: Mapped[str | None] = mapped_column(sa.Text)
    judicial_approved_at: Mapped[datetime | None]
    # A consumer owes legal interest from the day after the formal notice was received.
    formal_notice_received_on: Mapped[date | None]
    # Sum of what the invoices still claim at submission, kept for sorting the queue by amount.
    claim_cents: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    currency: Mapped[str] = mapped_column(sa.String(3), default="EUR")
    stage_changed_at: Mapped[datetime] = mapped_column(default=utcnow)

    creditor: Mapped[Organisation] = relationship(foreign_keys=[creditor_id])
    debtor: Mapped[Debtor] = relationship()
    assigned_agent: Mapped[User | None] = relationship(foreign_keys=[assigned_agent_id])
    invoices: Mapped[list[Invoice]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="Invoice.due_date"
    )
    documents: Mapped[list[Document]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="Document.id"
    )

    @property
    def is_open(self) -> bool:
        return pipeline.is_open(self.stage)

    def __repr__(self) -> str:
        return f"<Case {self.reference} {self.stage}>"


class Invoice(Base):
    __tablename__ = "invoice"
    __table_args__ = (
        sa.CheckConstraint("amount_cents > 0", name="amount_positive"),
        sa.CheckConstraint(
            "paid_cents >= 0 AND paid_cents <= amount_cents", name="paid_within_amount"
        ),
        sa.CheckConstraint("due_date >= issue_date", name="due_after_issue"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("case_file.id"), index=True)
    number: Mapped[str] = mapped_column(sa.String(50), index=True)
    issue_date: Mapped[date]
    due_date: Mapped[date]
    amount_cents: Mapped[int] = mapped_column(sa.BigInteger)
    # Paid to the creditor before the case reached the agency.
    paid_cents: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    currency: Mapped[str] = mapped_column(sa.String(3), default="EUR")
    disputed: Mapped[bool] = mapped_column(default=False)

    case: Mapped[Case] = relationship(back_populates="invoices")

    @property
    def unpaid_cents(self) -> int:
        return self.amount_cents - self.paid_cents


class Document(Base):
    __tablename__ = "document"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("case_file.id"), index=True)
    kind: Mapped[str] = enum_column(DOCUMENT_KINDS, "document_kind")
    original_name: Mapped[str] = mapped_column(sa.String(255))
    content_type: Mapped[str] = mapped_column(sa.String(100))
    size_bytes: Mapped[int] = mapped_column(sa.BigInteger)
    sha256: Mapped[str] = mapped_column(sa.String(64))
    storage_key: Mapped[str] = mapped_column(sa.String(255), unique=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    visible_to_creditor: Mapped[bool] = mapped_column(default=True)

    case: Mapped[Case] = relationship(back_populates="documents")
    uploaded_by: Mapped[User | None] = relationship()
