"""Promises to pay and payment plans: what the debtor undertook, and whether it is kept.

Whether a promise is kept or a plan on schedule is decided by domain.schedule from the case's
payments; the status stored here is the last decision, written by services.plans.review_case.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.domain import schedule
from app.domain.i18n import N_
from app.models.activity import CallLog
from app.models.base import Base, enum_column, utcnow
from app.models.case import Case
from app.models.org import User

PLAN_STATUSES = ("awaiting_creditor", "active", "breached", "completed", "cancelled", "refused")
LIVE_PLAN_STATUSES = ("awaiting_creditor", "active")
PLAN_STATUS_LABELS = {
    "awaiting_creditor": N_("En attente de l'accord du créancier"),
    "active": N_("En cours"),
    "breached": N_("Non respecté"),
    "completed": N_("Soldé"),
    "cancelled": N_("Annulé"),
    "refused": N_("Refusé par le créancier"),
}
PROMISE_STATUSES = ("pending", "kept", "broken", "cancelled")
PROMISE_STATUS_LABELS = {
    "pending": N_("En attente"),
    "kept": N_("Tenue"),
    "broken": N_("Non tenue"),
    "cancelled": N_("Annulée"),
}
FREQUENCY_LABELS = {schedule.WEEKLY: N_("hebdomadaire"), schedule.MONTHLY: N_("mensuelle")}


class PaymentPlan(Base):
    __tablename__ = "payment_plan"
    __table_args__ = (
        sa.CheckConstraint("total_cents > 0", name="total_positive"),
        sa.CheckConstraint("down_payment_cents >= 0", name="down_payment_not_negative"),
        sa.CheckConstraint("installment_count > 0", name="installments_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("case_file.id"), index=True)
    status: Mapped[str] = enum_column(PLAN_STATUSES, "plan_status")
    # The outstanding balance on the day the plan was agreed: what the schedule adds up to.
    total_cents: Mapped[int] = mapped_column(sa.BigInteger)
    down_payment_cents: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    installment_count: Mapped[int]
    frequency: Mapped[str] = enum_column(schedule.FREQUENCIES, "plan_frequency")
    first_due_on: Mapped[date]
    # Payments received from this day on count towards the plan.
    starts_on: Mapped[date]
    breach_days: Mapped[int] = mapped_column(default=schedule.PLAN_BREACH_DAYS)
    # Why it needed the creditor's approval (empty: inside the creditor's policy).
    policy_breaches: Mapped[list] = mapped_column(sa.JSON, default=list)
    note: Mapped[str | None] = mapped_column(sa.Text)
    proposed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    proposed_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None]
    decision_note: Mapped[str | None] = mapped_column(sa.Text)
    ended_on: Mapped[date | None]
    # A plan paid by card: the saved card charged off-session on each due date (Stripe ids).
    card_customer: Mapped[str | None] = mapped_column(sa.String(255))
    card_payment_method: Mapped[str | None] = mapped_column(sa.String(255))

    case: Mapped[Case] = relationship()
    proposed_by: Mapped[User | None] = relationship(foreign_keys=[proposed_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    installments: Mapped[list[PlanInstallment]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="PlanInstallment.sequence"
    )

    @property
    def is_live(self) -> bool:
        return self.status in LIVE_PLAN_STATUSES


class PlanInstallment(Base):
    __tablename__ = "plan_installment"
    __table_args__ = (
        sa.CheckConstraint("amount_cents > 0", name="amount_positive"),
        sa.UniqueConstraint("plan_id", "sequence"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("payment_plan.id"), index=True)
    sequence: Mapped[int]  # 0 is the down payment
    due_on: Mapped[date]
    amount_cents: Mapped[int] = mapped_column(sa.BigInteger)
    # Card plans: how many times the saved card was tried for this installment, and when last.
    card_attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    card_last_attempt_on: Mapped[date | None]
    # The last attempt's PaymentIntent and its status as Stripe answered ("declined" when it
    # refused the card): a charge that succeeded is only paid once its webhook is processed,
    # and until then the installment must not be charged again.
    card_intent_id: Mapped[str | None] = mapped_column(sa.String(255))
    card_last_status: Mapped[str | None] = mapped_column(sa.String(32))

    plan: Mapped[PaymentPlan] = relationship(back_populates="installments")


class Promise(Base):
    __tablename__ = "promise"
    __table_args__ = (sa.CheckConstraint("amount_cents > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("case_file.id"), index=True)
    amount_cents: Mapped[int] = mapped_column(sa.BigInteger)
    promised_on: Mapped[date]
    # Payments received from this day on count towards the promise.
    made_on: Mapped[date]
    status: Mapped[str] = enum_column(PROMISE_STATUSES, "promise_status", default="pending")
    call_log_id: Mapped[int | None] = mapped_column(sa.ForeignKey("call_log.id"))
    note: Mapped[str | None] = mapped_column(sa.Text)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_on: Mapped[date | None]

    case: Mapped[Case] = relationship()
    call_log: Mapped[CallLog | None] = relationship()
    recorded_by: Mapped[User | None] = relationship()
