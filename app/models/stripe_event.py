"""Stripe webhook events, stored before anything is done with them: the unique event id makes a
redelivery a no-op, and `processed_at` is claimed by one worker in the payment's transaction."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, utcnow


class StripeEvent(Base):
    __tablename__ = "stripe_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(sa.String(255), unique=True)
    type: Mapped[str] = mapped_column(sa.String(100))
    # The PaymentIntent the event is about: out-of-order events wait for their payment by it.
    payment_intent: Mapped[str | None] = mapped_column(sa.String(255), index=True)
    payload: Mapped[dict] = mapped_column(sa.JSON)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    processed_at: Mapped[datetime | None]
    outcome: Mapped[str | None] = mapped_column(sa.String(100))
